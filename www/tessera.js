/*! Tessera loader — mounts the checkout iframe from the gateway origin and relays its events.
 * Hand-written, no build step. Card data never passes through this script or the host page. */
(function (global) {
  'use strict';
  var PROTOCOL = 1;
  var script = document.currentScript;
  var GATEWAY = script ? new URL(script.src, location.href).origin : location.origin;

  function Checkout(tessera, intent, options) {
    this._t = tessera;
    this._clientSecret = intent && intent.clientSecret;
    this._options = options || {};
    this._handlers = {};
    this._frame = null;
    this._onMessage = this._receive.bind(this);
    if (!this._clientSecret) throw new Error('Tessera: checkout() needs {clientSecret}.');
  }

  Checkout.prototype.on = function (type, fn) {
    (this._handlers[type] = this._handlers[type] || []).push(fn);
    return this;
  };

  Checkout.prototype.off = function (type, fn) {
    this._handlers[type] = (this._handlers[type] || []).filter(function (h) { return h !== fn; });
    return this;
  };

  Checkout.prototype._emit = function (type, detail) {
    (this._handlers[type] || []).slice().forEach(function (fn) { fn(detail); });
  };

  Checkout.prototype.mount = function (target) {
    var host = typeof target === 'string' ? document.querySelector(target) : target;
    if (!host) throw new Error('Tessera: mount target not found: ' + target);
    if (this._frame) this.unmount();
    var params = new URLSearchParams({
      pk: this._t.publishableKey,
      cs: this._clientSecret,
      origin: location.origin,
      locale: this._t.locale
    });
    var frame = document.createElement('iframe');
    frame.src = GATEWAY + '/checkout.html#' + params.toString();
    frame.title = 'Secure card payment';
    frame.setAttribute('allow', 'payment');
    frame.setAttribute('data-tessera', 'checkout');
    // Same height as the ready form, so nothing shifts when it paints.
    frame.style.cssText = 'border:0;width:100%;height:228px;display:block;color-scheme:normal;background:transparent';
    this._frame = frame;
    global.addEventListener('message', this._onMessage);
    host.appendChild(frame);
    return this;
  };

  Checkout.prototype._receive = function (event) {
    // Only our own frame, on the gateway origin, speaking our protocol version.
    if (!this._frame || event.origin !== GATEWAY || event.source !== this._frame.contentWindow) return;
    var msg = event.data;
    if (!msg || typeof msg !== 'object' || msg.tessera !== PROTOCOL || typeof msg.type !== 'string') return;
    if ((msg.type === 'ready' || msg.type === 'resize') && typeof msg.height === 'number' && msg.height > 0) {
      this._frame.style.height = Math.ceil(msg.height) + 'px';
    }
    if (msg.type === 'resize') return;
    var detail = {};
    Object.keys(msg).forEach(function (k) { if (k !== 'tessera' && k !== 'type') detail[k] = msg[k]; });
    this._emit(msg.type, detail);
  };

  Checkout.prototype.unmount = function () {
    global.removeEventListener('message', this._onMessage);
    if (this._frame && this._frame.parentNode) this._frame.parentNode.removeChild(this._frame);
    this._frame = null;
    return this;
  };

  Checkout.prototype.destroy = function () {
    this.unmount();
    this._handlers = {};
  };

  function Tessera(publishableKey, options) {
    if (!(this instanceof Tessera)) return new Tessera(publishableKey, options);
    if (typeof publishableKey !== 'string' || publishableKey.indexOf('pk_') !== 0) {
      throw new Error('Tessera: pass your publishable key (pk_…).');
    }
    this.publishableKey = publishableKey;
    this.locale = (options && options.locale) || 'auto';
  }

  Tessera.prototype.checkout = function (intent, options) {
    return new Checkout(this, intent, options);
  };

  Tessera.version = '0.1.0';
  global.Tessera = Tessera;
})(window);
