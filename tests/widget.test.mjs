// The checkout element as a shop embeds it: the loader on a host page of its own origin
// (http://shop.test, served by Playwright routing), the form in an iframe from the gateway on
// workerd, driven by a shopper in headless Chromium. One gateway for the whole file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { startGateway, startShop, launchBrowser, devKeys, api, freePort, ROOT } from './harness.mjs';

let gateway, browser, keys, shop, evil;

/**
 * A host-page server on its own origin, serving whatever HTML a test registers for a path. (Pages
 * fulfilled by request interception count as public, and Chromium then blocks their requests to
 * the loopback gateway, so host pages come from a real loopback server like a local shop.)
 */
async function pageServer() {
  const pages = new Map();
  const port = await freePort();
  const server = createServer((req, res) => {
    const html = pages.get(req.url.split('?')[0]);
    res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html ?? 'not found');
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  let n = 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    /** Registers `html` under a fresh path and returns its URL. */
    add(html) { const path = `/p${++n}`; pages.set(path, html); return `http://127.0.0.1:${port}${path}`; },
    stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

before(async () => {
  keys = devKeys();
  [gateway, browser, shop, evil] = await Promise.all([startGateway(), launchBrowser(), pageServer(), pageServer()]);
});

after(async () => {
  await browser?.close();
  await shop?.stop();
  await evil?.stop();
  await gateway?.stop();
});

async function createIntent(amount = 12000, currency = 'hkd') {
  const { status, body } = await api(gateway.url, keys.secret, 'POST', '/v1/payment_intents', { amount, currency });
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

/**
 * Opens a host page on http://shop.test that mounts a checkout with `intent` and `options` and
 * records every checkout event and every message the page receives in `window.events` /
 * `window.messages`. `body` replaces the default mount (for custom-element tests).
 */
async function openHost({ intent, options = {}, locale = 'en', dir = 'ltr', body, waitReady = true, browserLocale, beforeGoto } = {}) {
  const page = await browser.newPage(browserLocale ? { locale: browserLocale } : {});
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.consoleMessages = [];
  page.on('console', (m) => page.consoleMessages.push(m.text()));
  page.hostTraffic = [];
  page.on('request', (r) => { if (r.frame() === page.mainFrame()) page.hostTraffic.push(r.url() + ' ' + (r.postData() || '')); });
  const mount = body ?? `
    <div id="host"></div>
    <script>
      window.t = Tessera(${JSON.stringify(keys.publishable)}, { locale: ${JSON.stringify(locale)} });
      window.co = t.checkout(${JSON.stringify(intent)}, ${JSON.stringify(options)});
      ['ready', 'change', 'focus', 'blur', 'escape', 'loaderror', 'payment_succeeded', 'payment_failed']
        .forEach((type) => co.on(type, (detail) => events.push({ type, detail })));
      co.mount('#host');
    </script>`;
  const html = `<!doctype html><html lang="en" dir="${dir}"><head><meta charset="utf-8"><title>Shop</title></head><body>
    <main><h1>Shop</h1>
    <script>
      window.events = []; window.messages = [];
      addEventListener('message', (e) => messages.push({ origin: e.origin, data: JSON.stringify(e.data) }));
    </script>
    <script src="${gateway.url}/tessera.js"></script>
    ${mount}</main></body></html>`;
  page.hostUrl = shop.add(html);
  if (beforeGoto) await beforeGoto(page);
  // A stalled frame would hold the page's load event forever.
  await page.goto(page.hostUrl, { waitUntil: beforeGoto ? 'domcontentloaded' : 'load' });
  const frame = page.frameLocator('iframe[data-tessera="checkout"]');
  if (waitReady) await page.waitForFunction(() => window.events.some((e) => e.type === 'ready'));
  return { page, frame, errors };
}

function checkoutFrame(page) {
  return page.frames().find((f) => f.url().startsWith(`${gateway.url}/checkout`));
}

async function fillCard(frame, number, expiry = '12 / 34', cvc = '123') {
  await frame.getByTestId('card-number').pressSequentially(number);
  await frame.getByTestId('card-expiry').pressSequentially(expiry.replace(/\D/g, ''));
  await frame.getByTestId('card-cvc').pressSequentially(cvc);
}

async function retype(frame, testId, text) {
  await frame.getByTestId(testId).fill('');
  await frame.getByTestId(testId).pressSequentially(text);
}

const countEvents = (page, type) => page.evaluate((t) => window.events.filter((e) => e.type === t).length, type);

test('4242 pays through confirmPayment; the host page never sees the card number', async () => {
  const intent = await createIntent();
  const { page, frame, errors } = await openHost({ intent: { clientSecret: intent.client_secret }, options: { hideButton: true } });
  assert.equal(await frame.getByTestId('pay-button').count(), 0, 'the page confirms, so the frame shows no button');
  await fillCard(frame, '4242424242424242');
  assert.equal(await frame.getByTestId('card-number').inputValue(), '4242 4242 4242 4242');
  await page.waitForFunction(() => window.events.some((e) => e.type === 'change' && e.detail.complete));
  const result = await page.evaluate(() => t.confirmPayment({ checkout: co, redirect: 'if_required' }));
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.equal(result.paymentIntent.id, intent.id);
  assert.equal(result.paymentIntent.status, 'succeeded');
  await frame.getByTestId('payment-success').waitFor();
  const server = await api(gateway.url, keys.secret, 'GET', `/v1/payment_intents/${intent.id}`);
  assert.equal(server.body.status, 'succeeded');
  // Nothing the host page holds, received or sent contains the number.
  const seen = [await page.content(), JSON.stringify(await page.evaluate(() => [window.events, window.messages])), ...page.hostTraffic].join('\n');
  for (const leaked of ['4242424242424242', '4242 4242 4242 4242', '424242424242']) {
    assert.ok(!seen.includes(leaked), `the host page must never see ${leaked}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('deferred intent: the form paints from amount + currency, confirmPayment brings the client secret', async () => {
  const { page, frame } = await openHost({ intent: { mode: 'payment', amount: 12000, currency: 'hkd' } });
  // Ready without any API call: no intent exists yet.
  const apiCalls = [];
  page.on('request', (r) => { if (r.url().includes('/v1/')) apiCalls.push(r.url()); });
  assert.equal(await frame.getByTestId('pay-button').count(), 0);
  await fillCard(frame, '4242424242424242');
  assert.deepEqual(apiCalls, []);
  const intent = await createIntent();
  const result = await page.evaluate((cs) => t.confirmPayment({ checkout: co, clientSecret: cs, redirect: 'if_required' }), intent.client_secret);
  assert.equal(result.paymentIntent?.status, 'succeeded', JSON.stringify(result));
  assert.equal(result.paymentIntent.amount, 12000);
  await frame.getByTestId('payment-success').waitFor();
  await page.close();
});

test('a second confirm while one is processing is refused, and a deferred confirm without a secret errors', async () => {
  const intent = await createIntent();
  const { page, frame } = await openHost({ intent: { clientSecret: intent.client_secret }, options: { hideButton: true } });
  await fillCard(frame, '4242424242424242');
  const [first, second] = await page.evaluate(() => Promise.all([
    t.confirmPayment({ checkout: co, redirect: 'if_required' }),
    t.confirmPayment({ checkout: co, redirect: 'if_required' }),
  ]));
  assert.equal(first.paymentIntent?.status, 'succeeded', JSON.stringify(first));
  assert.equal(second.error?.code, 'payment_in_progress', JSON.stringify(second));
  assert.equal(await countEvents(page, 'payment_succeeded'), 1);
  const noReturn = await page.evaluate(() => t.confirmPayment({ checkout: co }));
  assert.equal(noReturn.error?.type, 'integration_error');
  await page.close();

  const deferred = await openHost({ intent: { mode: 'payment', amount: 500, currency: 'usd' } });
  const r = await deferred.page.evaluate(() => t.confirmPayment({ checkout: co, redirect: 'if_required' }));
  assert.match(r.error?.message ?? '', /clientSecret/);
  await deferred.page.close();
});

test('4000 0000 0000 0002 is declined: the form says so and confirmPayment resolves {error}', async () => {
  const intent = await createIntent();
  const { page, frame } = await openHost({ intent: { clientSecret: intent.client_secret }, options: { hideButton: true } });
  await fillCard(frame, '4000000000000002');
  const result = await page.evaluate(() => t.confirmPayment({ checkout: co, redirect: 'if_required' }));
  assert.equal(result.paymentIntent, undefined);
  assert.equal(result.error.type, 'card_error');
  assert.equal(result.error.decline_code, 'generic_decline');
  assert.equal(result.error.message, 'Your card was declined.');
  assert.equal(result.error.payment_intent?.id, intent.id);
  await frame.getByTestId('form-error').getByText('Your card was declined.').waitFor();
  await page.close();
});

test('every sandbox decline shows a human message, and the shopper can retry on the same intent', async () => {
  const intent = await createIntent();
  const { page, frame } = await openHost({ intent: { clientSecret: intent.client_secret } });
  const table = [
    ['4000000000000002', 'Your card was declined.'],
    ['4000000000009995', 'Your card has insufficient funds.'],
    ['4000000000009987', 'Your card was declined.'],
    ['4000000000009979', 'Your card was declined.'],
    ['4000000000000069', 'Your card has expired.'],
    ['4000000000000127', "Your card's security code is incorrect."],
    ['4000000000000119', 'An error occurred while processing your card. Try again in a little bit.'],
  ];
  await fillCard(frame, table[0][0]);
  for (const [i, [number, message]] of table.entries()) {
    if (i > 0) await retype(frame, 'card-number', number);
    await frame.getByTestId('pay-button').click();
    await page.waitForFunction((n) => window.events.filter((e) => e.type === 'payment_failed').length === n, i + 1);
    assert.equal(await frame.getByTestId('form-error').innerText(), message, number);
    assert.ok(await frame.getByTestId('pay-button').isEnabled(), 'the form is usable again after a decline');
  }
  await retype(frame, 'card-number', '4242424242424242');
  await frame.getByTestId('pay-button').click();
  await frame.getByTestId('payment-success').waitFor();
  await page.close();
});

test('3-D Secure: the challenge opens in-page, approve completes the payment without leaving the page', async () => {
  const intent = await createIntent();
  const { page, frame } = await openHost({ intent: { clientSecret: intent.client_secret }, options: { hideButton: true } });
  await fillCard(frame, '4000002760003184');
  const pending = page.evaluate(() => t.confirmPayment({ checkout: co, redirect: 'if_required' }));
  await frame.getByTestId('challenge-modal').waitFor();
  // The frame grows to hold the modal instead of scrolling.
  await page.waitForFunction(() => document.querySelector('iframe[data-tessera]').offsetHeight >= 360);
  await frame.frameLocator('[data-testid="challenge-frame"]').getByTestId('challenge-approve').click();
  const result = await pending;
  assert.equal(result.paymentIntent?.status, 'succeeded', JSON.stringify(result));
  await frame.getByTestId('payment-success').waitFor();
  assert.ok(await frame.getByTestId('challenge-modal').isHidden(), 'the challenge closed');
  assert.equal(page.url(), page.hostUrl, 'never left the page');
  await page.close();
});

test('3-D Secure: failing the challenge shows a clear error; a challenge followed by a decline too', async () => {
  const intent = await createIntent();
  const { page, frame } = await openHost({ intent: { clientSecret: intent.client_secret } });
  await fillCard(frame, '4000000000003220');
  await frame.getByTestId('pay-button').click();
  await frame.frameLocator('[data-testid="challenge-frame"]').getByTestId('challenge-fail').click();
  await frame.getByTestId('form-error')
    .getByText('We are unable to authenticate your payment method. Please choose a different payment method and try again.').waitFor();
  assert.ok(await frame.getByTestId('challenge-modal').isHidden(), 'the challenge closed');
  assert.ok(await frame.getByTestId('pay-button').isEnabled());

  await retype(frame, 'card-number', '4000008400001629');
  await frame.getByTestId('pay-button').click();
  await frame.frameLocator('[data-testid="challenge-frame"]').getByTestId('challenge-approve').click();
  await page.waitForFunction(() => window.events.filter((e) => e.type === 'payment_failed').length === 2);
  assert.equal(await frame.getByTestId('form-error').innerText(), 'Your card was declined.');
  await page.close();
});

// Typed key by key into the real field: formatted value and brand badge.
const BRANDS = [
  ['4242424242424242', 'visa', '4242 4242 4242 4242'],
  ['4000056655665556', 'visa', '4000 0566 5566 5556'],
  ['4111111111111111110', 'visa', '4111 1111 1111 1111110'],
  ['5555555555554444', 'mastercard', '5555 5555 5555 4444'],
  ['2223003122003222', 'mastercard', '2223 0031 2200 3222'],
  ['5200828282828210', 'mastercard', '5200 8282 8282 8210'],
  ['5105105105105100', 'mastercard', '5105 1051 0510 5100'],
  ['378282246310005', 'amex', '3782 822463 10005'],
  ['371449635398431', 'amex', '3714 496353 98431'],
  ['6011111111111117', 'discover', '6011 1111 1111 1117'],
  ['6011000990139424', 'discover', '6011 0009 9013 9424'],
  ['6555900000604105', 'discover', '6555 9000 0060 4105'],
  ['3056930009020004', 'diners', '3056 930009 020004'],
  ['36227206271667', 'diners', '3622 720627 1667'],
  ['3566002020360505', 'jcb', '3566 0020 2036 0505'],
  ['35308796121637357', 'jcb', '3530 8796 1216 37357'],
  ['6200000000000005', 'unionpay', '6200 0000 0000 0005'],
  ['6205500000000000004', 'unionpay', '6205 5000 0000 0000004'],
  ['8100513433325374', 'unionpay', '8100 5134 3332 5374'],
  ['6304000000000000', 'maestro', '6304 0000 0000 0000'],
  ['6767700000000005', 'maestro', '6767 7000 0000 0005'],
  ['5066991111111118', 'elo', '5066 9911 1111 1118'],
  ['6277800000000006', 'elo', '6277 8000 0000 0006'],
  ['2200000000000004', 'mir', '2200 0000 0000 0004'],
  ['6370950000000005', 'hiper', '6370 9500 0000 0005'],
  ['6062820524845321', 'hipercard', '6062 8205 2484 5321'],
  ['9792000000000003', 'troy', '9792 0000 0000 0003'],
  ['5061001234567892', 'verve', '5061 0012 3456 7892'],
  ['9000000000000001', 'unknown', '9000 0000 0000 0001'],
  ['42424242424242424242', 'visa', '4242 4242 4242 4242424'],
];

test(`brand detection and grouping for ${BRANDS.length} numbers, plus pasting with spaces or dashes`, async () => {
  const { page, frame } = await openHost({ intent: { mode: 'payment', amount: 1000, currency: 'usd' } });
  const field = frame.getByTestId('card-number');
  const badge = frame.getByTestId('card-brand');
  const wrong = [];
  for (const [digits, brand, formatted] of BRANDS) {
    await field.fill('');
    await field.pressSequentially(digits);
    const [value, shown] = [await field.inputValue(), await badge.getAttribute('data-brand')];
    if (value !== formatted || shown !== brand) wrong.push(`${digits}: got "${value}" ${shown}, want "${formatted}" ${brand}`);
  }
  assert.deepEqual(wrong, []);
  // The badge is the brand's logo, served by the gateway, and it actually loads.
  assert.equal(await badge.getAttribute('title'), 'Visa');
  assert.match(await badge.getAttribute('src'), /\/brands\/visa\.svg$/);
  await badge.evaluate((img) => img.decode());
  assert.ok(await badge.evaluate((img) => img.complete && img.naturalWidth > 0), 'the Visa logo loads');
  for (const pasted of ['4242-4242-4242-4242', '4242 4242 4242 4242', ' 4242424242424242 ']) {
    await field.fill('');
    await field.focus();
    await page.keyboard.insertText(pasted);
    assert.equal(await field.inputValue(), '4242 4242 4242 4242', pasted);
  }
  await field.fill('');
  await field.focus();
  await page.keyboard.insertText('3782-822463-10005');
  assert.equal(await field.inputValue(), '3782 822463 10005');
  assert.equal(await badge.getAttribute('data-brand'), 'amex');
  // Amex takes a four-digit CVC; others three.
  await frame.getByTestId('card-cvc').pressSequentially('12345');
  assert.equal(await frame.getByTestId('card-cvc').inputValue(), '1234');
  await page.close();
});

test('editing in the middle of the number keeps the caret where the shopper is typing', async () => {
  const { page, frame } = await openHost({ intent: { mode: 'payment', amount: 1000, currency: 'usd' } });
  const field = frame.getByTestId('card-number');
  await field.pressSequentially('4242424242424242');
  const caret = () => field.evaluate((el) => el.selectionStart);
  const putCaret = (at) => field.evaluate((el, at) => el.setSelectionRange(at, at), at);
  // Backspace after "4242 42": one digit goes, the rest regroups, the caret stays after "4242 4".
  await putCaret(7);
  await page.keyboard.press('Backspace');
  assert.equal(await field.inputValue(), '4242 4424 2424 242');
  assert.equal(await caret(), 6);
  // Typing it back puts it back, caret right after the typed digit.
  await page.keyboard.type('2');
  assert.equal(await field.inputValue(), '4242 4242 4242 4242');
  assert.equal(await caret(), 7);
  // Backspace just after a group's space removes the digit before the space.
  await putCaret(10);
  await page.keyboard.press('Backspace');
  assert.equal(await field.inputValue(), '4242 4244 2424 242');
  assert.equal(await caret(), 8);
  // Typing at the very end still runs past the inserted space.
  await putCaret(18);
  await page.keyboard.type('2');
  assert.equal(await field.inputValue(), '4242 4244 2424 2422');
  assert.equal(await caret(), 19);
  await page.close();
});

test('fields: autocomplete and inputmode, inline errors on blur and on submit tied by aria-describedby', async () => {
  const intent = await createIntent();
  const { page, frame } = await openHost({ intent: { clientSecret: intent.client_secret }, options: { fields: { name: 'always', postalCode: 'always' } } });
  const attrs = await checkoutFrame(page).evaluate(() => [...document.querySelectorAll('input')].map((i) => [i.id, i.autocomplete, i.inputMode]));
  assert.deepEqual(attrs, [
    ['card-name', 'cc-name', 'text'],
    ['card-number', 'cc-number', 'numeric'],
    ['card-expiry', 'cc-exp', 'numeric'],
    ['card-cvc', 'cc-csc', 'numeric'],
    ['card-postal', 'postal-code', 'text'],
  ]);
  const number = frame.getByTestId('card-number');
  await number.pressSequentially('4242');
  await frame.getByTestId('card-expiry').focus();
  await frame.getByTestId('card-number-error').getByText('Your card number is incomplete.').waitFor();
  assert.equal(await number.getAttribute('aria-invalid'), 'true');
  assert.equal(await number.getAttribute('aria-describedby'), 'card-number-error');
  // Past expiry refused; the slash is automatic.
  await frame.getByTestId('card-expiry').pressSequentially('0120');
  assert.equal(await frame.getByTestId('card-expiry').inputValue(), '01 / 20');
  await frame.getByTestId('card-cvc').focus();
  await frame.getByTestId('card-expiry-error').getByText("Your card's expiration date is in the past.").waitFor();
  // Submitting shows every remaining error and focuses the first invalid field.
  await frame.getByTestId('pay-button').click();
  await frame.getByTestId('card-name-error').getByText('Enter the name on your card.').waitFor();
  await frame.getByTestId('card-cvc-error').getByText("Your card's security code is incomplete.").waitFor();
  await frame.getByTestId('card-postal-error').getByText('Your postal code is incomplete.').waitFor();
  assert.equal(await checkoutFrame(page).evaluate(() => document.activeElement.id), 'card-name');
  // Fixing a field clears its error as the shopper types.
  await frame.getByTestId('card-name').fill('Chan Tai Man');
  await retype(frame, 'card-number', '4242424242424242');
  assert.equal(await frame.getByTestId('card-number-error').innerText(), '');
  await retype(frame, 'card-expiry', '1234');
  await frame.getByTestId('card-cvc').pressSequentially('123');
  await frame.getByTestId('card-postal').pressSequentially('999077');
  await frame.getByTestId('pay-button').click();
  await frame.getByTestId('payment-success').waitFor();
  const pm = await api(gateway.url, keys.secret, 'GET', `/v1/payment_intents/${intent.id}?expand[]=payment_method`);
  if (pm.body.payment_method?.billing_details) {
    assert.equal(pm.body.payment_method.billing_details.name, 'Chan Tai Man');
  }
  await page.close();
});

test('keyboard only: Tab into the form, type, Enter pays; focus is visible', async () => {
  const intent = await createIntent();
  const { page, frame } = await openHost({ intent: { clientSecret: intent.client_secret } });
  await page.locator('h1').click();
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => document.activeElement?.tagName === 'IFRAME');
  const f = checkoutFrame(page);
  await f.waitForFunction(() => document.activeElement?.id === 'card-number');
  const ring = await f.evaluate(() => getComputedStyle(document.activeElement).boxShadow);
  assert.notEqual(ring, 'none', 'the focused field shows a focus ring');
  await page.keyboard.type('4242424242424242');
  await page.keyboard.press('Tab');
  await page.keyboard.type('1234');
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  // Backspace through the expiry's automatic slash works too.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('End');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
  assert.equal(await frame.getByTestId('card-expiry').inputValue(), '1');
  await page.keyboard.type('234');
  assert.equal(await frame.getByTestId('card-expiry').inputValue(), '12 / 34');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await f.evaluate(() => document.activeElement.dataset.testid), 'pay-button');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.events.some((e) => e.type === 'escape'));
  await page.keyboard.press('Enter');
  await frame.getByTestId('payment-success').waitFor();
  const kinds = await page.evaluate(() => window.events.map((e) => e.type + (e.detail.field ? ':' + e.detail.field : '')));
  for (const k of ['focus:number', 'blur:number', 'focus:expiry', 'focus:cvc', 'change', 'payment_succeeded']) {
    assert.ok(kinds.includes(k), `${k} in ${kinds}`);
  }
  await page.close();
});

test('appearance: theme, variables and rules change computed styles; update() restyles in place; unsafe values refused', async () => {
  const appearance = {
    theme: 'night',
    variables: { colorPrimary: '#ff0000', borderRadius: '0px', fontSizeBase: '18px', colorText: 'red; background: url(https://evil.example/x)' },
    rules: { '.Label': { textTransform: 'uppercase' }, '.Input': { borderWidth: '2px' }, '.Tab': { color: 'blue' } },
    fonts: [{ family: 'Brand Sans', src: 'url(https://fonts.example/brand.woff2)' }, { cssSrc: 'https://fonts.example/css?family=Inter' },
      { family: 'Evil', src: 'url(javascript:alert(1))' }],
    sparkles: true,
  };
  const { page, frame } = await openHost({ intent: { mode: 'payment', amount: 1000, currency: 'usd' }, options: { appearance } });
  const f = checkoutFrame(page);
  const styles = () => f.evaluate(() => {
    const input = document.getElementById('card-number');
    const label = document.querySelector('.Label');
    const s = getComputedStyle(input);
    return { radius: s.borderTopLeftRadius, border: s.borderTopWidth, size: s.fontSize, label: getComputedStyle(label).textTransform,
      bg: getComputedStyle(document.body).backgroundColor, text: getComputedStyle(document.body).color,
      primary: getComputedStyle(document.documentElement).getPropertyValue('--colorPrimary').trim() };
  });
  const s = await styles();
  assert.equal(s.radius, '0px');
  assert.equal(s.border, '2px');
  assert.equal(s.size, '18px');
  assert.equal(s.label, 'uppercase');
  assert.equal(s.bg, 'rgb(31, 33, 48)', 'night theme background');
  assert.equal(s.text, 'rgb(240, 241, 245)', 'the injected colorText was refused, the theme value stays');
  assert.equal(s.primary, '#ff0000');
  await page.waitForFunction(() => true);
  const warnings = page.consoleMessages.filter((m) => m.startsWith('Tessera appearance'));
  // Custom fonts by URL: an @font-face for the https source, a stylesheet link for cssSrc.
  const fonts = await f.evaluate(() => [document.getElementById('tessera-appearance').textContent,
    [...document.querySelectorAll('link[rel=stylesheet]')].map((l) => l.href)]);
  assert.ok(fonts[0].includes('@font-face{font-family:"Brand Sans";src:url("https://fonts.example/brand.woff2")'), fonts[0]);
  assert.ok(fonts[1].includes('https://fonts.example/css?family=Inter'), JSON.stringify(fonts[1]));
  assert.ok(!fonts[0].includes('javascript'));
  for (const w of ['variables.colorText', 'rules[".Tab"]', 'sparkles', 'fonts[].src']) {
    assert.ok(warnings.some((m) => m.includes(w)), `a warning about ${w} in ${JSON.stringify(warnings)}`);
  }
  await page.evaluate(() => co.update({ appearance: { theme: 'flat', variables: { colorPrimary: '#00aa00' } } }));
  await f.waitForFunction(() => getComputedStyle(document.documentElement).getPropertyValue('--colorPrimary').trim() === '#00aa00');
  const flat = await styles();
  assert.equal(flat.radius, '2px');
  assert.equal(flat.bg, 'rgb(255, 255, 255)');
  // Fields keep working under any theme.
  await frame.getByTestId('card-number').pressSequentially('4242');
  assert.equal(await frame.getByTestId('card-number').inputValue(), '4242');
  await page.close();
});

test('zh-HK shows Chinese labels and an HK$ amount; ja shows JPY without decimals; update() switches language', async () => {
  const intent = await createIntent(12000, 'hkd');
  const { page, frame } = await openHost({ intent: { clientSecret: intent.client_secret }, locale: 'zh-HK' });
  await frame.getByText('卡號').waitFor();
  await frame.getByText('到期日').waitFor();
  await frame.getByText('安全碼').waitFor();
  assert.match(await frame.getByTestId('pay-button').innerText(), /^付款 HK\$120(\.00)?$/);
  assert.equal(await checkoutFrame(page).evaluate(() => document.documentElement.lang), 'zh-HK');
  await frame.getByTestId('pay-button').click();
  await frame.getByTestId('card-number-error').getByText('卡號不完整。').waitFor();
  await page.evaluate(() => co.update({ locale: 'en' }));
  await frame.getByText('Card number', { exact: true }).waitFor();
  await frame.getByTestId('card-number-error').getByText('Your card number is incomplete.').waitFor();
  await page.close();

  const ja = await openHost({ intent: { mode: 'payment', amount: 1200, currency: 'jpy' }, locale: 'ja', options: {} });
  await ja.frame.getByText('カード番号').waitFor();
  await ja.page.close();
  const jaIntent = await createIntent(1200, 'jpy');
  const jaPaid = await openHost({ intent: { clientSecret: jaIntent.client_secret }, locale: 'ja' });
  assert.match(await jaPaid.frame.getByTestId('pay-button').innerText(), /^支払う [￥¥]1,200$/);
  await jaPaid.page.close();
});

test('locale auto follows the browser language', async () => {
  const { frame, page } = await openHost({ intent: { mode: 'payment', amount: 1000, currency: 'twd' }, locale: 'auto', browserLocale: 'zh-TW' });
  await frame.getByText('卡號').waitFor();
  assert.equal(await checkoutFrame(page).evaluate(() => document.documentElement.lang), 'zh-TW');
  await page.close();
});

test('right-to-left host: the frame follows dir=rtl, digits stay left-to-right', async () => {
  const { page } = await openHost({ intent: { mode: 'payment', amount: 1000, currency: 'usd' }, dir: 'rtl' });
  const f = checkoutFrame(page);
  const [dir, inputDir] = await f.evaluate(() => [document.documentElement.dir, getComputedStyle(document.getElementById('card-number')).direction]);
  assert.equal(dir, 'rtl');
  assert.equal(inputDir, 'ltr');
  await page.close();
});

test('a frame that never loads fires loaderror (load_timeout); a frame that loads does not', async () => {
  const intent = { mode: 'payment', amount: 1000, currency: 'usd' };
  // The gateway's frame page hangs: no byte of it ever arrives.
  const stalled = await openHost({
    intent, options: { loadTimeout: 1000 }, waitReady: false,
    beforeGoto: (page) => page.route('**/checkout.html*', () => {}),
  });
  await stalled.page.waitForFunction(() => window.events.some((e) => e.type === 'loaderror'), null, { timeout: 5000 });
  const [error] = await stalled.page.evaluate(() => window.events.filter((e) => e.type === 'loaderror').map((e) => e.detail.error));
  assert.equal(error.code, 'load_timeout');
  assert.match(error.message, /did not load/);
  assert.equal(await countEvents(stalled.page, 'ready'), 0);
  await stalled.page.close();
  // Once ready, the timer is gone: no loaderror afterwards.
  const loaded = await openHost({ intent, options: { loadTimeout: 1000 } });
  await loaded.page.waitForTimeout(1500);
  assert.equal(await countEvents(loaded.page, 'loaderror'), 0);
  await loaded.page.close();
});

test('the skeleton has the ready form\'s height: nothing shifts when the checkout becomes ready', async () => {
  const seen = [];
  for (const [intent, options] of [
    [await createIntent().then((i) => ({ clientSecret: i.client_secret })), {}],
    [{ mode: 'payment', amount: 1000, currency: 'usd' }, {}],
    [{ mode: 'payment', amount: 1000, currency: 'usd' }, { fields: { name: 'always', postalCode: 'always' } }],
  ]) {
    const page = await browser.newPage();
    const html = `<!doctype html><body><div id="host"></div><script src="${gateway.url}/tessera.js"></script><script>
      window.heights = [];
      const co = Tessera(${JSON.stringify(keys.publishable)}).checkout(${JSON.stringify(intent)}, ${JSON.stringify(options)});
      co.on('ready', () => { window.ready = document.querySelector('iframe').offsetHeight; });
      co.mount('#host');
      const frame = document.querySelector('iframe');
      window.heights.push(frame.offsetHeight);
      new ResizeObserver(() => window.heights.push(frame.offsetHeight)).observe(frame);
    </script></body>`;
    await page.goto(shop.add(html));
    await page.waitForFunction(() => window.ready > 0);
    const heights = await page.evaluate(() => [...new Set(window.heights)]);
    seen.push([JSON.stringify(intent.mode ?? 'intent') + JSON.stringify(options), heights]);
    await page.close();
  }
  assert.deepEqual(seen.filter(([, h]) => h.length !== 1), [], 'every configuration keeps one iframe height from mount to ready');
});

test('<tessera-checkout> inside a shadow root pays and dispatches DOM CustomEvents', async () => {
  const intent = await createIntent();
  const body = `
    <shop-cart></shop-cart>
    <script>
      customElements.define('shop-cart', class extends HTMLElement {
        connectedCallback() {
          const root = this.attachShadow({ mode: 'open' });
          root.innerHTML = '<h2>Cart</h2><tessera-checkout publishable-key=${keys.publishable} client-secret=${intent.client_secret} locale="en"></tessera-checkout>';
          const el = root.querySelector('tessera-checkout');
          for (const type of ['ready', 'change', 'payment_succeeded', 'payment_failed']) {
            el.addEventListener(type, (e) => events.push({ type, detail: e.detail, custom: e instanceof CustomEvent }));
          }
        }
      });
      // Composed events also reach the document, outside both shadow roots.
      document.addEventListener('payment_succeeded', (e) => { window.documentSaw = e.detail.paymentIntent.id; });
    </script>`;
  const { page, frame } = await openHost({ body });
  await fillCard(frame, '4242424242424242');
  await frame.getByTestId('pay-button').click();
  await frame.getByTestId('payment-success').waitFor();
  await page.waitForFunction(() => window.documentSaw);
  assert.equal(await page.evaluate(() => window.documentSaw), intent.id);
  const ev = await page.evaluate(() => window.events.find((e) => e.type === 'payment_succeeded'));
  assert.ok(ev.custom);
  assert.equal(ev.detail.paymentIntent.status, 'succeeded');
  // The element also confirms from the page.
  const intent2 = await createIntent();
  const body2 = `<tessera-checkout id="tc" publishable-key=${keys.publishable} client-secret=${intent2.client_secret} hide-button></tessera-checkout>
    <script>document.getElementById('tc').addEventListener('ready', () => events.push({ type: 'ready' }));</script>`;
  const second = await openHost({ body: body2 });
  await fillCard(second.frame, '4242424242424242');
  const r = await second.page.evaluate(() => document.getElementById('tc').confirmPayment());
  assert.equal(r.paymentIntent?.status, 'succeeded', JSON.stringify(r));
  await second.page.close();
  await page.close();
});

test('postMessages from a foreign origin change nothing, in the frame or on the host page', async () => {
  const evilHtml = `<!doctype html><script>
    const checkout = parent.frames[0];
    const v = { tessera: 1 };
    checkout.postMessage({ ...v, type: 'update', appearance: '{"variables":{"colorPrimary":"#ff0000"}}', locale: 'ja' }, '*');
    checkout.postMessage({ ...v, type: 'clear' }, '*');
    checkout.postMessage({ ...v, type: 'confirm', requestId: 1, clientSecret: null }, '*');
    parent.postMessage({ ...v, type: 'payment_succeeded', paymentIntent: { id: 'pi_fake', status: 'succeeded' } }, '*');
    parent.postMessage({ ...v, type: 'resize', height: 5 }, '*');
    parent.postMessage({ evilDone: true }, '*');
  </script>`;
  const intent = await createIntent();
  const evilUrl = evil.add(evilHtml);
  const { page, frame } = await openHost({ intent: { clientSecret: intent.client_secret } });
  await fillCard(frame, '4242424242424242');
  const f = checkoutFrame(page);
  const before = await f.evaluate(() => getComputedStyle(document.querySelector('.Button')).backgroundColor);
  const height = await page.evaluate(() => document.querySelector('iframe[data-tessera]').offsetHeight);
  await page.evaluate((url) => {
    const i = document.createElement('iframe');
    i.src = url;
    document.body.appendChild(i);
  }, evilUrl);
  await page.waitForFunction(() => window.messages.some((m) => m.data.includes('evilDone')));
  // A legitimate update sent after the evil messages: once it has applied, they were processed.
  await page.evaluate(() => co.update({ appearance: { variables: { colorText: '#123456' } } }));
  await f.waitForFunction(() => getComputedStyle(document.body).color === 'rgb(18, 52, 86)');
  assert.equal(await f.evaluate(() => getComputedStyle(document.querySelector('.Button')).backgroundColor), before);
  assert.equal(await frame.getByTestId('card-number').inputValue(), '4242 4242 4242 4242', 'not cleared');
  assert.equal(await frame.getByText('Card number', { exact: true }).count(), 1, 'still English');
  assert.equal(await countEvents(page, 'payment_succeeded'), 0);
  assert.equal(await page.evaluate(() => document.querySelector('iframe[data-tessera]').offsetHeight), height);
  const server = await api(gateway.url, keys.secret, 'GET', `/v1/payment_intents/${intent.id}`);
  assert.equal(server.body.status, 'requires_payment_method', 'no confirm happened');
  await page.close();
});

test('axe-core finds no serious or critical violations: empty, with errors, with every field, in the challenge', async () => {
  const axe = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  const audit = async (page, label) => {
    const f = checkoutFrame(page);
    await f.evaluate(axe);
    const violations = await f.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`);
    });
    assert.deepEqual(violations, [], label);
  };
  const intent = await createIntent();
  const { page, frame } = await openHost({ intent: { clientSecret: intent.client_secret }, options: { fields: { name: 'always', postalCode: 'always' } } });
  await audit(page, 'empty form');
  await frame.getByTestId('pay-button').click();
  await frame.getByTestId('card-number-error').getByText('Your card number is incomplete.').waitFor();
  await audit(page, 'with errors');
  await page.close();
  for (const theme of ['night', 'flat']) {
    const t = await openHost({ intent: { mode: 'payment', amount: 1000, currency: 'usd' }, options: { appearance: { theme } } });
    await audit(t.page, theme);
    await t.page.close();
  }
  const intent2 = await createIntent();
  const c = await openHost({ intent: { clientSecret: intent2.client_secret } });
  await fillCard(c.frame, '4000002760003184');
  await c.frame.getByTestId('pay-button').click();
  await c.frame.getByTestId('challenge-modal').waitFor();
  await audit(c.page, 'challenge open');
  await c.page.close();
});

test('demo shop: theme and locale switchers restyle the checkout in place; screenshots of the three themes', async () => {
  const demo = await startShop(gateway.url, keys);
  try {
    const dir = join(ROOT, 'docs/screenshots');
    mkdirSync(dir, { recursive: true });
    const backgrounds = {};
    for (const theme of ['default', 'night', 'flat']) {
      const page = await browser.newPage({ viewport: { width: 560, height: 640 } });
      await page.goto(`${demo.url}/?theme=${theme}&locale=en`);
      await page.waitForSelector('body[data-checkout-ready="true"]');
      const frame = page.frameLocator('iframe[data-tessera="checkout"]');
      await frame.getByTestId('card-number').pressSequentially('4242424242424242');
      await frame.getByTestId('card-expiry').pressSequentially('12');
      backgrounds[theme] = await checkoutFrame(page).evaluate(() => getComputedStyle(document.getElementById('card-number')).backgroundColor);
      await page.getByTestId('checkout-host').screenshot({ path: join(dir, `theme-${theme}.png`), animations: 'disabled' });
      if (theme === 'default') {
        // The switchers update the mounted checkout without reloading it: typed digits survive.
        await page.getByTestId('theme-switcher').selectOption('night');
        await checkoutFrame(page).waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(31, 33, 48)');
        await page.getByTestId('locale-switcher').selectOption('zh-HK');
        await frame.getByText('卡號').waitFor();
        assert.equal(await frame.getByTestId('card-number').inputValue(), '4242 4242 4242 4242');
      }
      await page.close();
    }
    assert.equal(new Set(Object.values(backgrounds)).size, 3, JSON.stringify(backgrounds));
  } finally {
    await demo.stop();
  }
});
