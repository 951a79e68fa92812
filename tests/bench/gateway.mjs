// Latency of create + confirm (pm_card_visa) against the built gateway on local workerd.
// Not a test: prints one JSON object. Usage:
//   node tests/bench/gateway.mjs [iterations=300] [concurrency=1]
// Build first (`cargo xtask build gateway`); keys come from edge-worker/.dev.vars.
import { startGateway, devKeys } from '../harness.mjs';

const iterations = Number(process.argv[2] || 300);
const concurrency = Number(process.argv[3] || 1);
const warmup = 20;

const gateway = await startGateway();
const { secret } = devKeys();

async function post(path, body) {
  const res = await fetch(gateway.url + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function once() {
  const t0 = performance.now();
  const pi = await post('/v1/payment_intents', { amount: '1000', currency: 'usd' });
  const t1 = performance.now();
  const done = await post(`/v1/payment_intents/${pi.id}/confirm`, { payment_method: 'pm_card_visa' });
  const t2 = performance.now();
  if (done.status !== 'succeeded') throw new Error(`unexpected status ${done.status}`);
  return { create: t1 - t0, confirm: t2 - t1, total: t2 - t0 };
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const round = (v) => Math.round(v * 100) / 100;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]), mean: round(values.reduce((a, b) => a + b, 0) / values.length) };
}

try {
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
  console.log(JSON.stringify({
    what: 'POST /v1/payment_intents then POST /v1/payment_intents/{id}/confirm (pm_card_visa), ms',
    runtime: 'wrangler dev (workerd), local, release wasm',
    iterations: samples.length,
    concurrency,
    warmup,
    create: stats(samples.map((s) => s.create)),
    confirm: stats(samples.map((s) => s.confirm)),
    create_plus_confirm: stats(samples.map((s) => s.total)),
    pairs_per_second: Math.round((samples.length / elapsed) * 10) / 10,
    node: process.version,
    date: new Date().toISOString(),
  }, null, 2));
} finally {
  await gateway.stop();
}
