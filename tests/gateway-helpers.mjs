// Helpers for the gateway tests: the real `stripe` client pointed at a local gateway, raw
// requests, and a small validator for the JSON-schema subset the OpenAPI document uses.
import Stripe from 'stripe';

/** Every JSON response seen by `recordingFetch`: {method, path, status, body}. */
export const recorded = [];

/** `fetch` that records each JSON response, so the tests can check them against the OpenAPI document. */
export async function recordingFetch(input, init = {}) {
  const res = await fetch(input, init);
  const url = new URL(typeof input === 'string' ? input : input.url);
  if ((res.headers.get('content-type') || '').startsWith('application/json')) {
    const body = await res.clone().json().catch(() => undefined);
    recorded.push({ method: (init.method || 'GET').toUpperCase(), path: url.pathname, status: res.status, body });
  }
  return res;
}

/** The `stripe` npm client against the local gateway (no retries, so every call is one request). */
export function stripeClient(key, gateway) {
  return new Stripe(key, {
    host: '127.0.0.1', port: gateway.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false,
    httpClient: Stripe.createFetchHttpClient(recordingFetch),
  });
}

/** Stripe-style request without the client: form (or `json: true`) body, returns {status, body, headers}. */
export async function raw(gateway, key, method, path, params, headers = {}, { json = false } = {}) {
  const init = { method, headers: { ...headers } };
  if (key) init.headers.Authorization ??= `Bearer ${key}`;
  if (params !== undefined && method !== 'GET') {
    if (typeof params === 'string') init.body = params;
    else if (json) init.body = JSON.stringify(params);
    else init.body = new URLSearchParams(params).toString();
    init.headers['Content-Type'] ??= json ? 'application/json' : 'application/x-www-form-urlencoded';
  }
  const res = await recordingFetch(gateway.url + path, init);
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body, headers: res.headers };
}

/** A Stripe resource object as plain JSON (drops the client's non-enumerable `lastResponse`). */
export const plain = (o) => JSON.parse(JSON.stringify(o));

/** The Stripe error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise) {
  try {
    const value = await promise;
    throw Object.assign(new Error(`expected a Stripe error, got ${JSON.stringify(value).slice(0, 300)}`), { notStripe: true });
  } catch (e) {
    if (e.notStripe) throw e;
    return e;
  }
}

/**
 * Validates `value` against `schema` (a JSON-schema subset: $ref, type incl. lists and "null",
 * const, enum, pattern, minimum/maximum, properties, required, additionalProperties (false or a
 * schema), items, anyOf, maxProperties). Returns a list of problems, each with its JSON path.
 */
export function validate(doc, schema, value, path = '$', problems = []) {
  if (schema.$ref) {
    const target = schema.$ref.replace(/^#\//, '').split('/').reduce((o, k) => o?.[k], doc);
    if (!target) problems.push(`${path}: unresolved ${schema.$ref}`);
    else validate(doc, target, value, path, problems);
    return problems;
  }
  if (schema.anyOf) {
    const ok = schema.anyOf.some((s) => validate(doc, s, value, path, []).length === 0);
    if (!ok) problems.push(`${path}: matches none of anyOf (${JSON.stringify(value)?.slice(0, 120)})`);
    return problems;
  }
  if ('const' in schema && value !== schema.const) problems.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} not in ${schema.enum.join('|')}`);
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array'
      : Number.isInteger(value) ? 'integer' : typeof value;
    const ok = types.includes(actual) || (actual === 'integer' && types.includes('number'));
    if (!ok) {
      problems.push(`${path}: type ${actual}, expected ${types.join('|')}`);
      return problems;
    }
  }
  if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern).test(value)) {
    problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: ${value} < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path}: ${value} > ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => validate(doc, schema.items, v, `${path}[${i}]`, problems));
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const props = schema.properties || {};
    for (const name of schema.required || []) {
      if (!(name in value)) problems.push(`${path}.${name}: required but missing`);
    }
    if (schema.maxProperties !== undefined && Object.keys(value).length > schema.maxProperties) {
      problems.push(`${path}: more than ${schema.maxProperties} properties`);
    }
    for (const [name, v] of Object.entries(value)) {
      if (props[name]) validate(doc, props[name], v, `${path}.${name}`, problems);
      else if (schema.additionalProperties === false) problems.push(`${path}.${name}: not declared in the schema`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        validate(doc, schema.additionalProperties, v, `${path}.${name}`, problems);
      }
    }
  }
  return problems;
}

/** The response schema an operation declares for `status` (falling back to `default`). */
export function responseSchema(doc, method, template, status) {
  const op = doc.paths[template]?.[method.toLowerCase()];
  if (!op) return undefined;
  const r = op.responses[String(status)] || op.responses.default;
  return r?.content?.['application/json']?.schema;
}

/** Maps a concrete path (`/v1/payment_intents/pi_123/confirm`) to its OpenAPI template. */
export function pathTemplate(doc, path) {
  const parts = path.split('?')[0].split('/');
  return Object.keys(doc.paths).find((t) => {
    const tp = t.split('/');
    return tp.length === parts.length && tp.every((seg, i) => seg.startsWith('{') || seg === parts[i]);
  });
}
