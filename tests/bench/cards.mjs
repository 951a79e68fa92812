// Card rules for `cargo xtask bench`: a seeded corpus of card numbers, the agreement of
// shared::card with braintree's credit-card-type (the library it reproduces) and card-validator
// on it, and card-rule ops/s of shared (as wasm here; natively in shared/examples/card_bench.rs)
// next to card-validator on the same inputs. Nothing here passes or fails.
import creditCardType from 'credit-card-type';
import cardValidator from 'card-validator';

const { createRequire } = await import('node:module');
const require_ = createRequire(import.meta.url);
const ccTypeVersion = require_('credit-card-type/package.json').version;
const cardValidatorVersion = require_('card-validator/package.json').version;
// card-validator brings its own credit-card-type range; both comparisons are only about the
// release shared reproduces if npm resolved card-validator to the same copy as the pin.
const cardValidatorCcTypeVersion = createRequire(require_.resolve('card-validator'))('credit-card-type/package.json').version;
if (cardValidatorCcTypeVersion !== ccTypeVersion) {
  throw new Error(`card-validator uses credit-card-type ${cardValidatorCcTypeVersion}, not the pinned ${ccTypeVersion}: run npm ci`);
}

/** mulberry32: small, fast, and the same sequence on every machine for a given seed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function luhnCheckDigit(body) {
  let sum = 0;
  for (let i = body.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = body.charCodeAt(i) - 48;
    if (double) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/**
 * Every brand's patterns and lengths, as the installed credit-card-type defines them (10.3.0:
 * Troy's 9792 and 65xxxx/658xxxxx BINs and Naranja included), so the corpus follows the pin.
 */
function brandTable() {
  const types = Object.values(creditCardType.types).map((t) => creditCardType.getTypeInfo(t));
  return types.map(({ type, patterns, lengths }) => ({ type, patterns, lengths }));
}

/**
 * At least `min` distinct digit strings, deterministic for `seed`:
 * - for every brand, every pattern (ranges sampled uniformly, plus each bound and its
 *   neighbours just outside) and every valid length: Luhn-valid numbers, and a tenth with the
 *   check digit broken;
 * - the same prefixes at each length 12–19 the brand does not allow;
 * - partial input: a random-length prefix of a fifth of the numbers (as typed so far);
 * - random digit strings of 1–19 digits, most of which match no brand or several.
 */
export function corpus({ seed = 0x7e55e7a, min = 100_000 } = {}) {
  const random = rng(seed);
  const digits = (n) => { let s = ''; for (let i = 0; i < n; i++) s += String(Math.floor(random() * 10)); return s; };
  const table = brandTable();
  const out = new Set();
  const full = [];
  const complete = (prefix, length, breakLuhn) => {
    if (prefix.length >= length) return prefix.slice(0, length);
    const body = prefix + digits(length - 1 - prefix.length);
    const check = luhnCheckDigit(body);
    return body + (breakLuhn ? String((Number(check) + 1 + Math.floor(random() * 9)) % 10) : check);
  };
  const prefixesOf = (pattern) => {
    if (!Array.isArray(pattern)) return [() => String(pattern)];
    const [lo, hi] = pattern;
    const width = String(lo).length;
    const bound = (v) => (String(v).length === width ? [() => String(v)] : []);
    return [
      () => String(lo + Math.floor(random() * (hi - lo + 1))),
      ...bound(lo), ...bound(hi), ...bound(lo - 1), ...bound(hi + 1),
    ];
  };
  const add = (n, isFull) => {
    if (out.has(n)) return;
    out.add(n);
    if (isFull) full.push(n);
  };
  for (let round = 0; out.size < min; round++) {
    for (const brand of table) {
      for (const pattern of brand.patterns) {
        for (const prefix of prefixesOf(pattern)) {
          for (const length of brand.lengths) {
            const n = complete(prefix(), length, random() < 0.1);
            add(n, true);
            if (random() < 0.2) add(n.slice(0, 1 + Math.floor(random() * (n.length - 1))), false);
          }
          for (let length = 12; length <= 19; length++) {
            if (!brand.lengths.includes(length) && random() < 0.25) add(complete(prefix(), length, false), false);
          }
        }
      }
    }
    for (let i = 0; i < 2000; i++) add(digits(1 + Math.floor(random() * 19)), false);
    if (round > 1000) throw new Error('corpus generator is not making progress');
  }
  return { numbers: [...out], full, brands: table.map((b) => b.type), seed };
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * shared's `credit_card_type` against credit-card-type's list of matching types (in order), and
 * shared's `CardNumber::parse` against card-validator's `number().isValid`, on every number.
 * shared reproduces the pinned credit-card-type exactly, so every brand-list disagreement is
 * listed as unexplained; validity differences have one known, policy reason (`unknown_brand`).
 */
export function agreement(wasm, { numbers, seed, brands }) {
  const types = { agree: 0, disagree: 0, reasons: {}, unexplained: [] };
  const validity = { agree: 0, disagree: 0, reasons: {}, unexplained: [] };
  const note = (tally, reason, number, detail) => {
    const r = (tally.reasons[reason] ||= { count: 0, examples: [] });
    r.count += 1;
    if (r.examples.length < 3) r.examples.push({ number, ...detail });
  };
  for (const number of numbers) {
    const theirs = creditCardType(number).map((c) => c.type);
    const ours = wasm.credit_card_type(number);
    if (same(theirs, ours)) {
      types.agree += 1;
    } else {
      types.disagree += 1;
      types.unexplained.push({ number, credit_card_type: theirs, shared: ours });
    }

    const cv = cardValidator.number(number);
    const code = wasm.validate_number(number);
    const ourValid = !code.endsWith('_number');
    if (cv.isValid === ourValid) {
      validity.agree += 1;
    } else {
      validity.disagree += 1;
      const detail = { card_validator: { isValid: cv.isValid, type: cv.card?.type ?? null }, shared: code };
      if (ourValid && code === 'unknown' && theirs.length !== 1) note(validity, 'unknown_brand', number, detail);
      else validity.unexplained.push({ number, ...detail });
    }
  }
  const rate = (t) => Math.round((t.agree / numbers.length) * 1e6) / 1e4;
  return {
    corpus: { size: numbers.length, seed, brands, generator: 'tests/bench/cards.mjs corpus()' },
    credit_card_type: {
      version: ccTypeVersion,
      agree: types.agree,
      agreement_percent: rate(types),
      reasons: types.reasons,
      unexplained: types.unexplained,
    },
    card_validator_is_valid: {
      version: cardValidatorVersion,
      credit_card_type_version: cardValidatorCcTypeVersion,
      agree: validity.agree,
      agreement_percent: rate(validity),
      reasons: validity.reasons,
      unexplained: validity.unexplained,
    },
  };
}

export function opsPerSec(fn) {
  for (let i = 0; i < 2000; i++) fn();
  const start = process.hrtime.bigint();
  let n = 0;
  while (process.hrtime.bigint() - start < 1_000_000_000n) { for (let i = 0; i < 200; i++) fn(); n += 200; }
  return Math.round(n / (Number(process.hrtime.bigint() - start) / 1e9));
}

/** Calls per second over `inputs`, cycling, so every brand and length is in the mix. */
function opsOver(inputs, f) {
  let i = 0;
  let sink = 0;
  const ops = opsPerSec(() => { const r = f(inputs[i]); sink += r ? 1 : 0; i = (i + 1) % inputs.length; });
  if (sink < 0) throw new Error('unreachable');
  return ops;
}

/** Every `k`-th full-length number, about `n` of them: the inputs every implementation times. */
export function sample({ full }, n = 1000) {
  const step = Math.max(1, Math.floor(full.length / n));
  return full.filter((_, i) => i % step === 0).slice(0, n);
}

export function nodeOps(wasm, inputs) {
  return {
    inputs: inputs.length,
    card_validator_number_ops_per_sec: opsOver(inputs, (n) => cardValidator.number(n).isValid),
    credit_card_type_ops_per_sec: opsOver(inputs, (n) => creditCardType(n).length),
    shared_wasm_validate_number_ops_per_sec: opsOver(inputs, (n) => wasm.validate_number(n)),
    shared_wasm_credit_card_type_ops_per_sec: opsOver(inputs, (n) => wasm.credit_card_type(n).length),
  };
}
