/**
 * Small shared helpers: canonical JSON, deep freeze, single-flight.
 *
 * @internal
 */
import { abortedError } from './errors.js';

/**
 * Deterministic JSON: object keys sorted, `undefined` members dropped. Used for cache keys and
 * for the in-memory registry's "is this the same schema" check.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortValue(value));
}

function sortValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortValue(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortValue(v);
    }
    return out;
  }
  return value;
}

/** Freezes an object graph in place and returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A JSON-safe deep copy (the registries only hold JSON data). */
export function jsonClone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * Waits for `promise`, but rejects with `ABORTED` as soon as `signal` fires. The underlying
 * work is not cancelled (it may be shared with other callers).
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortedError(what, signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(what, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Single-flight: concurrent calls with the same key share one execution of `fn`. The shared
 * call runs without any caller's signal; each caller waits with its own signal, so one caller
 * aborting does not fail the others.
 */
export class SingleFlight {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
    if (signal?.aborted === true) return Promise.reject(abortedError(what, signal));
    let shared = this.inFlight.get(key) as Promise<T> | undefined;
    if (shared === undefined) {
      shared = fn().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, shared);
    }
    return raceSignal(shared, signal, what);
  }

  get size(): number {
    return this.inFlight.size;
  }
}
