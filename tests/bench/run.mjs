// `cargo xtask bench`: runs every benchmark on this machine in one go, writes BENCHMARKS.json,
// then report.mjs draws docs/bench/*.png and writes BENCHMARKS.md. Not a test: nothing here passes or fails on a
// timing. Needs what `cargo xtask bench` builds first: dist/ (widget and assets),
// edge-worker/build (gateway) and dist/bench/shared-wasm (shared as wasm for node).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { ROOT } from '../harness.mjs';
import { corpus, agreement, sample, nodeOps, opsPerSec } from './cards.mjs';
import { writeReport } from './report.mjs';

const run = (cmd, args) => execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
const lastJson = (text) => JSON.parse(text.slice(text.indexOf('{')));
const gz = (path) => gzipSync(readFileSync(join(ROOT, path)), { level: 9 }).length;
const raw = (path) => readFileSync(join(ROOT, path)).length;

const wasmGlue = join(ROOT, 'dist/bench/shared-wasm/shared_wasm.js');
if (!existsSync(wasmGlue)) throw new Error(`${wasmGlue} is missing: run \`cargo xtask bench\`, which builds it`);
const wasm = createRequire(import.meta.url)(wasmGlue);

function nodeVerifiers() {
  const stripe = new Stripe('sk_test_x');
  const secret = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
  return [64, 1024].map((size) => {
    // The same JSON bytes the Rust benchmark verifies (constructEvent also parses them).
    const payload = `{"id":"evt_1","pad":"${'x'.repeat(size - 23)}"}`;
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
    const wh = new Webhook(secret.slice(6));
    const ts = new Date();
    const sig = wh.sign('msg_1', ts, payload);
    const tsHeader = String(Math.floor(ts / 1000));
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': tsHeader, 'webhook-signature': sig };
    const now = () => Math.floor(Date.now() / 1000);
    return {
      payload_bytes: size,
      shared_wasm_stripe_verify_ops_per_sec: opsPerSec(() => wasm.verify_stripe(payload, header, secret, now())),
      shared_wasm_standard_verify_ops_per_sec: opsPerSec(() => wasm.verify_standard(payload, 'msg_1', tsHeader, sig, secret, now())),
      stripe_node_constructEvent_ops_per_sec: opsPerSec(() => stripe.webhooks.constructEvent(payload, header, secret)),
      stripe_node_verifyHeader_ops_per_sec: opsPerSec(() => stripe.webhooks.signature.verifyHeader(payload, header, secret)),
      standardwebhooks_verify_ops_per_sec: opsPerSec(() => wh.verify(payload, headers)),
    };
  });
}

function opensslHmac() {
  try {
    const out = run('openssl', ['speed', '-seconds', '1', '-bytes', '64', '-hmac', 'sha256']);
    const line = out.split('\n').find((l) => l.startsWith('hmac(sha256)'));
    const kbPerSec = parseFloat(line.trim().split(/\s+/).pop().replace('k', ''));
    return { payload_bytes: 64, ops_per_sec: Math.round((kbPerSec * 1000) / 64), version: run('openssl', ['version']).trim() };
  } catch (e) {
    return { error: String(e.message || e) };
  }
}

const results = { date: new Date().toISOString(), node: process.version, machine: { cpus: cpus().length, model: cpus()[0]?.model, load_average_at_start: loadavg().map((x) => Math.round(x * 100) / 100) } };

console.error('bench: webhook verification');
results.webhooks = {
  shared_native: lastJson(run('cargo', ['run', '-q', '--release', '-p', 'shared', '--example', 'verify_bench'])),
  node: nodeVerifiers(),
  openssl_hmac_sha256: opensslHmac(),
};

console.error('bench: card rules (corpus, agreement, ops/s)');
const cards = corpus();
const inputs = sample(cards);
mkdirSync(join(ROOT, 'dist/bench'), { recursive: true });
const samplePath = 'dist/bench/card-sample.txt';
writeFileSync(join(ROOT, samplePath), inputs.join('\n') + '\n');
results.cards = {
  inputs: `${inputs.length} full-length numbers drawn evenly from the corpus (every brand and length; about a tenth fail Luhn), ${samplePath}`,
  shared_native: lastJson(run('cargo', ['run', '-q', '--release', '-p', 'shared', '--example', 'card_bench', '--', samplePath])),
  node: nodeOps(wasm, inputs),
  agreement: agreement(wasm, cards),
};

console.error('bench: gateway and no-op worker (workerd)');
results.gateway = lastJson(run('node', ['tests/bench/gateway.mjs', '400', '1,10,50']));
results.worker_bundle = {
  wasm_raw: raw('edge-worker/build/index_bg.wasm'), wasm_gzip: gz('edge-worker/build/index_bg.wasm'),
  js_raw: raw('edge-worker/build/index.js'), js_gzip: gz('edge-worker/build/index.js'),
};

console.error('bench: widget (headless Chromium)');
run('node', ['tests/bench/widget.mjs', '--runs', '15']);
results.widget = JSON.parse(readFileSync(join(ROOT, 'dist/bench/widget.json'), 'utf8'));

writeFileSync(join(ROOT, 'BENCHMARKS.json'), JSON.stringify(results, null, 2) + '\n');
console.log(await writeReport(results));
