// The report half of `cargo xtask bench`: from the figures run.mjs measured, draws the charts
// (docs/bench/*.png) and writes BENCHMARKS.md. `node tests/bench/report.mjs` redraws both from
// the committed BENCHMARKS.json without measuring again.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../harness.mjs';
import { barChart, renderPngs, COLORS } from './charts.mjs';

function thousands(x) {
  return Math.round(x).toLocaleString('en-US');
}

export async function writeReport(results) {
  // ------------------------------------------------------------------ charts

  const w = results.widget;
  const v = results.webhooks;
  const c = results.cards;
  const g = results.gateway.rows;
  const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
  const ms = (x) => `${x.toFixed(1)}`;
  const ratio = (a, b) => (b ? (a / b).toFixed(2) : 'n/a');

  const charts = [
    {
      name: 'widget-sizes',
      alt: 'Widget critical path, gzip bytes per asset',
      svg: barChart({
        title: 'Widget critical path: gzip -9 size per asset',
        subtitle: `Total ${kb(w.criticalPath.total.gzip)} against a ${kb(w.criticalPath.budgetGzip)} budget (dashed)`,
        format: kb,
        rule: { value: w.criticalPath.budgetGzip, label: `budget ${kb(w.criticalPath.budgetGzip)}` },
        groups: [
          { label: '', bars: w.criticalPath.assets.map((a) => ({ label: a.file, value: a.gzip, color: COLORS.wasm })) },
          { label: '', bars: [{ label: 'total', value: w.criticalPath.total.gzip, color: COLORS.native }] },
        ],
      }),
    },
    {
      name: 'widget-mount',
      alt: 'mount() to interactive, widget vs bare HTML form',
      svg: barChart({
        title: 'mount() → interactive, headless Chromium (ms, lower is better)',
        subtitle: `Widget vs a bare HTML form in a gateway-origin iframe, same run, ${w.runs} runs each`,
        unit: ' ms',
        format: ms,
        groups: ['coldCache', 'warmCache'].map((k) => ({
          label: k === 'coldCache' ? 'Cold cache (new browser context)' : 'Warm cache (second mount, same page)',
          bars: [
            { label: 'Tessera widget', value: w.mountToInteractiveMs[k].widget.p50, whisker: w.mountToInteractiveMs[k].widget.p99, color: COLORS.tessera },
            { label: 'bare HTML form (floor)', value: w.mountToInteractiveMs[k].bareForm.p50, whisker: w.mountToInteractiveMs[k].bareForm.p99, color: COLORS.floor },
          ],
        })),
      }),
    },
    {
      name: 'webhook-verify',
      alt: 'Webhook signature verification ops/s by implementation',
      svg: barChart({
        title: 'Webhook signature verification (ops/s, one thread, higher is better)',
        subtitle: `Hardware reference: openssl speed -hmac sha256 = ${thousands(v.openssl_hmac_sha256.ops_per_sec)} HMACs/s at 64 B (not drawn)`,
        groups: v.shared_native.results.map((r, i) => {
          const n = v.node[i];
          return {
            label: `${r.payload_bytes} B payload`,
            bars: [
              { label: 'shared, Stripe scheme (native)', value: r.stripe_verify_ops_per_sec, color: COLORS.native },
              { label: 'shared, Stripe scheme (wasm, node)', value: n.shared_wasm_stripe_verify_ops_per_sec, color: COLORS.wasm },
              { label: 'stripe-node constructEvent', value: n.stripe_node_constructEvent_ops_per_sec, color: COLORS.npm },
              { label: 'stripe-node signature.verifyHeader', value: n.stripe_node_verifyHeader_ops_per_sec, color: COLORS.npm2 },
              { label: 'shared, Standard Webhooks (native)', value: r.standard_verify_ops_per_sec, color: COLORS.native },
              { label: 'shared, Standard Webhooks (wasm, node)', value: n.shared_wasm_standard_verify_ops_per_sec, color: COLORS.wasm },
              { label: 'standardwebhooks (npm)', value: n.standardwebhooks_verify_ops_per_sec, color: COLORS.npm },
            ],
          };
        }),
      }),
    },
    {
      name: 'card-rules',
      alt: 'Card rules ops/s: shared native and wasm vs braintree',
      svg: barChart({
        title: 'Card rules (ops/s, one thread, higher is better)',
        subtitle: `The same ${c.node.inputs} numbers for every implementation`,
        groups: [
          {
            label: 'Validate a number (brand, length, Luhn)',
            bars: [
              { label: 'shared CardNumber::parse (native)', value: c.shared_native.validate_number_ops_per_sec, color: COLORS.native },
              { label: 'shared CardNumber::parse (wasm, node)', value: c.node.shared_wasm_validate_number_ops_per_sec, color: COLORS.wasm },
              { label: 'card-validator number() (npm)', value: c.node.card_validator_number_ops_per_sec, color: COLORS.npm },
            ],
          },
          {
            label: 'Brand detection (matching types, in order)',
            bars: [
              { label: 'shared credit_card_type (native)', value: c.shared_native.credit_card_type_ops_per_sec, color: COLORS.native },
              { label: 'shared credit_card_type (wasm, node)', value: c.node.shared_wasm_credit_card_type_ops_per_sec, color: COLORS.wasm },
              { label: 'credit-card-type (npm)', value: c.node.credit_card_type_ops_per_sec, color: COLORS.npm },
            ],
          },
        ],
      }),
    },
    {
      name: 'gateway-throughput',
      alt: 'Gateway create+confirm pairs/s vs a no-op worker at 1, 10, 50 clients',
      svg: barChart({
        title: 'Create + confirm pairs/s on local workerd (higher is better)',
        subtitle: 'Gateway vs a no-op Worker, same wrangler/workerd, same load generator, same run',
        format: (x) => x.toFixed(1),
        groups: g.map((r) => ({
          label: `${r.concurrency} concurrent client${r.concurrency > 1 ? 's' : ''}`,
          bars: [
            { label: 'Tessera gateway', value: r.gateway.pairs_per_second, color: COLORS.tessera },
            { label: 'no-op Worker (floor)', value: r.noop.pairs_per_second, color: COLORS.floor },
          ],
        })),
      }),
    },
    {
      name: 'gateway-latency',
      alt: 'Gateway create+confirm latency p50/p99 vs a no-op worker',
      svg: barChart({
        title: 'Create + confirm latency on local workerd (ms, lower is better)',
        subtitle: 'Gateway vs a no-op Worker, same run',
        unit: ' ms',
        format: ms,
        groups: g.map((r) => ({
          label: `${r.concurrency} concurrent client${r.concurrency > 1 ? 's' : ''}`,
          bars: [
            { label: 'Tessera gateway', value: r.gateway.create_plus_confirm.p50, whisker: r.gateway.create_plus_confirm.p99, color: COLORS.tessera },
            { label: 'no-op Worker (floor)', value: r.noop.create_plus_confirm.p50, whisker: r.noop.create_plus_confirm.p99, color: COLORS.floor },
          ],
        })),
      }),
    },
  ];
  console.error('bench: charts');
  await renderPngs(charts);

  // ---------------------------------------------------------------- markdown

  const img = (name) => { const ch = charts.find((x) => x.name === name); return `![${ch.alt}](docs/bench/${name}.png)`; };
  const rows = (list, f) => list.map(f).join('\n');
  const a = c.agreement;
  const types = a.credit_card_type;
  const validity = a.card_validator_is_valid;
  const unknownValid = validity.reasons.unknown_brand?.count ?? 0;
  const listUnexplained = (list) => (list.length === 0
    ? 'None.'
    : list.map((d) => `- \`${d.number}\`: ${JSON.stringify(d)}`).join('\n'));
  const mount = w.mountToInteractiveMs;
  const nat = v.shared_native.results;

  const md = `# Benchmarks

Made by \`cargo xtask bench\` on ${results.date} (node ${process.version}, Chromium ${w.chromium}, ${results.machine.cpus} × ${results.machine.model});
raw figures in \`BENCHMARKS.json\`.${results.machine.load_average_at_start ? `
Load average (1/5/15 min) when it started: ${results.machine.load_average_at_start.join(' / ')}${results.machine.load_average_at_start[0] > results.machine.cpus ? ', above the core count: other work shared the cores' : ''}.` : ''}
The machine is shared, so figures are from one run and vary
between runs by tens of percent; compare the columns of one run, not runs. Timings are measured
here, never asserted in tests. Rust is built with the workspace release profile (\`opt-level = "z"\`,
LTO), as shipped.

## Widget

### Critical path (gzip -9; budget ${kb(w.criticalPath.budgetGzip)})

${img('widget-sizes')}

| asset | raw bytes | gzip bytes |
|---|---:|---:|
${rows(w.criticalPath.assets, (x) => `| \`${x.file}\` | ${x.raw} | ${x.gzip} |`)}
| **total** | **${w.criticalPath.total.raw}** | **${w.criticalPath.total.gzip}** |

Within budget: ${w.criticalPath.withinBudget ? 'yes' : `**no**, ${kb(w.criticalPath.total.gzip - w.criticalPath.budgetGzip)} over`}.

### \`mount()\` → interactive (headless Chromium)

From \`mount()\` to the first interactive field, against the floor: a bare HTML form with the same
fields and CSS (no wasm) in an iframe from the gateway origin, measured in the same run,
alternating with the widget (${w.runs} runs each).

${img('widget-mount')}

| cache | widget p50 / p99 ms | bare form p50 / p99 ms | ratio (p50) |
|---|---:|---:|---:|
${rows(['coldCache', 'warmCache'], (k) => `| ${k === 'coldCache' ? 'cold (new context)' : 'warm (second mount)'} | ${mount[k].widget.p50} / ${mount[k].widget.p99} | ${mount[k].bareForm.p50} / ${mount[k].bareForm.p99} | **${ratio(mount[k].widget.p50, mount[k].bareForm.p50)}×** |`)}

### Keystroke → formatted and validated

${w.keystrokeToFormattedMs.n} keystrokes in the card-number field: p50 **${w.keystrokeToFormattedMs.p50} ms**, p99 **${w.keystrokeToFormattedMs.p99} ms** (max ${w.keystrokeToFormattedMs.max} ms).

## Webhook signature verification (ops/s, one thread)

${img('webhook-verify')}

| implementation | ${nat.map((r) => `${r.payload_bytes} B`).join(' | ')} |
|---|${nat.map(() => '---:').join('|')}|
| shared, Stripe scheme (native) | ${nat.map((r) => thousands(r.stripe_verify_ops_per_sec)).join(' | ')} |
| shared, Stripe scheme (wasm under node) | ${v.node.map((r) => thousands(r.shared_wasm_stripe_verify_ops_per_sec)).join(' | ')} |
| stripe-node \`webhooks.constructEvent\` | ${v.node.map((r) => thousands(r.stripe_node_constructEvent_ops_per_sec)).join(' | ')} |
| stripe-node \`webhooks.signature.verifyHeader\` (no JSON parse) | ${v.node.map((r) => thousands(r.stripe_node_verifyHeader_ops_per_sec)).join(' | ')} |
| shared, Standard Webhooks (native) | ${nat.map((r) => thousands(r.standard_verify_ops_per_sec)).join(' | ')} |
| shared, Standard Webhooks (wasm under node) | ${v.node.map((r) => thousands(r.shared_wasm_standard_verify_ops_per_sec)).join(' | ')} |
| \`standardwebhooks\` (npm) | ${v.node.map((r) => thousands(r.standardwebhooks_verify_ops_per_sec)).join(' | ')} |

Hardware reference, \`openssl speed -hmac sha256\` at 64 B (${v.openssl_hmac_sha256.version ?? 'openssl'}): ${v.openssl_hmac_sha256.ops_per_sec ? thousands(v.openssl_hmac_sha256.ops_per_sec) : v.openssl_hmac_sha256.error} HMACs/s.
Native is \`shared/examples/verify_bench.rs\`; wasm is \`shared-wasm\` (\`wasm-bindgen --target nodejs\`,
no wasm-opt) called from node with JS strings, so it pays the UTF-8 copy into wasm memory.
\`constructEvent\` also parses the JSON payload; \`verifyHeader\` is its verification alone.

## Card rules

### Throughput (ops/s, one thread)

${c.node.inputs} full-length numbers drawn evenly from the corpus below (every brand and length;
about a tenth fail Luhn), the same list for every implementation.

${img('card-rules')}

| operation | shared (native) | shared (wasm under node) | braintree (npm) |
|---|---:|---:|---:|
| validate: brand + length + Luhn (\`CardNumber::parse\` / card-validator ${validity.version} \`number()\`) | ${thousands(c.shared_native.validate_number_ops_per_sec)} | ${thousands(c.node.shared_wasm_validate_number_ops_per_sec)} | ${thousands(c.node.card_validator_number_ops_per_sec)} |
| brand detection (\`credit_card_type\` / credit-card-type ${types.version}) | ${thousands(c.shared_native.credit_card_type_ops_per_sec)} | ${thousands(c.node.shared_wasm_credit_card_type_ops_per_sec)} | ${thousands(c.node.credit_card_type_ops_per_sec)} |

### Agreement with braintree on a ${thousands(a.corpus.size)}-number corpus

The corpus (\`corpus()\` in \`tests/bench/cards.mjs\`, mulberry32 seed ${a.corpus.seed}, so every run
draws the same numbers) covers every brand (${a.corpus.brands.join(', ')}) with every pattern
of credit-card-type ${types.version} and every valid length: Luhn-valid numbers, a tenth with a
broken check digit, each range's bounds and the values just outside them, the same prefixes at
the lengths the brand does not allow, partial input (random-length prefixes, as typed so far),
and random 1–19-digit strings that match no brand or several.

**\`shared::card::credit_card_type\` vs credit-card-type ${types.version}** (the list of matching
types, in order): ${thousands(types.agree)} of ${thousands(a.corpus.size)} agree, **${types.agreement_percent}%**.
shared has no brand or pattern of its own, so every disagreement is a bug in it.
- Disagreements: ${types.unexplained.length === 0 ? 'none.' : `\n${listUnexplained(types.unexplained)}`}

**\`CardNumber::parse\` vs card-validator ${validity.version} \`number().isValid\`** (on credit-card-type ${validity.credit_card_type_version}): ${thousands(validity.agree)}
of ${thousands(a.corpus.size)} agree, ${validity.agreement_percent}%. Every difference is a policy
difference, not a rule difference:
${unknownValid ? `- ${thousands(unknownValid)}: Luhn-valid 12–19-digit numbers whose prefix matches no single
  brand. shared accepts them as brand \`unknown\` (refusing unknown brands is a gateway policy,
  not a card rule); card-validator needs exactly one brand. Example: ${JSON.stringify(validity.reasons.unknown_brand.examples[0])}.` : ''}
- Not explained by these: ${validity.unexplained.length === 0 ? 'none.' : `\n${listUnexplained(validity.unexplained)}`}

shared reproduces credit-card-type ${types.version} (the pin in package.json); a newer release
is a change to \`shared/src/card.rs\` and this pin together.

## Gateway: create + confirm on local workerd

\`node tests/bench/gateway.mjs 400 1,10,50\`: ${g[0].gateway.iterations} pairs of
\`POST /v1/payment_intents\` + \`POST /v1/payment_intents/{id}/confirm\` (\`pm_card_visa\`) per level,
after ${g[0].gateway.warmup} warm-up pairs, against the release build on \`wrangler dev\`. The floor is a
no-op Worker (\`tests/bench/noop-worker\`) on the same wrangler/workerd, hit with the same two
requests by the same load generator in the same run. The load generator shares the 2 cores, so
the no-op figures are the ceiling this machine can show, not workerd's.

${img('gateway-throughput')}

${img('gateway-latency')}

| clients | gateway pairs/s (requests/s) | no-op pairs/s (requests/s) | gateway / no-op | gateway p50 / p99 ms | no-op p50 / p99 ms |
|---:|---:|---:|---:|---:|---:|
${rows(g, (r) => `| ${r.concurrency} | ${r.gateway.pairs_per_second} (${Math.round(r.gateway.pairs_per_second * 2)}) | ${r.noop.pairs_per_second} (${Math.round(r.noop.pairs_per_second * 2)}) | ${ratio(r.gateway.pairs_per_second, r.noop.pairs_per_second)} | ${r.gateway.create_plus_confirm.p50} / ${r.gateway.create_plus_confirm.p99} | ${r.noop.create_plus_confirm.p50} / ${r.noop.create_plus_confirm.p99} |`)}

Worker bundle: wasm ${results.worker_bundle.wasm_raw} B raw / **${results.worker_bundle.wasm_gzip} B gzip**; JS glue ${results.worker_bundle.js_raw} B raw / ${results.worker_bundle.js_gzip} B gzip.
`;
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), md);
  return md;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeReport(JSON.parse(readFileSync(join(ROOT, 'BENCHMARKS.json'), 'utf8')));
}
