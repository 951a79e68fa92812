/*! Tessera loader — mounts the checkout iframe from the gateway origin and talks to it over the
 * versioned postMessage protocol of shared/src/protocol.rs. Hand-written, no build step.
 * Card data never passes through this script or the host page. Types: tessera.d.ts. */
(function (global) {
  'use strict';
  var PROTOCOL = 1;
  var script = document.currentScript;
  var GATEWAY = script ? new URL(script.src, location.href).origin : location.origin;
  var EVENTS = ['ready', 'change', 'focus', 'blur', 'escape', 'loaderror', 'payment_succeeded', 'payment_failed'];
  // Heights of the skeleton the frame paints first (default appearance), so the page does not
  // shift while the frame loads: padding + number field + expiry/CVC row + form error line.
  var BASE_HEIGHT = 196, FIELD_HEIGHT = 84, BUTTON_HEIGHT = 42;
  // How long mount() waits for the frame's `ready` before reporting `loaderror`.
  var LOAD_TIMEOUT_MS = 15000;

  function fail(message) { throw new Error('Tessera: ' + message); }

  /** One checkout element. Created by `tessera.checkout()`. */
  function Checkout(tessera, intent, options) {
    intent = intent || {};
    options = options || {};
    this._t = tessera;
    this._clientSecret = intent.clientSecret || null;
    if (!this._clientSecret) {
      // Deferred intent: the form paints from amount + currency; confirmPayment brings the secret.
      if (intent.mode !== 'payment' || !(intent.amount >= 0) || Math.floor(intent.amount) !== intent.amount || typeof intent.currency !== 'string') {
        fail("checkout() needs {clientSecret} or {mode: 'payment', amount (integer minor units), currency}.");
      }
    }
    this._intent = intent;
    this._options = options;
    this._appearance = options.appearance || null;
    this._locale = tessera.locale;
    this._handlers = {};
    this._frame = null;
    this._ready = false;
    this._queue = [];
    this._requests = {};
    this._nextId = 1;
    this._onMessage = this._receive.bind(this);
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

  Checkout.prototype._fragment = function (host) {
    var o = this._options, fields = o.fields || {};
    var p = { pk: this._t.publishableKey, origin: location.origin, locale: this._locale };
    if (this._clientSecret) p.cs = this._clientSecret;
    else { p.amount = String(this._intent.amount); p.currency = this._intent.currency.toLowerCase(); }
    if (this._appearance) p.ap = JSON.stringify(this._appearance);
    if (o.hideButton) p.button = '0';
    if (fields.name === 'always' || fields.name === true) p.name = '1';
    if (fields.postalCode === 'always' || fields.postalCode === true) p.postal = '1';
    // A shadow root has no computed style of its own; its host element does.
    var styled = host.nodeType === 1 ? host : (host.host || document.documentElement);
    if (getComputedStyle(styled).direction === 'rtl') p.dir = 'rtl';
    return new URLSearchParams(p).toString();
  };

  Checkout.prototype._guessHeight = function () {
    var o = this._options, fields = o.fields || {}, h = BASE_HEIGHT;
    if (fields.name === 'always' || fields.name === true) h += FIELD_HEIGHT;
    if (fields.postalCode === 'always' || fields.postalCode === true) h += FIELD_HEIGHT;
    if (this._clientSecret && !o.hideButton) h += BUTTON_HEIGHT;
    return h;
  };

  /** Mounts into a selector or element (which may live inside a shadow root). */
  Checkout.prototype.mount = function (target) {
    var host = typeof target === 'string' ? document.querySelector(target) : target;
    if (!host || !host.appendChild) fail('mount target not found: ' + target);
    if (this._frame) this.unmount();
    var frame = document.createElement('iframe');
    frame.src = GATEWAY + '/checkout.html#' + this._fragment(host);
    frame.title = 'Secure card payment';
    frame.setAttribute('allow', 'payment');
    frame.setAttribute('scrolling', 'no');
    frame.setAttribute('data-tessera', 'checkout');
    frame.style.cssText = 'border:0;width:100%;height:' + this._guessHeight() + 'px;display:block;overflow:hidden;color-scheme:normal;background:transparent';
    this._frame = frame;
    this._ready = false;
    global.addEventListener('message', this._onMessage);
    host.appendChild(frame);
    // A frame that never loads (gateway unreachable, blocked by an extension or a CSP) sends
    // nothing at all; the page still has to hear about it to offer another way to pay.
    var self = this, wait = this._options.loadTimeout > 0 ? this._options.loadTimeout : LOAD_TIMEOUT_MS;
    this._loadTimer = setTimeout(function () {
      if (self._frame === frame && !self._ready) {
        self._emit('loaderror', { error: { type: 'api_connection_error', code: 'load_timeout', message: 'The checkout did not load within ' + wait + ' ms.' } });
      }
    }, wait);
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
    if (msg.type === 'confirm_result') {
      var done = this._requests[msg.requestId];
      delete this._requests[msg.requestId];
      if (done) done(msg.error ? { error: msg.error } : { paymentIntent: msg.paymentIntent });
      return;
    }
    if (EVENTS.indexOf(msg.type) < 0) return;
    if (msg.type === 'ready') {
      clearTimeout(this._loadTimer);
      this._ready = true;
      this._queue.splice(0).forEach(this._post, this);
    }
    var detail = {};
    Object.keys(msg).forEach(function (k) { if (k !== 'tessera' && k !== 'type') detail[k] = msg[k]; });
    this._emit(msg.type, detail);
  };

  /** Sends a command to the frame, only ever to the gateway origin; queued until `ready`. */
  Checkout.prototype._post = function (command) {
    if (!this._frame) return;
    if (!this._ready) { this._queue.push(command); return; }
    command.tessera = PROTOCOL;
    this._frame.contentWindow.postMessage(command, GATEWAY);
  };

  /** Changes appearance and/or locale in place, without reloading the frame. */
  Checkout.prototype.update = function (options) {
    options = options || {};
    var cmd = { type: 'update', appearance: null, locale: null };
    if (options.appearance) { this._appearance = options.appearance; cmd.appearance = JSON.stringify(options.appearance); }
    if (options.locale) { this._locale = options.locale; cmd.locale = options.locale; }
    this._post(cmd);
    return this;
  };

  Checkout.prototype.focus = function () { this._post({ type: 'focus' }); return this; };
  Checkout.prototype.clear = function () { this._post({ type: 'clear' }); return this; };

  Checkout.prototype._confirm = function (clientSecret) {
    var self = this;
    if (!this._frame) return Promise.resolve({ error: { type: 'integration_error', message: 'Mount the checkout before confirming.' } });
    if (!clientSecret && !this._clientSecret) {
      return Promise.resolve({ error: { type: 'integration_error', message: 'confirmPayment needs clientSecret for a deferred checkout.' } });
    }
    return new Promise(function (resolve) {
      var id = self._nextId++;
      self._requests[id] = resolve;
      self._post({ type: 'confirm', requestId: id, clientSecret: clientSecret || null });
    });
  };

  Checkout.prototype.unmount = function () {
    clearTimeout(this._loadTimer);
    global.removeEventListener('message', this._onMessage);
    if (this._frame && this._frame.parentNode) this._frame.parentNode.removeChild(this._frame);
    this._frame = null;
    this._ready = false;
    var pending = this._requests;
    this._requests = {};
    Object.keys(pending).forEach(function (id) {
      pending[id]({ error: { type: 'integration_error', message: 'The checkout was unmounted.' } });
    });
    return this;
  };

  Checkout.prototype.destroy = function () {
    this.unmount();
    this._handlers = {};
  };

  function Tessera(publishableKey, options) {
    if (!(this instanceof Tessera)) return new Tessera(publishableKey, options);
    if (typeof publishableKey !== 'string' || publishableKey.indexOf('pk_') !== 0) fail('pass your publishable key (pk_…).');
    this.publishableKey = publishableKey;
    this.locale = (options && options.locale) || 'auto';
  }

  Tessera.prototype.checkout = function (intent, options) {
    return new Checkout(this, intent, options);
  };

  /** Stripe-shaped: resolves to {paymentIntent} or {error}; never rejects for a declined card. */
  Tessera.prototype.confirmPayment = function (options) {
    options = options || {};
    var co = options.checkout;
    if (!(co instanceof Checkout)) return Promise.resolve({ error: { type: 'integration_error', message: 'confirmPayment needs {checkout}.' } });
    var returnUrl = options.return_url || (options.confirmParams && options.confirmParams.return_url);
    var redirect = options.redirect || 'always';
    if (redirect !== 'if_required' && !returnUrl) {
      return Promise.resolve({ error: { type: 'integration_error', message: "confirmPayment needs return_url unless redirect: 'if_required'." } });
    }
    return co._confirm(options.clientSecret).then(function (result) {
      if (result.paymentIntent && redirect !== 'if_required') {
        var url = new URL(returnUrl, location.href);
        url.searchParams.set('payment_intent', result.paymentIntent.id);
        url.searchParams.set('redirect_status', result.paymentIntent.status);
        location.assign(url.toString());
      }
      return result;
    });
  };

  Tessera.version = '0.2.0';
  Tessera.protocol = PROTOCOL;
  global.Tessera = Tessera;

  // <tessera-checkout publishable-key client-secret locale> (or amount + currency for a deferred
  // intent). Renders into its own shadow root, so it works inside other shadow roots too, and
  // re-dispatches every checkout event as a bubbling, composed DOM CustomEvent.
  if (global.customElements && !global.customElements.get('tessera-checkout')) {
    var Base = global.HTMLElement;
    var TesseraCheckout = function () { return Reflect.construct(Base, [], TesseraCheckout); };
    TesseraCheckout.prototype = Object.create(Base.prototype, { constructor: { value: TesseraCheckout } });
    Object.setPrototypeOf(TesseraCheckout, Base);
    TesseraCheckout.prototype.connectedCallback = function () {
      if (this._checkout) return;
      var el = this;
      var root = this.shadowRoot || this.attachShadow({ mode: 'open' });
      var slot = document.createElement('div');
      root.appendChild(slot);
      var secret = this.getAttribute('client-secret');
      var intent = secret ? { clientSecret: secret }
        : { mode: 'payment', amount: Number(this.getAttribute('amount')), currency: this.getAttribute('currency') };
      this._tessera = Tessera(this.getAttribute('publishable-key'), { locale: this.getAttribute('locale') || 'auto' });
      this._checkout = this._tessera.checkout(intent, { appearance: this.appearance, hideButton: this.hasAttribute('hide-button') });
      EVENTS.forEach(function (type) {
        el._checkout.on(type, function (detail) {
          el.dispatchEvent(new CustomEvent(type, { detail: detail, bubbles: true, composed: true }));
        });
      });
      this._checkout.mount(slot);
    };
    TesseraCheckout.prototype.disconnectedCallback = function () {
      if (this._checkout) this._checkout.destroy();
      this._checkout = null;
      if (this.shadowRoot) this.shadowRoot.innerHTML = '';
    };
    TesseraCheckout.prototype.confirmPayment = function (options) {
      var o = Object.assign({ redirect: 'if_required' }, options || {}, { checkout: this._checkout });
      return this._tessera.confirmPayment(o);
    };
    TesseraCheckout.prototype.update = function (options) { if (this._checkout) this._checkout.update(options); };
    global.customElements.define('tessera-checkout', TesseraCheckout);
  }
})(window);
