// The Worker's entry point: a thin guard around the Rust gateway built by worker-build.
//
// The release build aborts on a panic (panic = "abort"): the WebAssembly instance traps, every
// request it was serving is lost, and worker-build's shim starts a fresh instance for the next
// request. Without this guard a trapped request gets workerd's bare "Internal Server Error", or
// hangs until the runtime cancels it. Here every request gets a request id before Rust sees it,
// and any fault (a trap, a rejected promise, a request stranded by a trap elsewhere in this
// isolate) becomes a Stripe-shaped 500 `api_error` carrying that same `Request-Id`.
import { DurableObject, WorkerEntrypoint } from 'cloudflare:workers';
import RustGateway, { Account as RustAccount } from './build/index.js';

/** Must equal `REQUEST_ID_HEADER` in src/lib.rs. */
const REQUEST_ID_HEADER = 'Tessera-Request-Id';
const API_VERSION = '2025-09-30.clover';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `req_` + 14 alphanumerics, the shape of shared::ids::RequestId. */
function newRequestId() {
  const bytes = crypto.getRandomValues(new Uint8Array(14));
  return `req_${Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}

/**
 * Faults seen in this isolate. A trap kills the one WebAssembly instance that every request in
 * the isolate runs on, and a request whose Rust future died with it would never settle. Each
 * request watches this count from its own context (workerd does not run a promise continuation
 * across requests, so one request cannot reliably fail another's promise) and gives up on a change.
 */
let faults = 0;

// worker-build's shim listens for the same events to schedule its re-initialisation.
addEventListener('error', () => { faults += 1; });
addEventListener('unhandledrejection', () => { faults += 1; });

/** How often an in-flight request looks at `faults`; only a faulted request waits this long. */
const WATCH_MS = 25;

/** Runs `work`, rejecting early if the isolate reports a fault while it is pending. */
async function guarded(work) {
  const seen = faults;
  let timer;
  const faulted = new Promise((_, reject) => {
    timer = setInterval(() => {
      if (faults !== seen) reject(new Error('the WebAssembly instance faulted while this request was in flight'));
    }, WATCH_MS);
  });
  try {
    return await Promise.race([work(), faulted]);
  } finally {
    clearInterval(timer);
  }
}

function internalError(requestId, where) {
  const body = {
    error: {
      type: 'api_error',
      code: 'internal_error',
      message: `An internal error occurred in the ${where}. Retrying with the same Idempotency-Key is safe; `
        + `if the error persists, contact support with the request id ${requestId}.`,
    },
  };
  return new Response(JSON.stringify(body), {
    status: 500,
    headers: {
      'Content-Type': 'application/json',
      'Request-Id': requestId,
      'Stripe-Version': API_VERSION,
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'Request-Id, Stripe-Version, Idempotent-Replayed',
      'Cache-Control': 'no-store',
    },
  });
}

/**
 * The request with our request id (replacing anything a client sent). Only a POST body is
 * carried over: the gateway reads no other body, and a re-wrapped body nobody reads stalls the
 * client's connection. Methods `Request` refuses to build (TRACE, CONNECT) go through as they
 * came; the gateway answers them 405 under an id of its own.
 */
function tag(request, requestId) {
  const headers = new Headers(request.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  const init = { method: request.method, headers, redirect: 'manual' };
  if (request.method === 'POST') init.body = request.body;
  try {
    return new Request(request.url, init);
  } catch {
    return request;
  }
}

export default class Gateway extends WorkerEntrypoint {
  async fetch(request) {
    const requestId = newRequestId();
    try {
      const tagged = tag(request, requestId);
      // The shim's class re-creates itself on a fresh instance after a trap.
      return await guarded(() => new RustGateway(this.ctx, this.env).fetch(tagged));
    } catch (error) {
      console.error(`gateway fault (${requestId}):`, error);
      return internalError(requestId, 'gateway');
    }
  }
}

/**
 * The account's Durable Object, guarded the same way. A fault inside it answers the front Worker
 * with a 500 (which the front Worker passes on with its own request id) instead of a hang.
 */
export class Account extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.inner = new RustAccount(ctx, env);
  }

  async fetch(request) {
    const requestId = request.headers.get(REQUEST_ID_HEADER) || newRequestId();
    try {
      return await guarded(() => this.inner.fetch(request));
    } catch (error) {
      // The handler ran in one SQLite transaction (Account::atomically), rolled back by the fault.
      console.error(`account object fault (${requestId}):`, error);
      return internalError(requestId, 'account object');
    }
  }

  async alarm() {
    // A failed alarm is retried by the runtime; deliveries are idempotent per outbox row.
    return guarded(() => this.inner.alarm());
  }
}
