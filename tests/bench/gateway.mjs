// Create + confirm (pm_card_visa) against the built gateway on local workerd, next to a no-op
// Worker (tests/bench/noop-worker) served by the same wrangler dev and driven by the same client
// code in the same run: the no-op is the floor set by wrangler, workerd and this load generator
// (which shares the machine's cores). Not a test: prints one JSON object. Usage:
//   node tests/bench/gateway.mjs [iterations=300] [concurrencies=1,10,50]
// Build first (`cargo xtask build gateway`); keys come from edge-worker/.dev.vars.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, devKeys, freePort, ROOT } from '../harness.mjs';

const iterations = Number(process.argv[2] || 300);
const concurrencies = (process.argv[3] || '1,10,50').split(',').map(Number);
const warmup = 20;

/** `wrangler dev` on the no-op Worker; `stop()` kills its process group. */
async function startNoop() {
  const port = await freePort();
  const inspector = await freePort();
  const state = mkdtempSync(join(tmpdir(), 'tessera-noop-'));
  const child = spawn(join(ROOT, 'node_modules/.bin/wrangler'), [
    'dev', '--config', 'tests/bench/noop-worker/wrangler.toml', '--ip', '127.0.0.1', '--port', String(port),
    '--inspector-port', String(inspector), '--persist-to', state,
    '--show-interactive-dev-session=false', '--log-level', 'warn',
  ], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_UPDATE_NOTIFIER: '1' },
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(state, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error('the no-op worker did not come up');
    }
    try {
      await (await fetch(url)).arrayBuffer();
      return { url, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

function client(baseUrl, secret) {
  async function post(path, body) {
    const res = await fetch(baseUrl + path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });
    const json = await res.json();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
  return async function once() {
    const t0 = performance.now();
    const pi = await post('/v1/payment_intents', { amount: '1000', currency: 'usd' });
    const t1 = performance.now();
    const done = await post(`/v1/payment_intents/${pi.id}/confirm`, { payment_method: 'pm_card_visa' });
    const t2 = performance.now();
    if (done.status !== 'succeeded') throw new Error(`unexpected status ${done.status}`);
    return { create: t1 - t0, confirm: t2 - t1, total: t2 - t0 };
  };
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const round = (v) => Math.round(v * 100) / 100;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]), mean: round(values.reduce((a, b) => a + b, 0) / values.length) };
}

async function measure(once, concurrency) {
  for (let i = 0; i < warmup; i++) await once();
  const samples = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < iterations) {
      next++;
      samples.push(await once());
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  return {
    iterations: samples.length,
    concurrency,
    warmup,
    create: stats(samples.map((s) => s.create)),
    confirm: stats(samples.map((s) => s.confirm)),
    create_plus_confirm: stats(samples.map((s) => s.total)),
    pairs_per_second: Math.round((samples.length / elapsed) * 10) / 10,
  };
}

const { secret } = devKeys();
const gateway = await startGateway();
let noop;
try {
  noop = await startNoop();
  const gatewayOnce = client(gateway.url, secret);
  const noopOnce = client(noop.url, secret);
  const rows = [];
  for (const concurrency of concurrencies) {
    // The floor first, then the gateway, at each level, so both see the same machine state.
    const floor = await measure(noopOnce, concurrency);
    const real = await measure(gatewayOnce, concurrency);
    rows.push({ concurrency, gateway: real, noop: floor });
  }
  console.log(JSON.stringify({
    what: 'POST /v1/payment_intents then POST /v1/payment_intents/{id}/confirm (pm_card_visa), ms; the same two requests to a no-op Worker',
    runtime: 'wrangler dev (workerd), local, release wasm; no-op Worker in JS',
    rows,
    node: process.version,
    date: new Date().toISOString(),
  }, null, 2));
} finally {
  await noop?.stop();
  await gateway.stop();
}
