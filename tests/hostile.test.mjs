// Hostile input: schemathesis (PyPI, pinned in tests/hostile/requirements.txt) generates valid and
// invalid requests for every operation in the served /v1/openapi.json and runs them against the
// gateway on workerd, following the document's links through real objects. The run must find no
// 5xx and no response that breaks the document (status, content type, headers, body schema), and
// no operation may answer without its key. The gateway runs with webhook URLs restricted to this
// machine, so no generated endpoint URL is ever sent a delivery.
//
// HOSTILE_EXAMPLES (default 25 per operation) and HOSTILE_SEED (default fixed) tune the run;
// `cargo xtask setup` installs schemathesis into target/hostile-venv.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, devKeys, api, ROOT } from './harness.mjs';

const PYTHON = join(ROOT, 'target/hostile-venv/bin/python3');
// schemathesis's own entry point, with a deeper recursion limit: generating the nested request
// bodies can reach CPython's default 1000 frames, and 3.11 then fails inside its error reporting.
const LAUNCH = 'import sys; sys.setrecursionlimit(10000); from schemathesis.cli import schemathesis; sys.argv[0] = "schemathesis"; sys.exit(schemathesis())';
const EXAMPLES = Number(process.env.HOSTILE_EXAMPLES || 25);
const SEED = process.env.HOSTILE_SEED || '20260501';
// Every check that judges the gateway's answers; the two that judge whether the document's
// request schemas predict acceptance exactly (positive/negative_data_acceptance) are left out:
// Stripe's API has rules across parameters (a test card that declines, `charge` xor
// `payment_intent`) that JSON Schema cannot state, so a 402 or 400 there is the right answer.
const CHECKS = [
  'not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_headers_conformance',
  'response_schema_conformance', 'ignored_auth', 'use_after_free', 'ensure_resource_availability',
];
// `unsupported_method` is left out too: like Stripe, a known path with a method it lacks
// (DELETE /v1/refunds) is an unknown URL, 404 resource_missing; an unknown verb is a 405.

let gateway, keys, receiver, work;
const fixtures = {};

before(async () => {
  assert.ok(existsSync(join(ROOT, 'target/hostile-venv/bin/schemathesis')), `target/hostile-venv/bin/schemathesis is missing: run \`cargo xtask setup\` (pip install -r tests/hostile/requirements.txt)`);
  // Deliveries to fixture endpoints land here and are acknowledged.
  receiver = createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  gateway = await startGateway({ vars: { TESSERA_WEBHOOK_ALLOW_LOOPBACK: 'only' } });
  keys = devKeys();
  const post = async (path, params) => {
    const r = await api(gateway.url, keys.secret, 'POST', path, params);
    assert.ok(r.status === 200 || r.status === 402, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.status === 200 ? r.body : r.body.error.payment_intent;
  };
  const intent = (extra) => post('/v1/payment_intents', { amount: '2000', currency: 'usd', ...extra });
  // One intent in every state, so generated calls reach each branch of the state machine.
  fixtures.intents = [
    await intent({}),
    await intent({ payment_method: 'pm_card_visa' }),
    await intent({ payment_method: 'pm_card_visa', confirm: 'true' }),
    await intent({ payment_method: 'pm_card_visa', confirm: 'true', capture_method: 'manual' }),
    await intent({ payment_method: 'pm_card_chargeDeclined', confirm: 'true' }),
    await intent({ confirm: 'true', 'payment_method_data[type]': 'card', 'payment_method_data[card][number]': '4000000000007007',
      'payment_method_data[card][exp_month]': '12', 'payment_method_data[card][exp_year]': String(new Date().getUTCFullYear() + 2) }),
    await intent({ payment_method: 'pm_card_threeDSecureRequired', confirm: 'true', return_url: 'https://shop.example/done' }),
  ];
  const canceled = await intent({});
  fixtures.intents.push(await post(`/v1/payment_intents/${canceled.id}/cancel`, {}));
  fixtures.pm = await post('/v1/payment_methods', { type: 'card', 'card[number]': '4242424242424242', 'card[exp_month]': '12', 'card[exp_year]': String(new Date().getUTCFullYear() + 2), 'card[cvc]': '123' });
  fixtures.refund = await post('/v1/refunds', { payment_intent: fixtures.intents[2].id, amount: '500' });
  // The run may create endpoints with any URL it likes: only this machine's are accepted.
  const outside = await api(gateway.url, keys.secret, 'POST', '/v1/webhook_endpoints', { url: 'https://example.com/hooks', 'enabled_events[]': '*' });
  assert.equal(outside.status, 400, JSON.stringify(outside.body));
  assert.equal(outside.body.error.param, 'url');
  fixtures.endpoint = await post('/v1/webhook_endpoints', { url: `http://127.0.0.1:${receiver.address().port}/hooks`, 'enabled_events[]': '*' });
  const charges = await api(gateway.url, keys.secret, 'GET', '/v1/charges?limit=100');
  const events = await api(gateway.url, keys.secret, 'GET', '/v1/events?limit=100');
  fixtures.charges = charges.body.data.map((c) => c.id);
  fixtures.events = events.body.data.map((e) => e.id);
  assert.equal(new Set(fixtures.intents.map((i) => i.status)).size, 7, fixtures.intents.map((i) => i.status).join());
});

after(async () => {
  await gateway?.stop();
  receiver?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** schemathesis.toml: keys per security scheme, and real ids offered for half the generated ids. */
function config() {
  const list = (values) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
  const dictionaries = {
    intents: fixtures.intents.map((i) => i.id),
    secrets: fixtures.intents.map((i) => i.client_secret),
    payment_methods: [fixtures.pm.id, 'pm_card_visa', 'pm_card_chargeDeclined'],
    charges: fixtures.charges,
    refunds: [fixtures.refund.id],
    events: fixtures.events,
    endpoints: [fixtures.endpoint.id],
  };
  const bindings = {
    'path.intent': 'intents', 'query.client_secret': 'secrets', 'body.client_secret': 'secrets',
    'path.payment_method': 'payment_methods', 'body.payment_method': 'payment_methods', 'path.charge': 'charges',
    'body.charge': 'charges', 'query.payment_intent': 'intents', 'body.payment_intent': 'intents', 'path.refund': 'refunds',
    'path.event': 'events', 'query.event': 'events', 'path.webhook_endpoint': 'endpoints', 'body.webhook_endpoint': 'endpoints',
  };
  return [
    '[auth.openapi.secretKey]', `bearer = ${JSON.stringify(keys.secret)}`,
    '[auth.openapi.publishableKey]', `bearer = ${JSON.stringify(keys.publishable)}`,
    ...Object.entries(dictionaries).flatMap(([name, values]) => [`[dictionaries.${name}]`, `values = ${list(values)}`]),
    '[parameters]',
    ...Object.entries(bindings).map(([key, name]) => `${JSON.stringify(key)} = { dictionary = "${name}", probability = 0.5 }`),
    '',
  ].join('\n');
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('schemathesis: no 5xx and no answer outside the OpenAPI document, for every operation', { timeout: 600_000 }, async (t) => {
  work = mkdtempSync(join(tmpdir(), 'tessera-hostile-'));
  writeFileSync(join(work, 'schemathesis.toml'), config());
  const started = Date.now();
  const { code, out } = await run(PYTHON, [
    '-c', LAUNCH, '--config-file', join(work, 'schemathesis.toml'), '--no-color',
    'run', `${gateway.url}/v1/openapi.json`, '--url', gateway.url,
    '--checks', CHECKS.join(','), '--max-examples', String(EXAMPLES), '--seed', SEED,
    '--workers', '2', '--request-timeout', '20', '--output-truncate', 'false',
    '--report', 'junit', '--report-dir', join(work, 'report'),
  ], { cwd: work, env: { ...process.env, NO_COLOR: '1' } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  mkdirSync(join(ROOT, 'tests/artifacts'), { recursive: true });
  writeFileSync(join(ROOT, 'tests/artifacts/hostile-schemathesis.txt'), out);
  const generated = out.match(/(\d+) generated/)?.[1];
  const operations = out.match(/Tested: (\d+)/)?.[1];
  t.diagnostic(`schemathesis: ${generated} test cases over ${operations} operations in ${seconds} s (seed ${SEED}, ${EXAMPLES} examples per operation)`);
  assert.equal(code, 0, `schemathesis found problems (seed ${SEED}; full log in tests/artifacts/hostile-schemathesis.txt):\n${out.slice(-20_000)}`);
  assert.ok(Number(generated) > 1000, `only ${generated} test cases ran:\n${out.slice(-4000)}`);
  // Every route of the API is in the document and was exercised.
  const doc = (await api(gateway.url, null, 'GET', '/v1/openapi.json')).body;
  const ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).filter((k) => k !== 'parameters').map((m) => `${m} ${path}`));
  // schemathesis does not test the document's own URL.
  assert.equal(Number(operations), ops.filter((op) => op !== 'get /v1/openapi.json').length, out.slice(-4000));
  assert.ok(ops.length >= 25, `${ops.length} operations in the document`);
});

test('after the run the fixtures are intact: a fuzzed call never charged a settled intent twice', async () => {
  for (const intent of fixtures.intents.filter((i) => i.status === 'succeeded')) {
    const charges = await api(gateway.url, keys.secret, 'GET', `/v1/charges?payment_intent=${intent.id}&limit=100`);
    assert.equal(charges.status, 200);
    assert.equal(charges.body.data.filter((c) => c.status === 'succeeded').length, 1, `${intent.id}: ${charges.body.data.map((c) => c.id)}`);
  }
});
