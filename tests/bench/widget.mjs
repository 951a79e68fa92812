// Widget benchmark (a measurement, not a test: nothing here passes or fails).
//
//   node tests/bench/widget.mjs [--runs N]
//
// Reports, as one JSON object on stdout and in dist/bench/widget.json:
// - each critical-path asset from the shop page to `ready` (loader, iframe HTML, CSS, JS glue,
//   wasm) raw and gzip -9, and their gzip total against the 100 KB budget;
// - mount() → first interactive field in headless Chromium, cold cache (a fresh browser context
//   per run) and warm (a second mount in the same page), next to the floor for an isolated form:
//   www/bench/bare-form.html (same fields and CSS, no wasm) in an iframe from the gateway
//   origin, measured in the same run, alternating with the widget;
// - keystroke → formatted-and-validated latency in the card-number field, p50 / p99.
// Needs a built dist/ (cargo xtask build widget) and edge-worker/build.
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startGateway, launchBrowser, devKeys, freePort, ROOT } from '../harness.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
const ASSETS = ['tessera.js', 'checkout.html', 'checkout.css', 'widget/widget.js', 'widget/widget_bg.wasm'];
const BUDGET = 100 * 1024;

function sizes() {
  const assets = ASSETS.map((file) => {
    const bytes = readFileSync(join(ROOT, 'dist/assets', file));
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const total = assets.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
  return { assets, total, budgetGzip: BUDGET, withinBudget: total.gzip <= BUDGET };
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const round = (x) => Math.round(x * 100) / 100;
  return { n: s.length, min: round(s[0]), p50: round(q(0.5)), p90: round(q(0.9)), p99: round(q(0.99)), max: round(s[s.length - 1]) };
}

async function hostServer(gateway, pk) {
  const port = await freePort();
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>bench host</title></head><body>
<div id="host"></div>
<script src="${gateway}/tessera.js"></script>
<script>
  const GW = ${JSON.stringify(gateway)};
  // Widget: mount() → 'ready' (the form is interactive). Deferred intent, so no API round trip.
  window.mountWidget = () => new Promise((resolve) => {
    document.getElementById('host').innerHTML = '';
    const co = Tessera(${JSON.stringify(pk)}, { locale: 'en' }).checkout({ mode: 'payment', amount: 12000, currency: 'hkd' });
    const t0 = performance.now();
    co.on('ready', () => resolve(performance.now() - t0));
    co.mount('#host');
    window.co = co;
  });
  // Floor: the bare form in an iframe from the gateway origin, to its first frame.
  window.mountBare = () => new Promise((resolve) => {
    document.getElementById('host').innerHTML = '';
    const frame = document.createElement('iframe');
    const t0 = performance.now();
    addEventListener('message', function once(e) {
      if (e.origin !== GW || e.source !== frame.contentWindow || !e.data || e.data.type !== 'ready') return;
      removeEventListener('message', once);
      resolve(performance.now() - t0);
    });
    frame.src = GW + '/bench/bare-form.html#origin=' + encodeURIComponent(location.origin);
    frame.style.cssText = 'border:0;width:100%;height:200px';
    document.getElementById('host').appendChild(frame);
  });
</script></body></html>`;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}/`, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

async function mountTimes(browser, host) {
  const cold = { widget: [], bare: [] };
  const warm = { widget: [], bare: [] };
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first so neither always benefits from a warmer machine.
    const order = i % 2 ? ['bare', 'widget'] : ['widget', 'bare'];
    for (const kind of order) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(host.url);
      const fn = kind === 'widget' ? 'mountWidget' : 'mountBare';
      cold[kind].push(await page.evaluate((f) => window[f](), fn));
      warm[kind].push(await page.evaluate((f) => window[f](), fn));
      await context.close();
    }
  }
  return {
    coldCache: { widget: stats(cold.widget), bareForm: stats(cold.bare) },
    warmCache: { widget: stats(warm.widget), bareForm: stats(warm.bare) },
  };
}

async function keystrokes(browser, host) {
  const page = await browser.newPage();
  await page.goto(host.url);
  await page.evaluate(() => window.mountWidget());
  const frame = page.frames().find((f) => f.url().includes('/checkout'));
  await frame.evaluate(() => {
    // keydown (capture, first) → after the input handlers, the re-render and the effects they
    // schedule (a task queued from the last input listener runs after all of those).
    window.latencies = [];
    let t0 = 0;
    addEventListener('keydown', () => { t0 = performance.now(); }, true);
    addEventListener('input', () => { const start = t0; setTimeout(() => window.latencies.push(performance.now() - start), 0); });
  });
  const field = page.frameLocator('iframe[data-tessera]').getByTestId('card-number');
  const numbers = ['4242424242424242', '378282246310005', '6200000000000005', '5555555555554444'];
  for (let round = 0; round < 12; round++) {
    await field.fill('');
    await field.pressSequentially(numbers[round % numbers.length]);
  }
  const formatted = await field.inputValue();
  const latencies = await frame.evaluate(() => window.latencies);
  await page.close();
  return { ...stats(latencies), lastFormattedValue: formatted };
}

const gateway = await startGateway();
const browser = await launchBrowser();
const host = await hostServer(gateway.url, devKeys().publishable);
try {
  const result = {
    measured: new Date().toISOString(),
    chromium: browser.version(),
    criticalPath: sizes(),
    mountToInteractiveMs: await mountTimes(browser, host),
    keystrokeToFormattedMs: await keystrokes(browser, host),
    runs,
  };
  mkdirSync(join(ROOT, 'dist/bench'), { recursive: true });
  writeFileSync(join(ROOT, 'dist/bench/widget.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  await host.stop();
  await gateway.stop();
}
