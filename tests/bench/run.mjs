// `cargo xtask bench`: runs every benchmark on this machine in one go and writes BENCHMARKS.md
// and BENCHMARKS.json. Not a test: nothing here passes or fails on a timing.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { ROOT } from '../harness.mjs';

const run = (cmd, args) => execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
const lastJson = (text) => JSON.parse(text.slice(text.indexOf('{')));
const gz = (path) => gzipSync(readFileSync(join(ROOT, path)), { level: 9 }).length;
const raw = (path) => readFileSync(join(ROOT, path)).length;

function opsPerSec(fn) {
  for (let i = 0; i < 2000; i++) fn();
  const start = process.hrtime.bigint();
  let n = 0;
  while (process.hrtime.bigint() - start < 1_000_000_000n) { for (let i = 0; i < 200; i++) fn(); n += 200; }
  return Math.round(n / (Number(process.hrtime.bigint() - start) / 1e9));
}

function nodeVerifiers() {
  const stripe = new Stripe('sk_test_x');
  const secret = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
  return [64, 1024].map((size) => {
    // The same JSON bytes the Rust benchmark verifies (constructEvent parses the payload).
    const payload = `{"id":"evt_1","pad":"${'x'.repeat(size - 23)}"}`;
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
    const wh = new Webhook(secret.slice(6));
    const ts = new Date();
    const sig = wh.sign('msg_1', ts, payload);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(ts / 1000)), 'webhook-signature': sig };
    return {
      payload_bytes: size,
      stripe_node_constructEvent_ops_per_sec: opsPerSec(() => stripe.webhooks.constructEvent(payload, header, secret)),
      standardwebhooks_verify_ops_per_sec: opsPerSec(() => wh.verify(payload, headers)),
    };
  });
}

function opensslHmac() {
  try {
    const out = run('openssl', ['speed', '-seconds', '1', '-bytes', '64', '-hmac', 'sha256']);
    const line = out.split('\n').find((l) => l.startsWith('hmac(sha256)'));
    const kbPerSec = parseFloat(line.trim().split(/\s+/).pop().replace('k', ''));
    return { payload_bytes: 64, ops_per_sec: Math.round((kbPerSec * 1000) / 64) };
  } catch (e) {
    return { error: String(e.message || e) };
  }
}

const results = { date: new Date().toISOString(), node: process.version };
console.error('bench: webhook verification');
results.verify_shared_native = lastJson(run('cargo', ['run', '-q', '--release', '-p', 'shared', '--example', 'verify_bench']));
results.verify_node = nodeVerifiers();
results.openssl_hmac_sha256 = opensslHmac();
console.error('bench: gateway');
results.gateway = [1, 10, 50].map((c) => lastJson(run('node', ['tests/bench/gateway.mjs', c === 1 ? '300' : '500', String(c)])));
results.worker_bundle = {
  wasm_raw: raw('edge-worker/build/index_bg.wasm'), wasm_gzip: gz('edge-worker/build/index_bg.wasm'),
  js_raw: raw('edge-worker/build/index.js'), js_gzip: gz('edge-worker/build/index.js'),
};
console.error('bench: widget (headless Chromium)');
run('node', ['tests/bench/widget.mjs', '--runs', '15']);
results.widget = JSON.parse(readFileSync(join(ROOT, 'dist/bench/widget.json'), 'utf8'));
writeFileSync(join(ROOT, 'BENCHMARKS.json'), JSON.stringify(results, null, 2) + '\n');

const w = results.widget;
const rows = (list, f) => list.map(f).join('\n');
const md = `# Benchmarks

Made by \`cargo xtask bench\` on ${results.date} (${process.version}, ${w.chromium ? 'Chromium ' + w.chromium : ''}); raw
figures in \`BENCHMARKS.json\`. Machine: 2 cores, shared; figures are from one run and vary
between runs by tens of percent. Timings are measured here, never asserted in tests.

## Widget critical path (gzip -9 bytes; budget 100 KB)

\`\`\`json
${JSON.stringify(w.criticalPath, null, 2)}
\`\`\`

## Widget timings (headless Chromium)

\`mount()\` → first interactive field, widget vs a bare HTML form in an iframe from the gateway
origin (the floor), same run:

\`\`\`json
${JSON.stringify(w.mountToInteractiveMs, null, 2)}
\`\`\`

Keystroke → formatted and validated (ms):

\`\`\`json
${JSON.stringify(w.keystrokeToFormattedMs, null, 2)}
\`\`\`

## Gateway: create + confirm on local workerd (\`node tests/bench/gateway.mjs N C\`)

| concurrency | pairs/s | p50 ms | p99 ms |
|---|---|---|---|
${rows(results.gateway, (g) => `| ${g.concurrency} | ${g.pairs_per_second} | ${g.create_plus_confirm.p50} | ${g.create_plus_confirm.p99} |`)}

Worker bundle: wasm ${results.worker_bundle.wasm_raw} B raw / ${results.worker_bundle.wasm_gzip} B gzip; JS glue ${results.worker_bundle.js_raw} B raw / ${results.worker_bundle.js_gzip} B gzip.

## Webhook signature verification (ops/s, one thread)

| payload | shared, Stripe scheme (native) | shared, Standard Webhooks (native) | stripe-node constructEvent | standardwebhooks (npm) |
|---|---|---|---|---|
${rows(results.verify_shared_native.results, (r, i) => `| ${r.payload_bytes} B | ${r.stripe_verify_ops_per_sec} | ${r.standard_verify_ops_per_sec} | ${results.verify_node[i].stripe_node_constructEvent_ops_per_sec} | ${results.verify_node[i].standardwebhooks_verify_ops_per_sec} |`)}

Hardware reference, \`openssl speed -hmac sha256\` at 64 B: ${results.openssl_hmac_sha256.ops_per_sec ?? results.openssl_hmac_sha256.error} HMACs/s.

Not yet measured (issue 6): shared's verifier as wasm under node, card-rule ops/s against
braintree's card-validator and the 100,000-number agreement corpus, a no-op worker baseline,
and charts.
`;
writeFileSync(join(ROOT, 'BENCHMARKS.md'), md);
console.log(md);
