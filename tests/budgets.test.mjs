// Size budgets, checked on every CI run against the assets the gateway actually serves. Sizes,
// unlike timings, are deterministic, so a regression fails the build instead of a benchmark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gz = (path) => gzipSync(readFileSync(join(root, path)), { level: 9 }).length;

/** Everything a shopper's browser downloads from the shop page to the checkout's `ready`. */
const CRITICAL_PATH = [
  'dist/assets/tessera.js',
  'dist/assets/checkout.html',
  'dist/assets/checkout.css',
  'dist/assets/widget/widget.js',
  'dist/assets/widget/widget_bg.wasm',
];

// Issue budget: the whole critical path in 100 KB of gzip, against Adyen Drop-in's 121.5 KB and
// Hyperswitch's 297-499 KB before their forms paint.
const CRITICAL_PATH_BUDGET = 100_000;
const LOADER_BUDGET = 5_000;
// Cloudflare's limit for a Worker on the free plan is 3 MB gzip; staying far below it keeps
// cold starts short.
const WORKER_BUDGET = 450_000;

test(`the checkout's critical path is at most ${CRITICAL_PATH_BUDGET} bytes of gzip`, () => {
  const sizes = CRITICAL_PATH.map((path) => [path, gz(path)]);
  const total = sizes.reduce((sum, [, n]) => sum + n, 0);
  const table = sizes.map(([path, n]) => `${path}: ${n}`).join('\n');
  assert.ok(total <= CRITICAL_PATH_BUDGET, `critical path is ${total} B gzip, over the ${CRITICAL_PATH_BUDGET} B budget:\n${table}\n` +
    '(without the rust-src component the widget is built without its size flags: `rustup component add rust-src`)');
});

test(`the loader script is at most ${LOADER_BUDGET} bytes of gzip`, () => {
  const n = gz('dist/assets/tessera.js');
  assert.ok(n <= LOADER_BUDGET, `tessera.js is ${n} B gzip`);
});

test(`the gateway's worker bundle is at most ${WORKER_BUDGET} bytes of gzip`, () => {
  const build = 'edge-worker/build';
  const parts = ['index_bg.wasm', 'index.js'].map((f) => join(build, f)).filter((p) => existsSync(join(root, p)));
  assert.ok(parts.length > 0, 'edge-worker/build is missing: run `cargo xtask build gateway`');
  const total = parts.reduce((sum, p) => sum + gz(p), 0);
  assert.ok(total <= WORKER_BUDGET, `worker bundle is ${total} B gzip`);
});
