// Panic safety. The release build aborts on a panic, which kills the WebAssembly instance; the
// guard in edge-worker/entry.mjs must still answer a Stripe-shaped 500 carrying the request's
// own Request-Id, the next request must succeed on a fresh instance, and a panic inside the
// Account object must leave none of the handler's writes behind (it runs in one transaction).
// The panic route exists only with TESSERA_TEST_PANIC=true; without it, it is an unknown URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, devKeys, api } from './harness.mjs';

let gateway, plain, keys;

before(async () => {
  [gateway, plain] = await Promise.all([startGateway({ vars: { TESSERA_TEST_PANIC: 'true' } }), startGateway()]);
  keys = devKeys();
});

after(async () => {
  await Promise.all([gateway?.stop(), plain?.stop()]);
});

function assertStripe500(r) {
  assert.equal(r.status, 500, JSON.stringify(r.body));
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(Object.keys(r.body), ['error']);
  assert.equal(r.body.error.type, 'api_error');
  assert.equal(r.body.error.code, 'internal_error');
  assert.equal(typeof r.body.error.message, 'string');
  const id = r.headers.get('request-id');
  assert.match(id || '', /^req_[A-Za-z0-9]{14}$/);
  // The answer names the same request id the header carries, for support.
  assert.ok(r.body.error.message.includes(id), r.body.error.message);
  assert.ok(r.headers.get('stripe-version'));
}

const listIntents = async (g) => (await api(g.url, keys.secret, 'GET', '/v1/payment_intents?limit=100')).body.data;

test('a panic in the front Worker: Stripe-shaped 500 with its Request-Id, and the next request succeeds', async () => {
  const ids = new Set();
  for (let round = 0; round < 3; round += 1) {
    const boom = await api(gateway.url, keys.secret, 'POST', '/v1/test/panic', {});
    assertStripe500(boom);
    ids.add(boom.headers.get('request-id'));
    const next = await api(gateway.url, keys.secret, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd' });
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.match(next.headers.get('request-id'), /^req_/);
    assert.notEqual(next.headers.get('request-id'), boom.headers.get('request-id'));
  }
  assert.equal(ids.size, 3, 'each fault has its own request id');
});

test('a panic inside the Account object: Stripe-shaped 500, nothing half-written, the next request succeeds', async () => {
  const before = await listIntents(gateway);
  const eventsBefore = (await api(gateway.url, keys.secret, 'GET', '/v1/events?limit=100')).body.data.length;
  // The object's test route creates an intent (and its event), then panics before answering.
  const boom = await api(gateway.url, keys.secret, 'POST', '/v1/test/panic/object', { amount: '1000', currency: 'usd' });
  assertStripe500(boom);
  assert.equal((await listIntents(gateway)).length, before.length, 'the intent written before the panic was rolled back');
  const eventsAfter = (await api(gateway.url, keys.secret, 'GET', '/v1/events?limit=100')).body.data;
  assert.equal(eventsAfter.length, eventsBefore, 'so was its event');
  assert.ok(!eventsAfter.some((e) => e.request.id === boom.headers.get('request-id')));

  // The object serves the next requests, a whole payment included.
  const paid = await api(gateway.url, keys.secret, 'POST', '/v1/payment_intents',
    { amount: '2500', currency: 'usd', payment_method: 'pm_card_visa', confirm: 'true' });
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  assert.equal(paid.body.status, 'succeeded');
  assert.equal((await listIntents(gateway)).length, before.length + 1);
});

test('requests in flight beside a panic are answered, never left hanging', async () => {
  const work = Array.from({ length: 10 }, (_, i) => api(gateway.url, keys.secret, 'POST', '/v1/payment_intents', { amount: String(1000 + i), currency: 'usd' }));
  const boom = api(gateway.url, keys.secret, 'POST', '/v1/test/panic/object', { amount: '1000', currency: 'usd' });
  const results = await Promise.all([...work, boom]);
  for (const r of results) {
    // Each is either done or a Stripe-shaped 500 (it shared the instance that trapped).
    if (r.status !== 200) assertStripe500(r);
  }
  assertStripe500(results.at(-1));
  const next = await api(gateway.url, keys.secret, 'GET', '/v1/payment_intents?limit=1');
  assert.equal(next.status, 200);
});

test('without TESSERA_TEST_PANIC the panic route does not exist: a Stripe-shaped 404', async () => {
  for (const path of ['/v1/test/panic', '/v1/test/panic/object']) {
    const r = await api(plain.url, keys.secret, 'POST', path, { amount: '1000', currency: 'usd' });
    assert.equal(r.status, 404, JSON.stringify(r.body));
    assert.equal(r.body.error.type, 'invalid_request_error');
    assert.equal(r.body.error.code, 'resource_missing');
    assert.match(r.headers.get('request-id'), /^req_/);
  }
  assert.equal((await listIntents(plain)).length, 0, 'and it wrote nothing');
  // Nor can a client choose its own request id.
  const forged = await api(plain.url, keys.secret, 'GET', '/v1/payment_intents?limit=1', undefined, { 'Tessera-Request-Id': 'req_chosenbyclient1' });
  assert.equal(forged.status, 200);
  assert.notEqual(forged.headers.get('request-id'), 'req_chosenbyclient1');
});
