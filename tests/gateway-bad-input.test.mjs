// Bad requests, as data: each row is one request and the exact Stripe-shaped error it must get
// (status, error.type, error.code, error.param). None may return 5xx, and none may change state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, devKeys } from './harness.mjs';
import { raw, recorded, validate } from './gateway-helpers.mjs';

let gateway, keys;
const fixtures = {};

before(async () => {
  gateway = await startGateway();
  keys = devKeys();
  const post = async (path, params) => {
    const r = await raw(gateway, keys.secret, 'POST', path, params);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  fixtures.open = await post('/v1/payment_intents', { amount: 1000, currency: 'usd' });
  fixtures.held = await post('/v1/payment_intents', { amount: 1000, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: 'true' });
  fixtures.paid = await post('/v1/payment_intents', { amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: 'true' });
  fixtures.ready = await post('/v1/payment_intents', { amount: 1000, currency: 'usd', payment_method: 'pm_card_visa' });
});

after(async () => {
  await gateway?.stop();
});

const SK = 'secret';
const PK = 'publishable';
const NONE = 'none';
const IR = 'invalid_request_error';
const CE = 'card_error';
const exp = { 'card[exp_month]': '12', 'card[exp_year]': String(new Date().getUTCFullYear() + 2) };
const card = (c) => ({ type: 'card', 'card[cvc]': '123', ...exp, ...c });
const pi = (name) => () => fixtures[name].id;
const sub = (s) => (typeof s === 'function' ? s() : s);

// [name, key, method, path, body (object: form; string: raw), headers, status, type, code, param]
// `path` may be a function (fixtures are created in before()); `param` null means "no param".
const ROWS = [
  // ----- missing, extra and mistyped parameters -----
  ['missing amount', SK, 'POST', '/v1/payment_intents', { currency: 'usd' }, {}, 400, IR, 'parameter_missing', 'amount'],
  ['missing currency', SK, 'POST', '/v1/payment_intents', { amount: '1000' }, {}, 400, IR, 'parameter_missing', 'currency'],
  ['empty amount', SK, 'POST', '/v1/payment_intents', { amount: '', currency: 'usd' }, {}, 400, IR, 'parameter_invalid_integer', 'amount'],
  ['unknown parameter', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd', colour: 'red' }, {}, 400, IR, 'parameter_unknown', 'colour'],
  ['unknown nested card parameter', SK, 'POST', '/v1/payment_methods', card({ 'card[pin]': '1234', 'card[number]': '4242424242424242' }), {}, 400, IR, 'parameter_unknown', 'card[pin]'],
  ['amount not an integer', SK, 'POST', '/v1/payment_intents', { amount: 'ten', currency: 'usd' }, {}, 400, IR, 'parameter_invalid_integer', 'amount'],
  ['amount with decimals', SK, 'POST', '/v1/payment_intents', { amount: '10.50', currency: 'usd' }, {}, 400, IR, 'parameter_invalid_integer', 'amount'],
  ['amount as a list', SK, 'POST', '/v1/payment_intents', 'amount[]=1000&currency=usd', {}, 400, IR, 'parameter_invalid', 'amount'],
  ['amount as an object (JSON)', SK, 'POST', '/v1/payment_intents', '{"amount":{"value":1000},"currency":"usd"}', { 'Content-Type': 'application/json' }, 400, IR, 'parameter_invalid', 'amount'],
  ['amount as a float (JSON)', SK, 'POST', '/v1/payment_intents', '{"amount":10.5,"currency":"usd"}', { 'Content-Type': 'application/json' }, 400, IR, 'parameter_invalid_integer', 'amount'],
  ['confirm not a boolean', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd', confirm: 'yes' }, {}, 400, IR, 'parameter_invalid_boolean', 'confirm'],
  ['capture_method not allowed', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd', capture_method: 'later' }, {}, 400, IR, 'parameter_invalid', 'capture_method'],
  ['payment_method_types not card', SK, 'POST', '/v1/payment_intents', 'amount=1000&currency=usd&payment_method_types[]=sepa_debit', {}, 400, IR, 'parameter_invalid', 'payment_method_types'],
  ['return_url not http(s)', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd', return_url: 'javascript:alert(1)' }, {}, 400, IR, 'parameter_invalid', 'return_url'],
  ['metadata as a plain string', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd', metadata: 'x' }, {}, 400, IR, 'parameter_invalid', 'metadata'],
  ['metadata value nested', SK, 'POST', '/v1/payment_intents', 'amount=1000&currency=usd&metadata[a][b]=1', {}, 400, IR, 'parameter_invalid', 'metadata[a]'],
  ['metadata key over 40 chars', SK, 'POST', '/v1/payment_intents', `amount=1000&currency=usd&metadata[${'k'.repeat(41)}]=1`, {}, 400, IR, 'parameter_invalid', 'metadata'],
  ['metadata value over 500 chars', SK, 'POST', '/v1/payment_intents', `amount=1000&currency=usd&metadata[k]=${'v'.repeat(501)}`, {}, 400, IR, 'parameter_invalid', 'metadata[k]'],
  ['expand of an unknown field', SK, 'GET', () => `/v1/payment_intents/${pi('open')()}?expand[]=customer`, undefined, {}, 400, IR, 'parameter_invalid', 'expand'],
  ['expand on confirm is checked before charging', SK, 'POST', () => `/v1/payment_intents/${pi('ready')()}/confirm`, 'expand[]=invoice', {}, 400, IR, 'parameter_invalid', 'expand'],
  ['cancellation_reason not allowed', SK, 'POST', () => `/v1/payment_intents/${pi('open')()}/cancel`, { cancellation_reason: 'bored' }, {}, 400, IR, 'parameter_invalid', 'cancellation_reason'],
  ['refund reason not allowed', SK, 'POST', '/v1/refunds', { payment_intent: 'pi_whatever1234', reason: 'because' }, {}, 400, IR, 'parameter_invalid', 'reason'],
  ['refund with charge and payment_intent', SK, 'POST', '/v1/refunds', { payment_intent: 'pi_a1234567', charge: 'ch_a1234567' }, {}, 400, IR, 'parameter_invalid', 'charge'],
  ['refund with neither charge nor payment_intent', SK, 'POST', '/v1/refunds', {}, {}, 400, IR, 'parameter_missing', 'payment_intent'],
  ['payment method without type', SK, 'POST', '/v1/payment_methods', { 'card[number]': '4242424242424242', ...exp }, {}, 400, IR, 'parameter_missing', 'type'],
  ['payment method of another type', SK, 'POST', '/v1/payment_methods', { type: 'sepa_debit' }, {}, 400, IR, 'parameter_invalid', 'type'],
  ['payment method without card', SK, 'POST', '/v1/payment_methods', { type: 'card' }, {}, 400, IR, 'parameter_missing', 'card'],
  ['card without number', SK, 'POST', '/v1/payment_methods', card({}), {}, 400, IR, 'parameter_missing', 'card[number]'],
  ['card number with letters', PK, 'POST', '/v1/payment_methods', card({ 'card[number]': '4242abcd42424242' }), {}, 402, CE, 'incorrect_number', 'card[number]'],
  ['card number fails Luhn', PK, 'POST', '/v1/payment_methods', card({ 'card[number]': '4242424242424241' }), {}, 402, CE, 'incorrect_number', 'card[number]'],
  ['expiry month 13', PK, 'POST', '/v1/payment_methods', card({ 'card[number]': '4242424242424242', 'card[exp_month]': '13' }), {}, 402, CE, 'invalid_expiry_month', 'card[exp_month]'],
  ['expiry in the past', PK, 'POST', '/v1/payment_methods', card({ 'card[number]': '4242424242424242', 'card[exp_year]': '2020' }), {}, 402, CE, 'invalid_expiry_year', 'card[exp_year]'],
  ['CVC too short', PK, 'POST', '/v1/payment_methods', card({ 'card[number]': '4242424242424242', 'card[cvc]': '12' }), {}, 402, CE, 'invalid_cvc', 'card[cvc]'],
  ['list limit 0', SK, 'GET', '/v1/payment_intents?limit=0', undefined, {}, 400, IR, 'parameter_invalid_integer', 'limit'],
  ['list limit 101', SK, 'GET', '/v1/charges?limit=101', undefined, {}, 400, IR, 'parameter_invalid_integer', 'limit'],
  ['list limit not a number', SK, 'GET', '/v1/refunds?limit=ten', undefined, {}, 400, IR, 'parameter_invalid_integer', 'limit'],
  ['list with both cursors', SK, 'GET', '/v1/payment_intents?starting_after=pi_a&ending_before=pi_b', undefined, {}, 400, IR, 'parameter_invalid', 'ending_before'],
  ['list created with unknown operator', SK, 'GET', '/v1/payment_intents?created[since]=5', undefined, {}, 400, IR, 'parameter_unknown', 'created[since]'],
  ['list created not an integer', SK, 'GET', '/v1/payment_intents?created[gte]=yesterday', undefined, {}, 400, IR, 'parameter_invalid_integer', 'created[gte]'],
  ['list with unknown filter', SK, 'GET', '/v1/payment_intents?customer=cus_1', undefined, {}, 400, IR, 'parameter_unknown', 'customer'],
  // ----- amounts -----
  ['negative amount', SK, 'POST', '/v1/payment_intents', { amount: '-100', currency: 'usd' }, {}, 400, IR, 'parameter_invalid_integer', 'amount'],
  ['zero amount', SK, 'POST', '/v1/payment_intents', { amount: '0', currency: 'usd' }, {}, 400, IR, 'parameter_invalid_integer', 'amount'],
  ['amount overflowing 64 bits', SK, 'POST', '/v1/payment_intents', { amount: '99999999999999999999999', currency: 'usd' }, {}, 400, IR, 'parameter_invalid_integer', 'amount'],
  ['amount over the maximum', SK, 'POST', '/v1/payment_intents', { amount: '100000000', currency: 'usd' }, {}, 400, IR, 'amount_too_large', 'amount'],
  ['amount under the minimum', SK, 'POST', '/v1/payment_intents', { amount: '49', currency: 'usd' }, {}, 400, IR, 'amount_too_small', 'amount'],
  ['amount under the JPY minimum', SK, 'POST', '/v1/payment_intents', { amount: '49', currency: 'jpy' }, {}, 400, IR, 'amount_too_small', 'amount'],
  ['update to a negative amount', SK, 'POST', () => `/v1/payment_intents/${pi('open')()}`, { amount: '-1' }, {}, 400, IR, 'parameter_invalid_integer', 'amount'],
  ['capture more than authorized', SK, 'POST', () => `/v1/payment_intents/${pi('held')()}/capture`, { amount_to_capture: '1001' }, {}, 400, IR, 'amount_too_large', 'amount_to_capture'],
  ['capture amount not an integer', SK, 'POST', () => `/v1/payment_intents/${pi('held')()}/capture`, { amount_to_capture: '5.5' }, {}, 400, IR, 'parameter_invalid_integer', 'amount_to_capture'],
  ['refund more than paid', SK, 'POST', '/v1/refunds', () => ({ payment_intent: pi('paid')(), amount: '1001' }), {}, 400, IR, 'amount_too_large', 'amount'],
  ['refund a negative amount', SK, 'POST', '/v1/refunds', () => ({ payment_intent: pi('paid')(), amount: '-5' }), {}, 400, IR, 'parameter_invalid_integer', 'amount'],
  ['refund an uncaptured payment', SK, 'POST', '/v1/refunds', () => ({ payment_intent: pi('held')() }), {}, 400, IR, 'charge_not_refundable', 'payment_intent'],
  // ----- currencies -----
  ['unknown currency', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'xyz' }, {}, 400, IR, 'parameter_invalid', 'currency'],
  ['currency of two letters', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'us' }, {}, 400, IR, 'parameter_invalid', 'currency'],
  ['currency as a number', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: '840' }, {}, 400, IR, 'parameter_invalid', 'currency'],
  ['update to an unknown currency', SK, 'POST', () => `/v1/payment_intents/${pi('open')()}`, { currency: 'btc' }, {}, 400, IR, 'parameter_invalid', 'currency'],
  // ----- ids: malformed and unknown -----
  ['unknown payment intent', SK, 'GET', '/v1/payment_intents/pi_3NoSuchIntent000000000', undefined, {}, 404, IR, 'resource_missing', 'intent'],
  ['malformed payment intent id', SK, 'GET', '/v1/payment_intents/not-an-id', undefined, {}, 404, IR, 'resource_missing', 'intent'],
  ['confirm an unknown intent', SK, 'POST', '/v1/payment_intents/pi_3NoSuchIntent000000000/confirm', {}, {}, 404, IR, 'resource_missing', 'intent'],
  ['capture an unknown intent', SK, 'POST', '/v1/payment_intents/pi_nope/capture', {}, {}, 404, IR, 'resource_missing', 'intent'],
  ['unknown charge', SK, 'GET', '/v1/charges/ch_3NoSuchCharge000000000', undefined, {}, 404, IR, 'resource_missing', 'id'],
  ['malformed charge id', SK, 'GET', '/v1/charges/pi_wrongprefix', undefined, {}, 404, IR, 'resource_missing', 'id'],
  ['unknown refund', SK, 'GET', '/v1/refunds/re_3NoSuchRefund000000000', undefined, {}, 404, IR, 'resource_missing', 'id'],
  ['unknown payment method', SK, 'GET', '/v1/payment_methods/pm_1NoSuchMethod00000000', undefined, {}, 404, IR, 'resource_missing', 'payment_method'],
  ['unknown event', SK, 'GET', '/v1/events/evt_1NoSuchEvent000000000', undefined, {}, 404, IR, 'resource_missing', 'id'],
  ['confirm with an unknown payment method', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd', payment_method: 'pm_1NoSuchMethod00000000' }, {}, 404, IR, 'resource_missing', 'payment_method'],
  ['payment method id malformed', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd', payment_method: '4242424242424242' }, {}, 404, IR, 'resource_missing', 'payment_method'],
  ['refund an unknown charge', SK, 'POST', '/v1/refunds', { charge: 'ch_3NoSuchCharge000000000' }, {}, 404, IR, 'resource_missing', 'charge'],
  ['refund an unknown intent', SK, 'POST', '/v1/refunds', { payment_intent: 'pi_3NoSuchIntent000000000' }, {}, 404, IR, 'resource_missing', 'payment_intent'],
  ['list after an unknown cursor', SK, 'GET', '/v1/charges?starting_after=ch_nope', undefined, {}, 404, IR, 'resource_missing', 'starting_after'],
  ['challenge page of an unknown intent', NONE, 'GET', '/challenge/pi_3NoSuchIntent000000000?client_secret=x', undefined, {}, 404, IR, 'resource_missing', 'intent'],
  ['unknown endpoint', SK, 'GET', '/v1/customers', undefined, {}, 404, IR, 'resource_missing', null],
  ['unsupported method', SK, 'PUT', '/v1/payment_intents', 'amount=1', {}, 405, IR, 'method_not_allowed', null],
  // ----- state -----
  ['confirm a paid intent', SK, 'POST', () => `/v1/payment_intents/${pi('paid')()}/confirm`, {}, {}, 400, IR, 'payment_intent_unexpected_state', null],
  ['capture an automatic intent', SK, 'POST', () => `/v1/payment_intents/${pi('paid')()}/capture`, {}, {}, 400, IR, 'payment_intent_unexpected_state', null],
  ['create with confirm=true and no payment method', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd', confirm: 'true' }, {}, 400, IR, 'payment_intent_unexpected_state', 'payment_method'],
  ['create with confirm=true and an unknown payment method', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd', confirm: 'true', payment_method: 'pm_1NoSuchMethod00000000' }, {}, 404, IR, 'resource_missing', 'payment_method'],
  ['payment_method_data with an incorrect number', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd', confirm: 'true', 'payment_method_data[type]': 'card', 'payment_method_data[card][number]': '4000000000000001', 'payment_method_data[card][exp_month]': '12', 'payment_method_data[card][exp_year]': '2040' }, {}, 402, CE, 'incorrect_number', 'payment_method_data[card][number]'],
  ['payment_method_data without card', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd', 'payment_method_data[type]': 'card' }, {}, 400, IR, 'parameter_missing', 'payment_method_data[card]'],
  ['capture zero', SK, 'POST', () => `/v1/payment_intents/${pi('held')()}/capture`, { amount_to_capture: '0' }, {}, 400, IR, 'parameter_invalid_integer', 'amount_to_capture'],
  ['confirm without a payment method', SK, 'POST', () => `/v1/payment_intents/${pi('open')()}/confirm`, {}, {}, 400, IR, 'payment_intent_unexpected_state', 'payment_method'],
  // ----- keys -----
  ['no key', NONE, 'GET', '/v1/payment_intents', undefined, {}, 401, IR, 'api_key_missing', null],
  ['wrong secret key', 'sk_test_0000000000000000000000000000', 'GET', '/v1/payment_intents', undefined, {}, 401, IR, 'api_key_invalid', null],
  ['Basic auth with garbage', NONE, 'GET', '/v1/payment_intents', undefined, { Authorization: 'Basic !!!notbase64' }, 401, IR, 'api_key_missing', null],
  ['unknown auth scheme', NONE, 'GET', '/v1/payment_intents', undefined, { Authorization: 'Token abc' }, 401, IR, 'api_key_missing', null],
  ['publishable key creating an intent', PK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd' }, {}, 403, IR, 'secret_key_required', null],
  ['publishable key listing charges', PK, 'GET', '/v1/charges', undefined, {}, 403, IR, 'secret_key_required', null],
  ['publishable key capturing', PK, 'POST', () => `/v1/payment_intents/${pi('held')()}/capture`, {}, {}, 403, IR, 'secret_key_required', null],
  ['publishable key refunding', PK, 'POST', '/v1/refunds', () => ({ payment_intent: pi('paid')() }), {}, 403, IR, 'secret_key_required', null],
  ['publishable key retrieving without client_secret', PK, 'GET', () => `/v1/payment_intents/${pi('open')()}`, undefined, {}, 400, IR, 'parameter_missing', 'client_secret'],
  ['publishable key with a wrong client_secret', PK, 'POST', () => `/v1/payment_intents/${pi('ready')()}/confirm`, () => ({ client_secret: `${pi('ready')()}_secret_wrong` }), {}, 400, IR, 'parameter_invalid', 'client_secret'],
  ['publishable key setting capture_method on confirm', PK, 'POST', () => `/v1/payment_intents/${pi('ready')()}/confirm`, () => ({ client_secret: fixtures.ready.client_secret, capture_method: 'manual' }), {}, 400, IR, 'parameter_unknown', 'capture_method'],
  // ----- bodies and encodings -----
  ['body over 1 MB', SK, 'POST', '/v1/payment_intents', `amount=1000&currency=usd&description=${'x'.repeat(1024 * 1024)}`, {}, 413, IR, 'request_too_large', null],
  ['broken percent-encoding', SK, 'POST', '/v1/payment_intents', 'amount=1000&currency=us%ZZ', {}, 400, IR, 'parameter_invalid', null],
  ['truncated percent-encoding', SK, 'POST', '/v1/payment_intents', 'amount=1000&currency=usd%2', {}, 400, IR, 'parameter_invalid', null],
  ['percent-encoded invalid UTF-8', SK, 'POST', '/v1/payment_intents', 'amount=1000&currency=usd&description=%FF%FE', {}, 400, IR, 'parameter_invalid', null],
  ['unbalanced brackets', SK, 'POST', '/v1/payment_intents', 'amount=1000&currency=usd&metadata[a=1', {}, 400, IR, 'parameter_invalid', null],
  ['stray closing bracket', SK, 'POST', '/v1/payment_intents', 'amount=1000&currency=usd&metadata]=1', {}, 400, IR, 'parameter_invalid', null],
  ['deeply nested brackets', SK, 'POST', '/v1/payment_intents', 'amount=1000&currency=usd&metadata[a][b][c][d][e][f][g]=1', {}, 400, IR, 'parameter_invalid', null],
  ['conflicting scalar and object', SK, 'POST', '/v1/payment_intents', 'amount=1000&currency=usd&metadata=1&metadata[a]=2', {}, 400, IR, 'parameter_invalid', null],
  ['over 1000 parameters', SK, 'POST', '/v1/payment_intents', Array.from({ length: 1001 }, (_, i) => `p${i}=1`).join('&'), {}, 400, IR, 'parameter_invalid', null],
  ['wrong content type', SK, 'POST', '/v1/payment_intents', 'amount=1000&currency=usd', { 'Content-Type': 'text/plain' }, 415, IR, 'invalid_content_type', null],
  ['XML body', SK, 'POST', '/v1/payment_intents', '<amount>1000</amount>', { 'Content-Type': 'application/xml' }, 415, IR, 'invalid_content_type', null],
  ['broken JSON', SK, 'POST', '/v1/payment_intents', '{"amount": 1000,', { 'Content-Type': 'application/json' }, 400, IR, 'parameter_invalid', null],
  ['JSON array body', SK, 'POST', '/v1/payment_intents', '[1000, "usd"]', { 'Content-Type': 'application/json' }, 400, IR, 'parameter_invalid', null],
  ['deeply nested JSON', SK, 'POST', '/v1/payment_intents', `{"metadata":${'{"a":'.repeat(20)}1${'}'.repeat(20)}}`, { 'Content-Type': 'application/json' }, 400, IR, 'parameter_invalid', null],
  ['malformed Stripe-Version', SK, 'GET', '/v1/payment_intents', undefined, { 'Stripe-Version': '2019-2-19' }, 400, IR, null, null],
  ['idempotency key over 255 chars', SK, 'POST', '/v1/payment_intents', { amount: '1000', currency: 'usd' }, { 'Idempotency-Key': 'k'.repeat(256) }, 400, IR, 'idempotency_key_too_long', null],
];

test(`the table has at least 40 rows (${ROWS.length})`, () => {
  assert.ok(ROWS.length >= 40);
  assert.equal(new Set(ROWS.map((r) => r[0])).size, ROWS.length, 'row names are unique');
});

for (const [name, who, method, path, body, headers, status, type, code, param] of ROWS) {
  test(`bad input: ${name} → ${status} ${code}${param ? ` (${param})` : ''}`, async () => {
    const key = who === SK ? keys.secret : who === PK ? keys.publishable : who === NONE ? null : who;
    const res = await raw(gateway, key, method, sub(path), sub(body), headers);
    const shown = JSON.stringify(res.body).slice(0, 400);
    assert.ok(res.status < 500, `never a server error: ${res.status} ${shown}`);
    assert.equal(res.status, status, shown);
    assert.equal(typeof res.body, 'object', shown);
    assert.deepEqual(Object.keys(res.body), ['error'], shown);
    assert.equal(res.body.error.type, type, shown);
    assert.equal(res.body.error.code ?? null, code, shown);
    assert.equal(res.body.error.param ?? null, param, shown);
    assert.equal(typeof res.body.error.message, 'string');
    assert.ok(res.body.error.message.length > 0);
    assert.match(res.headers.get('request-id') || '', /^req_/);
  });
}

test('nothing above changed state: no intent was charged or created by a bad request', async () => {
  const charges = await raw(gateway, keys.secret, 'GET', '/v1/charges?limit=100');
  assert.equal(charges.status, 200);
  // The fixtures made exactly two successful charges (held and paid); no bad request added one.
  assert.deepEqual(charges.body.data.map((c) => c.payment_intent).sort(), [fixtures.held.id, fixtures.paid.id].sort());
  const ready = await raw(gateway, keys.secret, 'GET', `/v1/payment_intents/${fixtures.ready.id}`);
  assert.equal(ready.body.status, 'requires_confirmation');
  const intents = await raw(gateway, keys.secret, 'GET', '/v1/payment_intents?limit=100');
  assert.equal(intents.body.data.length, 4, intents.body.data.map((p) => `${p.id} ${p.amount} ${p.status}`).join('\n'));
});

test('every error above matches the OpenAPI Error schema', async () => {
  const doc = await (await fetch(`${gateway.url}/v1/openapi.json`)).json();
  const errors = recorded.filter((r) => r.status >= 400);
  assert.ok(errors.length >= ROWS.length - 5, `${errors.length} errors recorded`);
  const problems = errors.flatMap((r) => validate(doc, { $ref: '#/components/schemas/Error' }, r.body).map((p) => `${r.method} ${r.path} ${r.status}: ${p}`));
  assert.deepEqual(problems, []);
});

test('the OpenAPI request bodies match what the server accepts: every declared parameter is known, an undeclared one is not', async () => {
  const doc = await (await fetch(`${gateway.url}/v1/openapi.json`)).json();
  const ops = Object.entries(doc.paths)
    .filter(([path, item]) => path.startsWith('/v1/') && item.post?.requestBody)
    .map(([path, item]) => [path.replace('{intent}', fixtures.open.id), item.post.requestBody.content['application/x-www-form-urlencoded'].schema]);
  assert.ok(ops.length >= 7, `${ops.length} operations with bodies`);
  const problems = [];
  for (const [path, schema] of ops) {
    for (const name of Object.keys(schema.properties)) {
      const r = await raw(gateway, keys.secret, 'POST', path, { [name]: 'x' });
      if (r.status >= 500 || r.body?.error?.code === 'parameter_unknown') problems.push(`${path} ${name}: ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
    }
    const extra = await raw(gateway, keys.secret, 'POST', path, { zz_undeclared: '1' });
    if (extra.body?.error?.code !== 'parameter_unknown') problems.push(`${path} accepts an undeclared parameter: ${extra.status}`);
  }
  assert.deepEqual(problems, []);
});
