// Webhooks against workerd: every state change is a signed event, delivered with retries and
// never lost; real client libraries verify what we send.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { startGateway, devKeys, freePort, api } from './harness.mjs';

const keys = devKeys();
// Retries 200 ms apart (doubling) instead of minutes, so recovery is observable in a test.
const FAST = { TESSERA_WEBHOOK_RETRY_BASE_MS: '200' };

/** A merchant's webhook receiver: fails the first `failures` requests, then accepts. */
async function receiver({ failures = 0, status = 500 } = {}) {
  const port = await freePort();
  const state = { failures, requests: [], waiters: [] };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      state.requests.push({ headers: req.headers, body });
      if (state.failures > 0) {
        state.failures -= 1;
        res.writeHead(status, { 'Retry-After': '0' });
        res.end('not now');
      } else {
        res.writeHead(200);
        res.end('ok');
      }
      state.waiters = state.waiters.filter((w) => !w());
    });
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    state,
    /** Resolves once `predicate(requests)` holds (or rejects after `ms`). */
    until(predicate, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => { if (predicate(state.requests)) { resolve(state.requests); return true; } return false; };
        if (check()) return;
        const timer = setTimeout(() => reject(new Error(`receiver: condition not met in ${ms} ms; got ${state.requests.length} requests`)), ms);
        state.waiters.push(() => { if (check()) { clearTimeout(timer); return true; } return false; });
      });
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

function stripeClient(gw) {
  return new Stripe(keys.secret, { host: '127.0.0.1', port: gw.port, protocol: 'http', maxNetworkRetries: 0 });
}

let gw;
before(async () => { gw = await startGateway({ vars: FAST }); });
after(async () => { await gw?.stop(); });

test('stripe-node constructEvent verifies every delivery of a payment', async () => {
  const stripe = stripeClient(gw);
  const hook = await receiver();
  const endpoint = await stripe.webhookEndpoints.create({ url: hook.url, enabled_events: ['*'] });
  assert.match(endpoint.secret, /^whsec_/);
  const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'hkd', payment_method: 'pm_card_visa', confirm: true });
  assert.equal(pi.status, 'succeeded');
  const got = await hook.until((rs) => rs.length >= 3);
  const events = got.map((r) => stripe.webhooks.constructEvent(r.body, r.headers['stripe-signature'], endpoint.secret));
  const types = events.map((e) => e.type).sort();
  assert.deepEqual(types, ['charge.succeeded', 'payment_intent.created', 'payment_intent.succeeded']);
  const succeeded = events.find((e) => e.type === 'payment_intent.succeeded');
  assert.equal(succeeded.data.object.id, pi.id);
  assert.equal(succeeded.data.object.amount_received, 2000);
  assert.match(succeeded.request.id, /^req_/);
  // A wrong secret, a tampered body and a stale timestamp are all refused by the library.
  const one = got[0];
  assert.throws(() => stripe.webhooks.constructEvent(one.body, one.headers['stripe-signature'], 'whsec_wrong'));
  assert.throws(() => stripe.webhooks.constructEvent(one.body.replace('"livemode":false', '"livemode":true'), one.headers['stripe-signature'], endpoint.secret));
  // Received an hour after it was signed: outside the 300 s tolerance.
  const anHourLater = Date.now() + 3_600_000; // stripe-node takes receivedAt in ms
  assert.throws(() => stripe.webhooks.constructEvent(one.body, one.headers['stripe-signature'], endpoint.secret, 300, undefined, anHourLater));
  // The event is retrievable and listable, filtered by type.
  const listed = await stripe.events.list({ type: 'payment_intent.succeeded', limit: 100 });
  assert.ok(listed.data.some((e) => e.id === succeeded.id));
  assert.equal((await stripe.events.retrieve(succeeded.id)).type, 'payment_intent.succeeded');
  await stripe.webhookEndpoints.del(endpoint.id);
  await hook.close();
});

test('standardwebhooks verifies deliveries to a Standard Webhooks endpoint', async () => {
  const hook = await receiver();
  const created = await api(gw.url, keys.secret, 'POST', '/v1/webhook_endpoints', {
    url: hook.url, 'enabled_events[]': 'payment_intent.created', signature_scheme: 'standard_webhooks',
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const stripe = stripeClient(gw);
  const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'jpy' });
  const [delivery] = await hook.until((rs) => rs.length >= 1);
  const wh = new Webhook(created.body.secret.slice('whsec_'.length));
  const event = wh.verify(delivery.body, delivery.headers);
  assert.equal(event.type, 'payment_intent.created');
  assert.equal(event.data.object.id, pi.id);
  assert.equal(delivery.headers['webhook-id'], event.id);
  assert.throws(() => wh.verify(delivery.body + ' ', delivery.headers));
  assert.throws(() => wh.verify(delivery.body, { ...delivery.headers, 'webhook-signature': 'v1,AAAA' }));
  assert.throws(() => wh.verify(delivery.body, { ...delivery.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 3600) }));
  await api(gw.url, keys.secret, 'DELETE', `/v1/webhook_endpoints/${created.body.id}`);
  await hook.close();
});

test('an endpoint that fails 4 times then recovers gets every event, each attempt recorded', async () => {
  const stripe = stripeClient(gw);
  const hook = await receiver({ failures: 4 });
  const endpoint = await stripe.webhookEndpoints.create({ url: hook.url, enabled_events: ['payment_intent.succeeded', 'charge.succeeded'] });
  const intents = [];
  for (let i = 0; i < 3; i += 1) {
    intents.push(await stripe.paymentIntents.create({ amount: 1000 + i, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }));
  }
  const ok = (rs) => new Set(rs.slice(4).map((r) => JSON.parse(r.body).id)).size >= 6;
  const requests = await hook.until(ok, 30_000);
  const processed = new Map();
  for (const r of requests) {
    const e = stripe.webhooks.constructEvent(r.body, r.headers['stripe-signature'], endpoint.secret);
    processed.set(e.id, e); // a receiver processes each event id once
  }
  assert.equal(processed.size, 6, 'every event arrives');
  for (const pi of intents) {
    assert.ok([...processed.values()].some((e) => e.type === 'payment_intent.succeeded' && e.data.object.id === pi.id));
  }
  const attempts = await api(gw.url, keys.secret, 'GET', `/v1/webhook_endpoints/${endpoint.id}/attempts?limit=100`);
  assert.equal(attempts.status, 200);
  const failed = attempts.body.data.filter((a) => !a.succeeded);
  assert.equal(failed.length, 4);
  assert.ok(failed.every((a) => a.status_code === 500 && a.error === 'HTTP 500' && typeof a.latency_ms === 'number'));
  assert.equal(attempts.body.data.filter((a) => a.succeeded).length, 6);
  await hook.close();
});

test('410 Gone disables the endpoint; a resend after re-enabling delivers', async () => {
  const stripe = stripeClient(gw);
  const hook = await receiver({ failures: 1, status: 410 });
  const endpoint = await stripe.webhookEndpoints.create({ url: hook.url, enabled_events: ['payment_intent.created'] });
  await stripe.paymentIntents.create({ amount: 700, currency: 'usd' });
  await hook.until((rs) => rs.length === 1);
  const disabled = await waitForStatus(stripe, endpoint.id, 'disabled');
  assert.equal(disabled.status, 'disabled');
  const eventId = JSON.parse(hook.state.requests[0].body).id;
  await stripe.webhookEndpoints.update(endpoint.id, { disabled: false });
  const retry = await api(gw.url, keys.secret, 'POST', `/v1/events/${eventId}/retry`, { webhook_endpoint: endpoint.id });
  assert.equal(retry.status, 200, JSON.stringify(retry.body));
  const rs = await hook.until((r) => r.length === 2);
  assert.equal(JSON.parse(rs[1].body).id, eventId);
  await hook.close();
});

async function waitForStatus(stripe, id, status) {
  for (let i = 0; i < 100; i += 1) {
    const e = await stripe.webhookEndpoints.retrieve(id);
    if (e.status === status) return e;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`endpoint never became ${status}`);
}

test('secret rotation signs with old and new secrets during the grace period', async () => {
  const stripe = stripeClient(gw);
  const hook = await receiver();
  const endpoint = await stripe.webhookEndpoints.create({ url: hook.url, enabled_events: ['payment_intent.created'] });
  const rotated = await api(gw.url, keys.secret, 'POST', `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, { expires_in: '3600' });
  assert.equal(rotated.status, 200);
  assert.notEqual(rotated.body.secret, endpoint.secret);
  await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
  const [r] = await hook.until((rs) => rs.length === 1);
  assert.equal(r.headers['stripe-signature'].match(/v1=/g).length, 2);
  for (const secret of [endpoint.secret, rotated.body.secret]) {
    assert.equal(stripe.webhooks.constructEvent(r.body, r.headers['stripe-signature'], secret).type, 'payment_intent.created');
  }
  await hook.close();
});

test('webhook URLs: only http(s) to public hosts (loopback only in development)', async () => {
  for (const url of ['ftp://example.com/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest', 'http://[fd00::1]/', 'not-a-url']) {
    const res = await api(gw.url, keys.secret, 'POST', '/v1/webhook_endpoints', { url, 'enabled_events[]': '*' });
    assert.equal(res.status, 400, url);
    assert.equal(res.body.error.param, 'url');
  }
  const unknownType = await api(gw.url, keys.secret, 'POST', '/v1/webhook_endpoints', { url: 'https://example.com/h', 'enabled_events[]': 'nope.nope' });
  assert.equal(unknownType.body.error.param, 'enabled_events');
  const pk = await api(gw.url, keys.publishable, 'GET', '/v1/webhook_endpoints');
  assert.equal(pk.status, 403);
});

test('restarting the runtime in the middle of a retry loop loses nothing', async () => {
  const state = mkdtempSync(join(tmpdir(), 'tessera-restart-'));
  const hook = await receiver({ failures: 1_000_000, status: 503 });
  let first = await startGateway({ persistTo: state, vars: FAST });
  const stripe1 = stripeClient(first);
  const endpoint = await stripe1.webhookEndpoints.create({ url: hook.url, enabled_events: ['payment_intent.created'] });
  const ids = [];
  for (let i = 0; i < 3; i += 1) ids.push((await stripe1.paymentIntents.create({ amount: 100 + i, currency: 'usd' })).id);
  await hook.until((rs) => rs.length >= 6); // retries are under way
  await first.stop();
  hook.state.failures = 0;
  const before = hook.state.requests.length;
  const second = await startGateway({ persistTo: state, vars: FAST });
  try {
    const requests = await hook.until((rs) => {
      const delivered = rs.slice(before).map((r) => JSON.parse(r.body).data.object.id);
      return ids.every((id) => delivered.includes(id));
    }, 30_000);
    for (const r of requests.slice(before)) {
      stripeClient(second).webhooks.constructEvent(r.body, r.headers['stripe-signature'], endpoint.secret);
    }
  } finally {
    await second.stop();
    await hook.close();
    rmSync(state, { recursive: true, force: true });
  }
});

/** The sandbox processor's signing secret, derived from the vault key as the gateway does. */
async function processorSecret() {
  const { readFileSync } = await import('node:fs');
  const { createHmac } = await import('node:crypto');
  const { ROOT } = await import('./harness.mjs');
  const vaultKey = readFileSync(join(ROOT, 'edge-worker/.dev.vars'), 'utf8').match(/^TESSERA_VAULT_KEY=(.*)$/m)[1].trim();
  return 'whsec_' + createHmac('sha256', vaultKey).update('tessera sandbox processor v1').digest('hex');
}

async function processingIntent(stripe) {
  const pm = await stripe.paymentMethods.create({ type: 'card', card: { number: '4000000000007007', exp_month: 12, exp_year: 2034, cvc: '123' } });
  const pi = await stripe.paymentIntents.create({ amount: 4200, currency: 'twd', payment_method: pm.id, confirm: true });
  assert.equal(pi.status, 'processing');
  return pi;
}

test('the sandbox processor settles a processing payment by a signed inbound notification', async () => {
  const stripe = stripeClient(gw);
  const pi = await processingIntent(stripe);
  let now = pi;
  for (let i = 0; i < 100 && now.status === 'processing'; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    now = await stripe.paymentIntents.retrieve(pi.id);
  }
  assert.equal(now.status, 'succeeded');
  assert.equal(now.amount_received, 4200);
  const events = await stripe.events.list({ limit: 100 });
  const mine = events.data.filter((e) => e.data.object.id === pi.id).map((e) => e.type);
  assert.ok(mine.includes('payment_intent.processing') && mine.includes('payment_intent.succeeded'), mine.join());
});

test('inbound: a bad signature changes nothing; a duplicate notification is dropped', async () => {
  const stripe = stripeClient(gw);
  const pi = await processingIntent(stripe);
  const body = JSON.stringify({ id: `ntf_test${Date.now()}`, object: 'notification', type: 'payment.succeeded', payment_intent: pi.id });
  const post = (headers) => fetch(`${gw.url}/v1/inbound/sandbox`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  const secret = await processorSecret();
  const forged = [
    {},
    { 'Tessera-Signature': 'garbage' },
    { 'Tessera-Signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_wrong' }) },
    { 'Tessera-Signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: Math.floor(Date.now() / 1000) - 3600 }) },
  ];
  for (const headers of forged) {
    const res = await post(headers);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.code, 'signature_verification_failed');
  }
  const tampered = await fetch(`${gw.url}/v1/inbound/sandbox`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'Tessera-Signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret }) },
    body: body.replace('succeeded', 'failed'),
  });
  assert.equal(tampered.status, 400);
  assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'processing', 'nothing changed');
  const signed = { 'Tessera-Signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret }) };
  const first = await post(signed);
  assert.equal(first.status, 200);
  assert.equal((await first.json()).status, 'succeeded');
  const again = await post(signed);
  assert.deepEqual(await again.json(), { received: true, duplicate: true });
  await new Promise((r) => setTimeout(r, 1500)); // the sandbox's own notification arrives too
  const charges = await stripe.charges.list({ payment_intent: pi.id });
  assert.equal(charges.data.filter((c) => c.status === 'succeeded').length, 1, 'settled exactly once');
});
