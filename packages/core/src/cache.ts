/**
 * A bounded TTL cache with single-flight loading and stale-if-error.
 *
 * - Concurrent first uses of a key share one load (one registry call, one KMS call).
 * - A loaded value is returned synchronously while fresh (no promise on the hot path).
 * - After `ttlMs` the next use reloads; if that reload fails with a retriable error and the
 *   stale value is younger than `staleIfErrorMs`, the stale value keeps being served (a short
 *   KMS or registry outage does not stop traffic that already had its keys).
 * - No global lock: each key has its own entry.
 */
import { isCsfleError } from './errors.js';

export interface CacheOptions {
  /** Time a loaded value stays fresh. `Infinity` = never reload. */
  readonly ttlMs: number;
  /** How long past its TTL a value may be served when reloading fails retriably. */
  readonly staleIfErrorMs: number;
  /** Bound on entries; the least recently inserted entry is dropped first. */
  readonly maxEntries: number;
  readonly now: () => number;
  /** While serving a stale value, wait this long between reload attempts (default 1000 ms). */
  readonly retryAfterErrorMs?: number;
}

interface Entry<V> {
  value?: V;
  loadedAt: number;
  freshUntil: number;
  pending?: Promise<V> | undefined;
}

export class LoadingCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #opts: CacheOptions;

  constructor(opts: CacheOptions) {
    this.#opts = opts;
  }

  /** The fresh cached value, if any (no loading). */
  peek(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (e === undefined || !('value' in e)) return undefined;
    return this.#opts.now() < e.freshUntil ? e.value : undefined;
  }

  /**
   * The value for `key`: synchronously when fresh, else a promise shared by all callers.
   * `isValid` may reject a cached value early (e.g. a DEK past its rotation age).
   */
  get(key: string, load: () => Promise<V>, isValid?: (v: V) => boolean): V | Promise<V> {
    const now = this.#opts.now();
    const e = this.#entries.get(key);
    if (e !== undefined) {
      if (e.pending) return e.pending;
      if ('value' in e && now < e.freshUntil && (!isValid || isValid(e.value as V))) {
        return e.value as V;
      }
    }
    return this.#load(key, e, load, now);
  }

  #load(key: string, stale: Entry<V> | undefined, load: () => Promise<V>, now: number): Promise<V> {
    const entry: Entry<V> = stale ?? { loadedAt: 0, freshUntil: 0 };
    const p = load().then(
      (v) => {
        entry.value = v;
        entry.loadedAt = this.#opts.now();
        entry.freshUntil = entry.loadedAt + this.#opts.ttlMs;
        entry.pending = undefined;
        return v;
      },
      (err: unknown) => {
        entry.pending = undefined;
        const retriable = isCsfleError(err) && err.retriable;
        const staleLimit = entry.loadedAt + this.#opts.ttlMs + this.#opts.staleIfErrorMs;
        if (retriable && 'value' in entry && now < staleLimit) {
          // Serve the stale value, and do not retry on every call while the outage lasts.
          entry.freshUntil = Math.min(staleLimit, this.#opts.now() + (this.#opts.retryAfterErrorMs ?? 1000));
          return entry.value as V;
        }
        if (!('value' in entry)) this.#entries.delete(key);
        throw err;
      },
    );
    entry.pending = p;
    if (stale === undefined) {
      if (this.#entries.size >= this.#opts.maxEntries) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
      this.#entries.set(key, entry);
    }
    return p;
  }

  /** Stores a value directly (e.g. a DEK just created by this process). */
  set(key: string, value: V): void {
    const now = this.#opts.now();
    this.#entries.set(key, { value, loadedAt: now, freshUntil: now + this.#opts.ttlMs });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
