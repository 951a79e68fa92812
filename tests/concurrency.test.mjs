// Exactly-once under concurrency, counted through the public API only.
//
// Confirm storm: INTENTS intents, ATTEMPTS confirm attempts in bursts of BURST concurrent requests
// spread across them (every intent is hit by several requests of one burst), with a card that
// succeeds. Afterwards every intent has succeeded once: one charge per intent (GET /v1/charges),
// one charge.succeeded and one payment_intent.succeeded event per intent (GET /v1/events), and
// every attempt got either the success or a 400 payment_intent_unexpected_state, never a 5xx.
// Idempotency: N concurrent creates with one Idempotency-Key run once (same body, one object).
//
// CI runs 2,000 attempts over 40 intents; CONFIRM_ATTEMPTS=10000 CONFIRM_INTENTS=200 runs the
// full-size storm (about a minute here), and its figures are printed as test diagnostics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, devKeys, api } from './harness.mjs';

const ATTEMPTS = Number(process.env.CONFIRM_ATTEMPTS || 2000);
const INTENTS = Number(process.env.CONFIRM_INTENTS || 40);
const BURST = 50;

let gateway, keys;

before(async () => {
  gateway = await startGateway();
  keys = devKeys();
});

after(async () => {
  await gateway?.stop();
});

/** Every item of a list endpoint, following `starting_after`. */
async function listAll(path) {
  const items = [];
  let after;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api(gateway.url, keys.secret, 'GET', `${path}${sep}limit=100${after ? `&starting_after=${after}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    items.push(...r.body.data);
    if (!r.body.has_more) return items;
    after = r.body.data.at(-1).id;
  }
}

test(`confirm storm: ${ATTEMPTS} confirms in bursts of ${BURST} across ${INTENTS} intents make exactly ${INTENTS} charges`, { timeout: 900_000 }, async (t) => {
  const intents = [];
  for (let i = 0; i < INTENTS; i += 1) {
    const r = await api(gateway.url, keys.secret, 'POST', '/v1/payment_intents', { amount: String(1000 + i), currency: 'usd', payment_method: 'pm_card_visa' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    intents.push(r.body.id);
  }
  const [chargesBefore, eventsBefore] = [await listAll('/v1/charges'), await listAll('/v1/events')];
  assert.equal(chargesBefore.length, 0);

  const outcomes = new Map(); // status/code -> count
  const successes = new Map(); // intent -> successful confirms
  const started = performance.now();
  for (let sent = 0; sent < ATTEMPTS; sent += BURST) {
    const size = Math.min(BURST, ATTEMPTS - sent);
    // Consecutive bursts walk the intents, so each burst sends several confirms to each intent it touches.
    const burst = Array.from({ length: size }, (_, k) => intents[Math.floor((sent + k) / 5) % INTENTS]);
    const results = await Promise.all(burst.map(async (id) => {
      const r = await api(gateway.url, keys.secret, 'POST', `/v1/payment_intents/${id}/confirm`, {});
      return { id, r };
    }));
    for (const { id, r } of results) {
      const key = r.status === 200 ? `200 ${r.body.status}` : `${r.status} ${r.body?.error?.code}`;
      outcomes.set(key, (outcomes.get(key) || 0) + 1);
      if (r.status === 200) successes.set(id, (successes.get(id) || 0) + 1);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`${ATTEMPTS} confirms (bursts of ${BURST}) over ${INTENTS} intents: ${seconds.toFixed(1)} s, ${(ATTEMPTS / seconds).toFixed(0)} requests/s`);
  t.diagnostic(`answers: ${[...outcomes].map(([k, n]) => `${k} ×${n}`).join(', ')}`);

  // Every attempt either confirmed the intent or was told it already had been.
  assert.deepEqual([...outcomes.keys()].sort(), ['200 succeeded', '400 payment_intent_unexpected_state'].sort());
  assert.equal(outcomes.get('200 succeeded'), INTENTS, 'one successful confirm per intent');
  assert.deepEqual([...successes.values()].filter((n) => n !== 1), []);

  // Counted through the API: one charge per intent, and no extra payment events.
  const charges = await listAll('/v1/charges');
  assert.equal(charges.length, INTENTS);
  assert.deepEqual(charges.map((c) => c.payment_intent).sort(), [...intents].sort());
  assert.ok(charges.every((c) => c.status === 'succeeded' && c.captured && c.amount_refunded === 0));
  for (const id of intents.slice(0, 5)) {
    const own = await api(gateway.url, keys.secret, 'GET', `/v1/charges?payment_intent=${id}&limit=100`);
    assert.equal(own.body.data.length, 1, id);
  }
  const events = (await listAll('/v1/events')).slice(0, -eventsBefore.length || undefined);
  const count = (type) => events.filter((e) => e.type === type).length;
  assert.equal(count('charge.succeeded'), INTENTS);
  assert.equal(count('payment_intent.succeeded'), INTENTS);
  assert.equal(events.length, 2 * INTENTS, `unexpected events: ${[...new Set(events.map((e) => e.type))]}`);
  for (const id of intents) {
    const r = await api(gateway.url, keys.secret, 'GET', `/v1/payment_intents/${id}`);
    assert.equal(r.body.status, 'succeeded');
    assert.equal(r.body.amount_received, r.body.amount);
  }
});

test('idempotency: 50 concurrent creates with one Idempotency-Key execute once', async () => {
  const key = `concurrent-${Date.now()}`;
  const before = await listAll('/v1/payment_intents');
  const results = await Promise.all(Array.from({ length: BURST }, () => api(gateway.url, keys.secret, 'POST', '/v1/payment_intents',
    { amount: '4242', currency: 'eur', payment_method: 'pm_card_visa', confirm: 'true' }, { 'Idempotency-Key': key })));
  assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
  const ids = new Set(results.map((r) => r.body.id));
  assert.equal(ids.size, 1, 'every answer is the same intent');
  assert.equal(new Set(results.map((r) => JSON.stringify(r.body))).size, 1, 'every answer is the same body');
  assert.equal(results.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, BURST - 1, 'all but the first are replays');
  const afterList = await listAll('/v1/payment_intents');
  assert.equal(afterList.length, before.length + 1, 'one intent created');
  const [id] = ids;
  const charges = await api(gateway.url, keys.secret, 'GET', `/v1/charges?payment_intent=${id}&limit=100`);
  assert.equal(charges.body.data.length, 1, 'one charge');

  // Concurrent confirms of one intent under one key: one execution too.
  const open = await api(gateway.url, keys.secret, 'POST', '/v1/payment_intents', { amount: '1500', currency: 'usd', payment_method: 'pm_card_visa' });
  const confirmKey = `confirm-${Date.now()}`;
  const confirms = await Promise.all(Array.from({ length: BURST }, () => api(gateway.url, keys.secret, 'POST',
    `/v1/payment_intents/${open.body.id}/confirm`, {}, { 'Idempotency-Key': confirmKey })));
  assert.deepEqual([...new Set(confirms.map((r) => r.status))], [200]);
  assert.equal(new Set(confirms.map((r) => JSON.stringify(r.body))).size, 1);
  const confirmCharges = await api(gateway.url, keys.secret, 'GET', `/v1/charges?payment_intent=${open.body.id}&limit=100`);
  assert.equal(confirmCharges.body.data.length, 1);
});
