// The gateway as a Stripe-compatible API, driven by the real `stripe` npm client against workerd:
// keys, wire format, the payment-intent lifecycle (automatic and manual capture), every sandbox
// outcome, 3-D Secure through the challenge page, refunds, pagination, idempotency, a race of
// concurrent confirms, and every JSON response checked against the served OpenAPI document.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, devKeys } from './harness.mjs';
import { stripeClient, plain, rejection, raw, recorded, validate, responseSchema, pathTemplate } from './gateway-helpers.mjs';

let gateway, stripe, browser, keys;

before(async () => {
  gateway = await startGateway();
  keys = devKeys();
  stripe = stripeClient(keys.secret, gateway);
  browser = stripeClient(keys.publishable, gateway); // a publishable-key client, as in a browser
});

after(async () => {
  await gateway?.stop();
});

const future = { exp_month: 12, exp_year: new Date().getUTCFullYear() + 3 };

async function chargesOf(pi) {
  return (await stripe.charges.list({ payment_intent: pi, limit: 100 })).data;
}

// ----- keys and wire format -----

test('keys: Bearer and Basic secret keys work; bad, missing and publishable keys are refused Stripe-style', async () => {
  const bearer = await raw(gateway, keys.secret, 'GET', '/v1/payment_intents?limit=1');
  assert.equal(bearer.status, 200);
  const basic = await raw(gateway, null, 'GET', '/v1/payment_intents?limit=1', undefined, {
    Authorization: `Basic ${Buffer.from(`${keys.secret}:`).toString('base64')}`,
  });
  assert.equal(basic.status, 200);
  const lower = await raw(gateway, null, 'GET', '/v1/payment_intents?limit=1', undefined, { Authorization: `bearer ${keys.secret}` });
  assert.equal(lower.status, 200, 'the scheme is case-insensitive');

  const wrong = await rejection(stripeClient('sk_test_thisisnotthekey1234wrong', gateway).paymentIntents.list());
  assert.equal(wrong.statusCode, 401);
  assert.equal(wrong.type, 'StripeAuthenticationError');
  assert.equal(wrong.code, 'api_key_invalid');
  assert.equal(wrong.message, 'Invalid API Key provided: sk_test_****rong');

  const missing = await raw(gateway, null, 'GET', '/v1/payment_intents');
  assert.equal(missing.status, 401);
  assert.equal(missing.body.error.code, 'api_key_missing');

  // A publishable key may not use server endpoints.
  for (const call of [
    () => browser.paymentIntents.create({ amount: 1000, currency: 'usd' }),
    () => browser.paymentIntents.list(),
    () => browser.charges.list(),
    () => browser.refunds.list(),
    () => browser.events.list(),
  ]) {
    const e = await rejection(call());
    assert.ok([401, 403].includes(e.statusCode), `${e.statusCode}`);
    assert.equal(e.raw.type, 'invalid_request_error');
    assert.equal(e.code, 'secret_key_required');
  }
});

test('wire: Request-Id and Stripe-Version on every response, JSON bodies accepted, lower-case currency', async () => {
  const ok = await raw(gateway, keys.secret, 'POST', '/v1/payment_intents',
    { amount: 1234, currency: 'EUR', metadata: { order: 'A-1' } }, { 'Stripe-Version': '2024-06-20' }, { json: true });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.currency, 'eur');
  assert.equal(ok.body.object, 'payment_intent');
  assert.equal(ok.body.livemode, false);
  assert.deepEqual(ok.body.metadata, { order: 'A-1' });
  assert.equal(typeof ok.body.created, 'number');
  assert.equal(ok.headers.get('stripe-version'), '2024-06-20');
  assert.match(ok.headers.get('request-id'), /^req_[A-Za-z0-9]{8,}$/);

  const plainReq = await raw(gateway, keys.secret, 'GET', `/v1/payment_intents/${ok.body.id}`);
  assert.equal(plainReq.headers.get('stripe-version'), '2025-09-30.clover');
  assert.notEqual(plainReq.headers.get('request-id'), ok.headers.get('request-id'));
  for (const res of [
    await raw(gateway, null, 'GET', '/v1/charges'),
    await raw(gateway, keys.secret, 'GET', '/v1/nope'),
    await raw(gateway, keys.secret, 'GET', '/v1/payment_intents/pi_doesnotexist'),
    await raw(gateway, null, 'GET', '/v1/openapi.json'),
  ]) {
    assert.match(res.headers.get('request-id') || '', /^req_/);
    assert.ok(res.headers.get('stripe-version'));
  }
});

// ----- payment methods -----

test('payment methods: card details without number or CVC; the fingerprint is per card', async () => {
  const a = await browser.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', cvc: '123', ...future } });
  const b = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242 4242 4242 4242', ...future } });
  const c = await browser.paymentMethods.create({ type: 'card', card: { number: '5555555555554444', cvc: '123', ...future } });
  assert.match(a.id, /^pm_/);
  assert.equal(a.object, 'payment_method');
  assert.equal(a.type, 'card');
  assert.equal(a.card.brand, 'visa');
  assert.equal(a.card.last4, '4242');
  assert.equal(a.card.exp_month, 12);
  assert.equal(a.card.exp_year, future.exp_year);
  assert.equal(a.card.funding, 'credit');
  assert.equal(a.card.country, 'US');
  assert.equal(a.card.fingerprint, b.card.fingerprint, 'same card, same fingerprint');
  assert.notEqual(a.card.fingerprint, c.card.fingerprint);
  assert.equal(c.card.brand, 'mastercard');
  const text = JSON.stringify(plain(a));
  assert.ok(!text.includes('4242424242424242') && !text.includes('"cvc"'), text);
  const again = await stripe.paymentMethods.retrieve(a.id);
  assert.deepEqual(plain(again), plain(a));
  // Retrieving a payment method is a server call.
  assert.equal((await rejection(browser.paymentMethods.retrieve(a.id))).code, 'secret_key_required');
  // Stripe's documented test ids are accepted in test mode.
  const pi = await stripe.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: 'pm_card_amex', confirm: true, expand: ['payment_method'] });
  assert.equal(pi.status, 'succeeded');
  assert.equal(pi.payment_method.card.brand, 'amex');
  assert.equal(pi.payment_method.card.last4, '0005');
});

// ----- lifecycle -----

test('automatic capture: create → attach → confirm with the publishable key and client_secret → succeeded', async () => {
  const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', metadata: { order_id: '42' }, description: 'Order 42' });
  assert.equal(pi.status, 'requires_payment_method');
  assert.match(pi.client_secret, new RegExp(`^${pi.id}_secret_`));
  assert.equal(pi.amount_received, 0);
  assert.equal(pi.latest_charge, null);
  assert.equal(pi.capture_method, 'automatic');

  // The publishable key sees the intent only with its client secret.
  const seen = await browser.paymentIntents.retrieve(pi.id, { client_secret: pi.client_secret });
  assert.equal(seen.id, pi.id);
  assert.equal((await rejection(browser.paymentIntents.retrieve(pi.id))).code, 'parameter_missing');
  const wrongSecret = await rejection(browser.paymentIntents.retrieve(pi.id, { client_secret: `${pi.id}_secret_nope` }));
  assert.equal(wrongSecret.statusCode, 400);
  // …and may not update it.
  assert.equal((await rejection(browser.paymentIntents.update(pi.id, { amount: 1 }))).code, 'secret_key_required');

  const updated = await stripe.paymentIntents.update(pi.id, { amount: 2500, metadata: { note: 'x' } });
  assert.equal(updated.amount, 2500);
  assert.deepEqual(updated.metadata, { order_id: '42', note: 'x' });

  const pm = await browser.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', cvc: '314', ...future } });
  const confirmed = await browser.paymentIntents.confirm(pi.id, { client_secret: pi.client_secret, payment_method: pm.id });
  assert.equal(confirmed.status, 'succeeded');
  assert.equal(confirmed.amount_received, 2500);
  assert.equal(confirmed.amount_capturable, 0);
  assert.equal(confirmed.payment_method, pm.id);
  assert.match(confirmed.latest_charge, /^ch_/);
  assert.equal(confirmed.last_payment_error, null);
  assert.equal(confirmed.next_action, null);

  const full = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge', 'payment_method'] });
  assert.equal(full.latest_charge.id, confirmed.latest_charge);
  assert.equal(full.latest_charge.amount, 2500);
  assert.equal(full.latest_charge.amount_captured, 2500);
  assert.equal(full.latest_charge.captured, true);
  assert.equal(full.latest_charge.paid, true);
  assert.equal(full.latest_charge.payment_method_details.card.checks.cvc_check, 'pass');
  assert.equal(full.payment_method.id, pm.id);
  assert.equal(full.payment_method.card.last4, '4242');

  const charge = await stripe.charges.retrieve(confirmed.latest_charge);
  assert.equal(charge.payment_intent, pi.id);
  assert.equal(charge.status, 'succeeded');
  assert.equal((await chargesOf(pi.id)).length, 1);

  // Terminal: no second confirm, no cancel, no capture; the error names the current status.
  for (const call of [
    () => stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' }),
    () => stripe.paymentIntents.cancel(pi.id),
    () => stripe.paymentIntents.capture(pi.id),
    () => stripe.paymentIntents.update(pi.id, { amount: 3000 }),
  ]) {
    const e = await rejection(call());
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, 'payment_intent_unexpected_state');
    assert.match(e.message, /status of succeeded/);
  }
  // The CVC had its one use: a second attempt with the same method has no CVC check.
  const pi2 = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: pm.id, confirm: true, expand: ['latest_charge'] });
  assert.equal(pi2.status, 'succeeded');
  assert.equal(pi2.latest_charge.payment_method_details.card.checks.cvc_check, null);
});

test('manual capture: requires_capture, partial capture, no refund before capture', async () => {
  const pi = await stripe.paymentIntents.create({
    amount: 10000, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true,
  });
  assert.equal(pi.status, 'requires_capture');
  assert.equal(pi.amount_capturable, 10000);
  assert.equal(pi.amount_received, 0);
  const held = await stripe.charges.retrieve(pi.latest_charge);
  assert.equal(held.captured, false);
  assert.equal(held.amount_captured, 0);

  const early = await rejection(stripe.refunds.create({ payment_intent: pi.id }));
  assert.equal(early.statusCode, 400);
  assert.equal(early.raw.type, 'invalid_request_error');
  assert.equal(early.code, 'charge_not_refundable');

  const tooMuch = await rejection(stripe.paymentIntents.capture(pi.id, { amount_to_capture: 10001 }));
  assert.equal(tooMuch.statusCode, 400);
  assert.equal(tooMuch.param, 'amount_to_capture');

  const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 6000 });
  assert.equal(captured.status, 'succeeded');
  assert.equal(captured.amount_received, 6000);
  assert.equal(captured.amount_capturable, 0);
  const charge = await stripe.charges.retrieve(pi.latest_charge);
  assert.equal(charge.captured, true);
  assert.equal(charge.amount_captured, 6000);

  const twice = await rejection(stripe.paymentIntents.capture(pi.id));
  assert.equal(twice.code, 'payment_intent_unexpected_state');
  assert.match(twice.message, /status of succeeded/);

  // Refunds are limited to what was captured.
  const over = await rejection(stripe.refunds.create({ payment_intent: pi.id, amount: 6001 }));
  assert.equal(over.code, 'amount_too_large');
  const refund = await stripe.refunds.create({ payment_intent: pi.id });
  assert.equal(refund.amount, 6000);

  // A held authorization can also be cancelled, releasing it.
  const hold = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
  const released = await stripe.paymentIntents.cancel(hold.id, { cancellation_reason: 'requested_by_customer' });
  assert.equal(released.status, 'canceled');
  assert.equal(released.amount_capturable, 0);
  assert.equal(released.cancellation_reason, 'requested_by_customer');
  assert.equal(typeof released.canceled_at, 'number');
  const releasedCharge = await stripe.charges.retrieve(hold.latest_charge);
  assert.equal(releasedCharge.captured, false);
  assert.equal(releasedCharge.refunded, true, 'the released authorization shows as refunded');
  assert.equal(releasedCharge.amount_refunded, 3000);
  assert.equal((await rejection(stripe.refunds.create({ payment_intent: hold.id }))).code, 'charge_not_refundable');
  const afterCancel = await rejection(stripe.paymentIntents.capture(hold.id));
  assert.equal(afterCancel.code, 'payment_intent_unexpected_state');
  assert.match(afterCancel.message, /status of canceled/);
});

test('cancel before payment; confirm after cancel is an unexpected-state error', async () => {
  const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'gbp' });
  const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'abandoned' });
  assert.equal(canceled.status, 'canceled');
  const e = await rejection(stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' }));
  assert.equal(e.statusCode, 400);
  assert.equal(e.code, 'payment_intent_unexpected_state');
  assert.match(e.message, /status of canceled/);
  assert.equal((await chargesOf(pi.id)).length, 0);
  const missingPm = await stripe.paymentIntents.create({ amount: 1500, currency: 'gbp' });
  const noPm = await rejection(stripe.paymentIntents.confirm(missingPm.id));
  assert.equal(noPm.code, 'payment_intent_unexpected_state');
  assert.equal(noPm.param, 'payment_method');
});

test('money: zero-decimal and three-decimal currencies, minimums and maximum', async () => {
  const jpy = await stripe.paymentIntents.create({ amount: 50, currency: 'jpy', payment_method: 'pm_card_visa', confirm: true });
  assert.equal(jpy.amount_received, 50);
  const krw = await stripe.paymentIntents.create({ amount: 700, currency: 'KRW' });
  assert.equal(krw.currency, 'krw');
  const kwd = await stripe.paymentIntents.create({ amount: 1234, currency: 'kwd' });
  assert.equal(kwd.amount, 1234);
  const small = await rejection(stripe.paymentIntents.create({ amount: 49, currency: 'usd' }));
  assert.equal(small.code, 'amount_too_small');
  assert.equal(small.param, 'amount');
  assert.match(small.message, /0\.50 usd/);
  const kwdSmall = await rejection(stripe.paymentIntents.create({ amount: 199, currency: 'bhd' }));
  assert.match(kwdSmall.message, /0\.200 bhd/);
  const big = await rejection(stripe.paymentIntents.create({ amount: 100000000, currency: 'usd' }));
  assert.equal(big.code, 'amount_too_large');
});

// ----- declines -----

const DECLINES = [
  // [test PaymentMethod id, card number, code, decline_code, message]
  ['pm_card_chargeDeclined', '4000000000000002', 'card_declined', 'generic_decline', 'Your card was declined.'],
  ['pm_card_chargeDeclinedInsufficientFunds', '4000000000009995', 'card_declined', 'insufficient_funds', 'Your card has insufficient funds.'],
  ['pm_card_chargeDeclinedLostCard', '4000000000009987', 'card_declined', 'lost_card', 'Your card was declined.'],
  ['pm_card_chargeDeclinedStolenCard', '4000000000009979', 'card_declined', 'stolen_card', 'Your card was declined.'],
  ['pm_card_chargeDeclinedExpiredCard', '4000000000000069', 'expired_card', undefined, 'Your card has expired.'],
  ['pm_card_chargeDeclinedIncorrectCvc', '4000000000000127', 'incorrect_cvc', undefined, "Your card's security code is incorrect."],
  ['pm_card_chargeDeclinedProcessingError', '4000000000000119', 'processing_error', undefined, 'An error occurred while processing your card. Try again in a little bit.'],
];

for (const [testId, number, code, declineCode, message] of DECLINES) {
  test(`decline: ${number} (${testId}) → ${code}${declineCode ? `/${declineCode}` : ''}`, async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const pm = await browser.paymentMethods.create({ type: 'card', card: { number, cvc: '123', ...future } });
    const e = await rejection(browser.paymentIntents.confirm(pi.id, { client_secret: pi.client_secret, payment_method: pm.id }));
    assert.equal(e.statusCode, 402);
    assert.equal(e.type, 'StripeCardError');
    assert.equal(e.code, code);
    assert.equal(e.raw.decline_code, declineCode);
    assert.equal(e.message, message);
    assert.equal(e.raw.payment_intent.status, 'requires_payment_method');
    assert.equal(e.raw.payment_intent.last_payment_error.code, code);
    assert.match(e.raw.charge, /^ch_/);

    const after = await stripe.paymentIntents.retrieve(pi.id);
    assert.equal(after.status, 'requires_payment_method');
    assert.equal(after.payment_method, null, 'the failed method is detached');
    assert.equal(after.last_payment_error.code, code);
    assert.equal(after.last_payment_error.decline_code, declineCode);
    assert.equal(after.amount_received, 0);
    const [failed] = await chargesOf(pi.id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.paid, false);
    assert.equal(failed.failure_code, code);

    // The same outcome through Stripe's test PaymentMethod id, with confirm=true on create.
    const viaId = await rejection(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: testId, confirm: true }));
    assert.equal(viaId.code, code);
    assert.equal(viaId.raw.decline_code, declineCode);

    // The shopper tries another card: a second attempt, a second charge, success.
    const ok = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    assert.equal(ok.status, 'succeeded');
    assert.equal(ok.last_payment_error, null);
    const charges = await chargesOf(pi.id);
    assert.deepEqual(charges.map((c) => c.status), ['succeeded', 'failed'], 'newest first');
  });
}

test('decline: an incorrect number (failed Luhn) is refused when the card is tokenized', async () => {
  const e = await rejection(browser.paymentMethods.create({ type: 'card', card: { number: '4242424242424241', cvc: '123', ...future } }));
  assert.equal(e.statusCode, 402);
  assert.equal(e.type, 'StripeCardError');
  assert.equal(e.code, 'incorrect_number');
  assert.equal(e.param, 'card[number]');
});

// ----- 3-D Secure -----

async function challenge(pi, result, secret = pi.client_secret) {
  assert.equal(pi.status, 'requires_action');
  assert.equal(pi.next_action.type, 'redirect_to_url');
  const url = pi.next_action.redirect_to_url.url;
  assert.ok(url.startsWith(`${gateway.url}/challenge/${pi.id}`), url);
  const page = await fetch(url);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /name="result" value="approve"/);
  assert.match(html, /name="result" value="fail"/);
  const form = new URLSearchParams({ client_secret: secret, result });
  return fetch(`${gateway.url}/challenge/${pi.id}`, {
    method: 'POST', redirect: 'manual', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
}

function returned(res) {
  assert.equal(res.status, 303);
  const location = new URL(res.headers.get('location'));
  assert.equal(location.origin + location.pathname, 'https://shop.example/return');
  assert.equal(location.searchParams.get('order'), '7');
  return location.searchParams;
}

test('3-D Secure required, approved: requires_action → challenge page → 303 to return_url → succeeded', async () => {
  const pi = await stripe.paymentIntents.create({ amount: 4200, currency: 'eur' });
  const pm = await browser.paymentMethods.create({ type: 'card', card: { number: '4000002760003184', cvc: '123', ...future } });
  const action = await browser.paymentIntents.confirm(pi.id, {
    client_secret: pi.client_secret, payment_method: pm.id, return_url: 'https://shop.example/return?order=7',
  });
  assert.equal(action.next_action.redirect_to_url.return_url, 'https://shop.example/return?order=7');
  assert.equal((await chargesOf(pi.id)).length, 0, 'no charge before authentication');
  // A wrong client secret does not even show that the intent exists.
  const wrong = await challenge(action, 'approve', `${pi.id}_secret_wrong`);
  assert.equal(wrong.status, 404);
  const q = returned(await challenge(action, 'approve'));
  assert.equal(q.get('payment_intent'), pi.id);
  assert.equal(q.get('payment_intent_client_secret'), pi.client_secret);
  assert.equal(q.get('redirect_status'), 'succeeded');
  const done = await stripe.paymentIntents.retrieve(pi.id);
  assert.equal(done.status, 'succeeded');
  assert.equal(done.next_action, null);
  assert.equal(done.amount_received, 4200);
  assert.equal((await chargesOf(pi.id)).length, 1);
  // The page is single-use: posting again changes nothing.
  const replay = await fetch(`${gateway.url}/challenge/${pi.id}`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ client_secret: pi.client_secret, result: 'fail' }),
  });
  assert.equal(replay.status, 200);
  assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'succeeded');
  assert.equal((await chargesOf(pi.id)).length, 1);
});

test('3-D Secure required, shopper fails authentication: payment_intent_authentication_failure', async () => {
  const pi = await stripe.paymentIntents.create({
    amount: 4200, currency: 'eur', payment_method: 'pm_card_threeDSecure2Required', confirm: true,
    return_url: 'https://shop.example/return?order=7',
  });
  const q = returned(await challenge(pi, 'fail'));
  assert.equal(q.get('redirect_status'), 'failed');
  const failed = await stripe.paymentIntents.retrieve(pi.id);
  assert.equal(failed.status, 'requires_payment_method');
  assert.equal(failed.last_payment_error.code, 'payment_intent_authentication_failure');
  assert.equal(failed.next_action, null);
  assert.equal((await chargesOf(pi.id)).length, 0);
});

test('3-D Secure required, authenticated but then declined by the issuer (4000 0084 0000 1629)', async () => {
  const pm = await stripe.paymentMethods.create({ type: 'card', card: { number: '4000008400001629', ...future } });
  const pi = await stripe.paymentIntents.create({
    amount: 4200, currency: 'eur', payment_method: pm.id, confirm: true, return_url: 'https://shop.example/return?order=7',
  });
  const q = returned(await challenge(pi, 'approve'));
  assert.equal(q.get('redirect_status'), 'failed');
  const failed = await stripe.paymentIntents.retrieve(pi.id);
  assert.equal(failed.status, 'requires_payment_method');
  assert.equal(failed.last_payment_error.code, 'card_declined');
  const [charge] = await chargesOf(pi.id);
  assert.equal(charge.status, 'failed');
});

test('3-D Secure supported but not required (4000 0000 0000 3055) succeeds without a challenge', async () => {
  const pm = await stripe.paymentMethods.create({ type: 'card', card: { number: '4000000000003055', ...future } });
  const pi = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', payment_method: pm.id, confirm: true });
  assert.equal(pi.status, 'succeeded');
  assert.equal(pi.next_action, null);
});

test('3-D Secure with manual capture ends in requires_capture; cancel from requires_action works', async () => {
  const pi = await stripe.paymentIntents.create({
    amount: 4200, currency: 'eur', capture_method: 'manual', payment_method: 'pm_card_threeDSecureRequired', confirm: true,
    return_url: 'https://shop.example/return?order=7',
  });
  returned(await challenge(pi, 'approve'));
  const held = await stripe.paymentIntents.retrieve(pi.id);
  assert.equal(held.status, 'requires_capture');
  assert.equal(held.amount_capturable, 4200);
  const pending = await stripe.paymentIntents.create({ amount: 4200, currency: 'eur', payment_method: 'pm_card_authenticationRequired', confirm: true });
  assert.equal(pending.status, 'requires_action');
  const canceled = await stripe.paymentIntents.cancel(pending.id);
  assert.equal(canceled.status, 'canceled');
  assert.equal(canceled.next_action, null);
});

test('3-D Secure superseded: a new payment method voids the pending challenge', async () => {
  const pi = await stripe.paymentIntents.create({
    amount: 4200, currency: 'eur', payment_method: 'pm_card_threeDSecureRequired', confirm: true, return_url: 'https://shop.example/return?order=7',
  });
  assert.equal(pi.status, 'requires_action');
  const updated = await stripe.paymentIntents.update(pi.id, { payment_method: 'pm_card_visa' });
  assert.equal(updated.status, 'requires_confirmation');
  assert.equal(updated.next_action, null);
  const late = await fetch(`${gateway.url}/challenge/${pi.id}`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ client_secret: pi.client_secret, result: 'approve' }),
  });
  assert.equal(late.status, 200, 'the old challenge no longer completes anything');
  assert.equal((await chargesOf(pi.id)).length, 0);
  assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'requires_confirmation');
  const paid = await stripe.paymentIntents.confirm(pi.id);
  assert.equal(paid.status, 'succeeded');
  assert.equal((await chargesOf(pi.id)).length, 1);
});

// ----- refunds -----

test('refunds: several partials up to the amount, over-refund refused, list and retrieve', async () => {
  const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
  const r1 = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000, reason: 'requested_by_customer', metadata: { rma: '1' } });
  assert.match(r1.id, /^re_/);
  assert.equal(r1.object, 'refund');
  assert.equal(r1.amount, 1000);
  assert.equal(r1.status, 'succeeded');
  assert.equal(r1.charge, pi.latest_charge);
  assert.equal(r1.payment_intent, pi.id);
  assert.equal(r1.reason, 'requested_by_customer');
  const r2 = await stripe.refunds.create({ charge: pi.latest_charge, amount: 1500 });
  const over = await rejection(stripe.refunds.create({ payment_intent: pi.id, amount: 2501 }));
  assert.equal(over.statusCode, 400);
  assert.equal(over.raw.type, 'invalid_request_error');
  assert.equal(over.code, 'amount_too_large');
  assert.equal(over.param, 'amount');
  const r3 = await stripe.refunds.create({ payment_intent: pi.id }); // the rest
  assert.equal(r3.amount, 2500);
  const none = await rejection(stripe.refunds.create({ payment_intent: pi.id, amount: 1 }));
  assert.equal(none.code, 'charge_already_refunded');

  const charge = await stripe.charges.retrieve(pi.latest_charge);
  assert.equal(charge.amount_refunded, 5000);
  assert.equal(charge.refunded, true);
  const list = await stripe.refunds.list({ payment_intent: pi.id });
  assert.deepEqual(list.data.map((r) => r.id), [r3.id, r2.id, r1.id]);
  assert.deepEqual(plain(await stripe.refunds.retrieve(r2.id)), plain(r2));
  assert.equal((await rejection(stripe.refunds.retrieve('re_doesnotexist000'))).statusCode, 404);

  const failed = await rejection(stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }));
  const noRefund = await rejection(stripe.refunds.create({ charge: failed.raw.charge }));
  assert.equal(noRefund.statusCode, 400);
  assert.equal(noRefund.code, 'charge_not_refundable');
});

// ----- lists -----

test('pagination: newest first, limit, starting_after, ending_before, created filters, has_more', async () => {
  const mine = [];
  for (let i = 0; i < 7; i++) {
    mine.push((await stripe.paymentIntents.create({ amount: 1000 + i, currency: 'usd' })).id);
  }
  const newestFirst = [...mine].reverse();
  const page1 = await stripe.paymentIntents.list({ limit: 3 });
  assert.equal(page1.object, 'list');
  assert.equal(page1.url, '/v1/payment_intents');
  assert.equal(page1.has_more, true);
  assert.deepEqual(page1.data.map((p) => p.id), newestFirst.slice(0, 3));
  const page2 = await stripe.paymentIntents.list({ limit: 3, starting_after: page1.data[2].id });
  assert.deepEqual(page2.data.map((p) => p.id), newestFirst.slice(3, 6));
  const back = await stripe.paymentIntents.list({ limit: 3, ending_before: page2.data[0].id });
  assert.deepEqual(back.data.map((p) => p.id), newestFirst.slice(0, 3));
  const back2 = await stripe.paymentIntents.list({ limit: 2, ending_before: page2.data[0].id });
  assert.deepEqual(back2.data.map((p) => p.id), newestFirst.slice(1, 3), 'ending_before gives the page just before, still newest first');

  // Auto-pagination with the client walks every intent exactly once.
  const seen = [];
  for await (const p of stripe.paymentIntents.list({ limit: 4 })) seen.push(p.id);
  assert.equal(new Set(seen).size, seen.length);
  assert.deepEqual(seen.slice(0, 7), newestFirst);
  const all = await stripe.paymentIntents.list({ limit: 100 });
  assert.equal(seen.length, all.data.length);

  // Expansions inside a list, as with Stripe's `data.` prefix.
  const paid = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
  const expanded = await stripe.paymentIntents.list({ limit: 2, expand: ['data.latest_charge', 'data.payment_method'] });
  assert.equal(expanded.data[0].id, paid.id);
  assert.equal(expanded.data[0].latest_charge.object, 'charge');
  assert.equal(expanded.data[0].payment_method.object, 'payment_method');
  assert.equal(expanded.data[1].latest_charge, null);
  assert.equal((await rejection(stripe.paymentIntents.list({ expand: ['latest_charge'] }))).param, 'expand');
  mine.unshift(paid.id);

  const created = page1.data[0].created;
  const future = await stripe.paymentIntents.list({ created: { gte: created + 3600 } });
  assert.deepEqual(future.data, []);
  assert.equal(future.has_more, false);
  const past = await stripe.paymentIntents.list({ created: { lte: created - 3600 * 24 * 365 } });
  assert.deepEqual(past.data, []);
  const window = await stripe.paymentIntents.list({ created: { gte: created - 3600, lte: created + 3600 }, limit: 100 });
  assert.ok(mine.every((id) => window.data.some((p) => p.id === id)));

  for (const limit of [0, 101, -1]) {
    const e = await rejection(stripe.paymentIntents.list({ limit }));
    assert.equal(e.statusCode, 400);
    assert.equal(e.param, 'limit');
  }
  const unknown = await rejection(stripe.paymentIntents.list({ starting_after: 'pi_doesnotexist' }));
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.code, 'resource_missing');
  assert.equal(unknown.param, 'starting_after');
});

// ----- idempotency -----

test('idempotency: same key and parameters replay status and body; different parameters are refused', async () => {
  const key = `order-${Date.now()}-${Math.random()}`;
  const params = { amount: 3100, currency: 'usd', 'metadata[k]': 'v' };
  const first = await raw(gateway, keys.secret, 'POST', '/v1/payment_intents', params, { 'Idempotency-Key': key });
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('idempotent-replayed'), null);
  // Same parameters in another order and another encoding (JSON) are the same request.
  const again = await raw(gateway, keys.secret, 'POST', '/v1/payment_intents',
    { metadata: { k: 'v' }, currency: 'usd', amount: 3100 }, { 'Idempotency-Key': key }, { json: true });
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.body, first.body);
  const all = await stripe.paymentIntents.list({ limit: 100 });
  assert.equal(all.data.filter((p) => p.id === first.body.id).length, 1);
  assert.equal(all.data.filter((p) => p.amount === 3100 && p.metadata.k === 'v').length, 1, 'executed once');

  const different = await raw(gateway, keys.secret, 'POST', '/v1/payment_intents', { ...params, amount: 3200 }, { 'Idempotency-Key': key });
  assert.equal(different.status, 400);
  assert.equal(different.body.error.type, 'idempotency_error');
  const otherPath = await raw(gateway, keys.secret, 'POST', '/v1/refunds', { payment_intent: first.body.id }, { 'Idempotency-Key': key });
  assert.equal(otherPath.body.error.type, 'idempotency_error');

  // A request refused by validation did not run, so nothing is kept: corrected, it executes.
  const fixKey = `fix-${Date.now()}`;
  const invalid = await raw(gateway, keys.secret, 'POST', '/v1/payment_intents', { amount: 'lots', currency: 'usd' }, { 'Idempotency-Key': fixKey });
  assert.equal(invalid.status, 400);
  const fixed = await raw(gateway, keys.secret, 'POST', '/v1/payment_intents', { amount: 1000, currency: 'usd' }, { 'Idempotency-Key': fixKey });
  assert.equal(fixed.status, 200);
  assert.equal(fixed.headers.get('idempotent-replayed'), null);

  // Card declines did run: replayed, a declined confirm is the same 402 without a second charge.
  const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
  const dKey = `decline-${Date.now()}`;
  const d1 = await raw(gateway, keys.secret, 'POST', `/v1/payment_intents/${pi.id}/confirm`, { payment_method: 'pm_card_chargeDeclined' }, { 'Idempotency-Key': dKey });
  const d2 = await raw(gateway, keys.secret, 'POST', `/v1/payment_intents/${pi.id}/confirm`, { payment_method: 'pm_card_chargeDeclined' }, { 'Idempotency-Key': dKey });
  assert.equal(d1.status, 402);
  assert.equal(d2.status, 402);
  assert.deepEqual(d2.body, d1.body);
  assert.equal(d2.headers.get('idempotent-replayed'), 'true');
  assert.equal((await chargesOf(pi.id)).length, 1);

  // Through the client: the key it sends is honoured.
  const viaClient1 = await stripe.paymentIntents.create({ amount: 777, currency: 'usd' }, { idempotencyKey: `${key}-client` });
  const viaClient2 = await stripe.paymentIntents.create({ amount: 777, currency: 'usd' }, { idempotencyKey: `${key}-client` });
  assert.equal(viaClient2.id, viaClient1.id);
  const h = viaClient2.lastResponse.headers;
  assert.equal(typeof h.get === 'function' ? h.get('idempotent-replayed') : h['idempotent-replayed'], 'true');

  // Concurrent requests with one key: one execution; every answer is that execution's.
  const cKey = `concurrent-${Date.now()}`;
  const answers = await Promise.all(Array.from({ length: 10 }, () =>
    raw(gateway, keys.secret, 'POST', '/v1/payment_intents', { amount: 4321, currency: 'usd' }, { 'Idempotency-Key': cKey })));
  assert.ok(answers.every((a) => a.status === 200 || a.status === 409), answers.map((a) => a.status).join());
  const ids = new Set(answers.filter((a) => a.status === 200).map((a) => a.body.id));
  assert.equal(ids.size, 1);
  const tooLong = await raw(gateway, keys.secret, 'POST', '/v1/payment_intents', { amount: 4321, currency: 'usd' }, { 'Idempotency-Key': 'k'.repeat(256) });
  assert.equal(tooLong.status, 400);
});

// ----- exactly once -----

test('race: 50 concurrent confirms of one intent charge exactly once', async () => {
  const pi = await stripe.paymentIntents.create({ amount: 9900, currency: 'usd', payment_method: 'pm_card_visa' });
  assert.equal(pi.status, 'requires_confirmation');
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    raw(gateway, i % 2 ? keys.secret : keys.publishable, 'POST', `/v1/payment_intents/${pi.id}/confirm`,
      i % 2 ? {} : { client_secret: pi.client_secret })));
  const winners = results.filter((r) => r.status === 200);
  const losers = results.filter((r) => r.status !== 200);
  assert.equal(winners.length, 1, results.map((r) => r.status).join());
  for (const l of losers) {
    assert.equal(l.status, 400);
    assert.equal(l.body.error.code, 'payment_intent_unexpected_state');
    assert.match(l.body.error.message, /status of succeeded/);
    // As at Stripe, the error carries the intent as it is now.
    assert.equal(l.body.error.payment_intent.id, pi.id);
    assert.equal(l.body.error.payment_intent.status, 'succeeded');
  }
  const charges = await chargesOf(pi.id);
  assert.equal(charges.length, 1);
  assert.equal(charges[0].id, winners[0].body.latest_charge);
  const final = await stripe.paymentIntents.retrieve(pi.id);
  assert.equal(final.amount_received, 9900);

  // The same for 50 concurrent captures of a held authorization and 50 concurrent full refunds.
  const hold = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
  const caps = await Promise.all(Array.from({ length: 50 }, () => raw(gateway, keys.secret, 'POST', `/v1/payment_intents/${hold.id}/capture`, {})));
  assert.equal(caps.filter((r) => r.status === 200).length, 1);
  const refunds = await Promise.all(Array.from({ length: 50 }, () => raw(gateway, keys.secret, 'POST', '/v1/refunds', { payment_intent: hold.id, amount: 2000 })));
  assert.equal(refunds.filter((r) => r.status === 200).length, 2, 'two refunds of 2000 fit in 5000, a third does not');
  assert.equal((await stripe.refunds.list({ payment_intent: hold.id })).data.length, 2);
});

test('race: 20 concurrent approvals of one 3-D Secure challenge charge exactly once', async () => {
  const pi = await stripe.paymentIntents.create({
    amount: 2500, currency: 'usd', payment_method: 'pm_card_threeDSecureRequired', confirm: true, return_url: 'https://shop.example/return?order=7',
  });
  assert.equal(pi.status, 'requires_action');
  const posts = await Promise.all(Array.from({ length: 20 }, () => fetch(`${gateway.url}/challenge/${pi.id}`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ client_secret: pi.client_secret, result: 'approve' }),
  })));
  assert.equal(posts.filter((r) => r.status === 303).length, 1, posts.map((r) => r.status).join());
  assert.ok(posts.every((r) => r.status === 303 || r.status === 200));
  assert.equal((await chargesOf(pi.id)).length, 1);
  assert.equal((await stripe.paymentIntents.retrieve(pi.id)).amount_received, 2500);
});

// ----- vault -----

test('vault: card numbers never reach storage or logs in the clear', async () => {
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const pan = '4000056655665556';
  const pm = await stripe.paymentMethods.create({ type: 'card', card: { number: pan, cvc: '987', ...future } });
  assert.equal(pm.card.funding, 'debit');
  await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: pm.id, confirm: true });
  const files = [];
  const walk = (dir) => readdirSync(dir).forEach((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p); else files.push(p);
  });
  walk(gateway.state);
  const sqlite = files.filter((f) => /sqlite/.test(f));
  assert.ok(sqlite.length > 0, `the object's SQLite files are under ${gateway.state}: ${files.join(', ')}`);
  // The SQLite files do hold this payment method (so the search below can find things)…
  assert.ok(files.some((f) => readFileSync(f).includes(pm.id)), 'the payment method is stored');
  // …but never its number, in any encoding a careless write would use.
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const needle of [pan, '4000 0566 5566 5556', Buffer.from(pan).toString('hex')]) {
      assert.ok(!bytes.includes(needle), `${f} holds the card number (${needle})`);
    }
  }
  assert.ok(!gateway.log.join('').includes(pan), 'the card number is not logged');
});

// ----- events -----

test('events: state changes are recorded as Stripe events', async () => {
  const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
  const events = await stripe.events.list({ limit: 20 });
  const types = events.data.filter((e) => e.data.object.id === pi.id || e.data.object.payment_intent === pi.id).map((e) => e.type);
  assert.ok(types.includes('payment_intent.created'), types.join());
  assert.ok(types.includes('payment_intent.succeeded'), types.join());
  assert.ok(types.includes('charge.succeeded'), types.join());
  const one = await stripe.events.retrieve(events.data[0].id);
  assert.equal(one.id, events.data[0].id);
});

// ----- OpenAPI -----

test('OpenAPI 3.1 document is served and every JSON response seen above matches its schema', async () => {
  const res = await fetch(`${gateway.url}/v1/openapi.json`);
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.equal(doc.openapi, '3.1.0');
  for (const p of ['/v1/payment_intents', '/v1/payment_intents/{intent}/capture', '/v1/payment_methods', '/v1/refunds/{refund}', '/v1/charges']) {
    assert.ok(doc.paths[p], p);
  }
  // The validator itself must be able to fail.
  assert.notDeepEqual(validate(doc, { $ref: '#/components/schemas/Refund' }, { id: 're_1', object: 'refund', surprise: 1 }), []);
  assert.notDeepEqual(validate(doc, { $ref: '#/components/schemas/PaymentIntent' }, { id: 'pi_1', object: 'payment_intent' }), []);

  const checked = new Set();
  const problems = [];
  const relevant = recorded.filter((r) => r.path.startsWith('/v1/') && r.path !== '/v1/openapi.json' && r.body !== undefined);
  for (const r of relevant) {
    const template = pathTemplate(doc, r.path);
    if (!template) {
      if (r.status !== 404) problems.push(`${r.method} ${r.path}: no path in the document`);
      continue;
    }
    const schema = responseSchema(doc, r.method, template, r.status);
    if (!schema) {
      problems.push(`${r.method} ${template} ${r.status}: no response schema`);
      continue;
    }
    checked.add(`${r.method} ${template} ${r.status}`);
    for (const p of validate(doc, schema, r.body)) problems.push(`${r.method} ${r.path} ${r.status}: ${p}`);
  }
  assert.deepEqual([...new Set(problems)].slice(0, 30), []);
  // The lifecycle above covered every operation that returns JSON.
  for (const op of ['POST /v1/payment_intents 200', 'GET /v1/payment_intents 200', 'GET /v1/payment_intents/{intent} 200',
    'POST /v1/payment_intents/{intent} 200', 'POST /v1/payment_intents/{intent}/confirm 200', 'POST /v1/payment_intents/{intent}/confirm 402',
    'POST /v1/payment_intents/{intent}/capture 200', 'POST /v1/payment_intents/{intent}/cancel 200', 'POST /v1/payment_methods 200',
    'GET /v1/payment_methods/{payment_method} 200', 'GET /v1/charges 200', 'GET /v1/charges/{charge} 200', 'POST /v1/refunds 200',
    'GET /v1/refunds 200', 'GET /v1/refunds/{refund} 200', 'GET /v1/events 200', 'GET /v1/events/{event} 200']) {
    assert.ok(checked.has(op), `not exercised: ${op}`);
  }
});
