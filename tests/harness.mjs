// Shared test plumbing: free ports, the gateway on real workerd (wrangler dev), the demo shop,
// and headless Debian Chromium. Every server started here is stopped by the returned `stop()`,
// which kills its whole process group, so no process outlives a test file.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Keys from edge-worker/.dev.vars (written by `cargo xtask`). */
export function devKeys() {
  const text = readFileSync(join(ROOT, 'edge-worker/.dev.vars'), 'utf8');
  const get = (name) => (text.match(new RegExp(`^${name}=(.*)$`, 'm')) || [])[1]?.trim();
  return { secret: get('TESSERA_SECRET_KEY'), publishable: get('TESSERA_PUBLISHABLE_KEY') };
}

async function waitFor(url, ms, child) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`server exited early (${child.exitCode})`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not come up within ${ms} ms`);
}

function stopper(child, cleanup) {
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
      await exited;
      clearTimeout(timer);
    }
    cleanup?.();
  };
}

/** Starts the built gateway on workerd with fresh, private state. */
export async function startGateway(options = {}) {
  // A free port can be taken by another process between our probe and wrangler's bind.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startGatewayOnce(options);
    } catch (e) {
      if (attempt >= 4 || !/Address already in use/.test(e.message)) throw e;
    }
  }
}

async function startGatewayOnce({ persistTo, vars = {} } = {}) {
  const port = await freePort();
  const inspector = await freePort();
  const state = persistTo || mkdtempSync(join(tmpdir(), 'tessera-state-'));
  const log = [];
  const child = spawn(join(ROOT, 'node_modules/.bin/wrangler'), [
    'dev', '--config', 'edge-worker/wrangler.toml', '--ip', '127.0.0.1', '--port', String(port),
    '--inspector-port', String(inspector), '--persist-to', state,
    '--show-interactive-dev-session=false', '--log-level', 'warn',
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_UPDATE_NOTIFIER: '1' },
  });
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/tessera.js`, 60_000, child);
  } catch (e) {
    await stopper(child)();
    throw new Error(`${e.message}\n${log.join('')}`);
  }
  return { url, port, state, log, stop: stopper(child, persistTo ? undefined : () => rmSync(state, { recursive: true, force: true })) };
}

/** The demo shop on its own origin, creating intents through `gatewayUrl`. */
export async function startShop(gatewayUrl, keys = devKeys()) {
  const port = await freePort();
  const child = spawn('node', ['www/shop/server.mjs'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SHOP_PORT: String(port), GATEWAY_URL: gatewayUrl,
           TESSERA_SECRET_KEY: keys.secret, TESSERA_PUBLISHABLE_KEY: keys.publishable },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/`, 15_000, child);
  return { url, stop: stopper(child) };
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Stripe-style form POST / GET with a key, returning {status, body, headers}. */
export async function api(base, key, method, path, params, headers = {}) {
  const init = { method, headers: { Authorization: `Bearer ${key}`, ...headers } };
  if (params !== undefined && method !== 'GET') {
    init.body = typeof params === 'string' ? params : new URLSearchParams(params).toString();
    init.headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body, headers: res.headers };
}
