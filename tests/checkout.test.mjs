// The walking skeleton in a real browser: demo shop (its own origin) → loader → iframe from the
// gateway origin → Leptos widget → gateway on workerd → sandbox processor → events to the shop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, startShop, launchBrowser } from './harness.mjs';

let gateway, shop, browser;

before(async () => {
  gateway = await startGateway();
  shop = await startShop(gateway.url);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await shop?.stop();
  await gateway?.stop();
});

async function openShop(query = '') {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  // Everything the shop's own page (not the gateway frame) sends over the network.
  page.shopTraffic = [];
  page.on('request', (r) => { if (r.frame() === page.mainFrame()) page.shopTraffic.push(r.url() + ' ' + (r.postData() || '')); });
  await page.goto(`${shop.url}/${query}`);
  const frame = page.frameLocator('iframe[data-tessera="checkout"]');
  await frame.getByTestId('pay-button').waitFor();
  return { page, frame, errors };
}

async function fillCard(frame, number, expiry = '12 / 34', cvc = '123') {
  await frame.getByTestId('card-number').pressSequentially(number);
  await frame.getByTestId('card-expiry').pressSequentially(expiry.replace(/\D/g, ''));
  await frame.getByTestId('card-cvc').pressSequentially(cvc);
}

test('4242 pays: the widget shows success and the shop page receives the event', async () => {
  const { page, frame, errors } = await openShop();
  await assert.doesNotReject(page.waitForSelector('body[data-checkout-ready="true"]'));
  // The amount is formatted for the shopper before paying.
  assert.match(await frame.getByTestId('pay-button').innerText(), /HK\$\s?120/);
  await fillCard(frame, '4242424242424242');
  assert.equal(await frame.getByTestId('card-number').inputValue(), '4242 4242 4242 4242');
  await frame.getByTestId('pay-button').click();
  await frame.getByTestId('payment-success').waitFor();
  await page.getByText(/Order paid \(pi_/).waitFor();
  const html = await page.content();
  for (const leaked of ['4242424242424242', '4242 4242 4242 4242']) {
    assert.ok(!html.includes(leaked), `the shop page's DOM must never contain the card number`);
  }
  assert.ok(!page.shopTraffic.some((t) => t.includes('4242424242424242')), 'the shop page never sends the card number');
  assert.deepEqual(errors, []);
  await page.close();
});

test('4000 0000 0000 0002 is declined with "Your card was declined."', async () => {
  const { page, frame } = await openShop();
  await fillCard(frame, '4000000000000002');
  // Typed while the intent may still be loading: nothing the shopper typed is lost.
  assert.equal(await frame.getByTestId('card-number').inputValue(), '4000 0000 0000 0002');
  await frame.getByTestId('pay-button').click();
  await assert.doesNotReject(frame.getByTestId('form-error').getByText('Your card was declined.').waitFor());
  await page.getByText('Payment failed: Your card was declined.').waitFor();
  // The shopper can try again with another card on the same intent.
  await frame.getByTestId('card-number').fill('');
  await frame.getByTestId('card-number').pressSequentially('4242424242424242');
  await frame.getByTestId('pay-button').click();
  await frame.getByTestId('payment-success').waitFor();
  const html = await page.content();
  assert.ok(!html.includes('4000000000000002') && !html.includes('4000 0000 0000 0002'));
  await page.close();
});
