/**
 * A small REST core for the Confluent Schema Registry API (and its `/dek-registry/v1` part) on
 * the platform's `fetch`.
 *
 * - Headers: `Content-Type: application/vnd.schemaregistry.v1+json` and
 *   `Confluent-Accept-Unknown-Properties: true` on every request, like Confluent's clients
 *   (docs/confluent-csfle-format.md §4).
 * - Several base URLs: a network error (connection refused, DNS, timeout) moves on to the next
 *   URL at once; the last URL that answered is tried first next time.
 * - Retries with exponential backoff and jitter, only for 5xx / 429 answers and network errors;
 *   4xx answers (404, 409, 422, 401, ...) are final.
 * - Per-attempt timeout (`AbortSignal.timeout`) combined with the caller's signal: the caller
 *   aborting gives `CsfleError{code:'ABORTED'}` at once; a timeout is a retriable
 *   `REGISTRY_UNAVAILABLE`.
 * - Error statuses map through one table (`internal/errors.ts`) to a `RegistryError` carrying
 *   `status` and the body's `error_code`; the message never contains credentials.
 */
import { CsfleError, ErrorCodes, RegistryError, isCsfleError } from '@csfle/core';
import { abortedError, classifyStatus, invalidArgument, throwIfAborted } from './internal/errors.js';

/** Credentials sent with every request. */
export type RegistryAuth =
  | { readonly basic: { readonly username: string; readonly password: string } }
  /** A static token, or a provider called before every request (cache inside it if costly). */
  | { readonly bearer: string | (() => string | Promise<string>) };

/** Information passed to {@link RegistryHttpOptions.onRetry}. */
export interface RetryInfo {
  /** 1 for the first retry. */
  readonly attempt: number;
  /** Backoff before this retry, in ms. */
  readonly delayMs: number;
  /** Why the previous attempt failed. */
  readonly error: CsfleError;
}

/** Options of the REST core; shared by the Schema Registry and DEK Registry clients. */
export interface RegistryHttpOptions {
  /**
   * Base URL, or several (tried in order on network errors). `http:` or `https:`. Credentials
   * in the URL (`https://user:pass@host`) are taken out of the URL and used as basic auth
   * unless `auth` is given.
   */
  readonly url: string | readonly string[];
  /** Basic or bearer credentials. Default: none. */
  readonly auth?: RegistryAuth;
  /** Extra headers for every request, e.g. `target-sr-cluster` for Confluent Cloud. Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Timeout of one HTTP attempt in ms. Default 30000. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, for 5xx/429/network errors only. Default 2. */
  readonly maxRetries?: number;
  /** Base of the exponential backoff in ms (`base * 2^n`, then jitter). Default 100. */
  readonly retryBackoffMs?: number;
  /** Upper bound of one backoff in ms. Default 2000. */
  readonly maxRetryBackoffMs?: number;
  /** The `fetch` to use. Default: the global `fetch` (Node 20+). */
  readonly fetch?: typeof globalThis.fetch;
  /** Random source in [0, 1) for the backoff jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** Called before each retry (instrumentation, tests). */
  readonly onRetry?: (info: RetryInfo) => void;
}

/** One REST call. `path` must already be encoded (see {@link encodePath}). */
export interface RestRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Query parameters as ordered pairs (keys may repeat). `undefined` values are skipped. */
  readonly query?: ReadonlyArray<readonly [string, string | number | boolean | undefined]>;
  /** JSON body. */
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
}

/** The REST core: JSON in, JSON out, errors as `RegistryError`. */
export interface RegistryRestClient {
  /**
   * Performs the call; resolves the parsed JSON body (`undefined` for an empty body).
   * @throws {RegistryError} for error statuses, network failures and timeouts.
   * @throws {CsfleError} `ABORTED` when `signal` fires.
   */
  request<T>(req: RestRequest): Promise<T>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const ACCEPT = 'application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json';
const MAX_ERROR_BODY = 64 * 1024;

export interface ResolvedHttpOptions {
  readonly urls: readonly string[];
  readonly auth: RegistryAuth | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBackoffMs: number;
  readonly maxRetryBackoffMs: number;
  readonly fetch: typeof globalThis.fetch;
  readonly random: () => number;
  readonly onRetry: ((info: RetryInfo) => void) | undefined;
  /** Strings that must never appear in an error message. */
  readonly secrets: readonly string[];
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw invalidArgument(name, 'non-negative integer', value);
  return value;
}

/** Validates and completes {@link RegistryHttpOptions} (the single place defaults live). */
export function resolveRegistryHttpOptions(options: RegistryHttpOptions): ResolvedHttpOptions {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'object', options);
  const rawUrls = typeof options.url === 'string' ? [options.url] : options.url;
  if (!Array.isArray(rawUrls) || rawUrls.length === 0) throw invalidArgument('url', 'URL or non-empty array of URLs', options.url);
  let auth = options.auth;
  const urls: string[] = [];
  for (const raw of rawUrls as readonly unknown[]) {
    if (typeof raw !== 'string') throw invalidArgument('url', 'string', raw);
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      // Not echoed: an unparsable URL may still contain credentials.
      throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, 'registry: "url" expected absolute http(s) URL, got an unparsable string');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw invalidArgument('url', 'http: or https: URL', parsed.protocol);
    }
    if (parsed.username !== '' || parsed.password !== '') {
      // fetch refuses URLs with credentials; turn them into basic auth (unless auth was given).
      auth ??= {
        basic: { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) },
      };
      parsed.username = '';
      parsed.password = '';
    }
    urls.push(parsed.toString().replace(/\/+$/, ''));
  }
  if (auth !== undefined) validateAuth(auth);
  const headers = options.headers ?? {};
  for (const [k, v] of Object.entries(headers)) {
    if (typeof v !== 'string') throw invalidArgument(`headers.${k}`, 'string', v);
  }
  const timeoutMs = nonNegativeInt('timeoutMs', options.timeoutMs, 30_000);
  if (timeoutMs === 0) throw invalidArgument('timeoutMs', 'positive integer', 0);
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') throw invalidArgument('fetch', 'function', fetchFn);
  const secrets: string[] = [];
  if (auth !== undefined && 'basic' in auth) {
    const { username, password } = auth.basic;
    if (password.length >= 3) secrets.push(password);
    secrets.push(Buffer.from(`${username}:${password}`).toString('base64'));
  } else if (auth !== undefined && typeof auth.bearer === 'string' && auth.bearer.length >= 3) {
    secrets.push(auth.bearer);
  }
  return {
    urls,
    auth,
    headers,
    timeoutMs,
    maxRetries: nonNegativeInt('maxRetries', options.maxRetries, 2),
    retryBackoffMs: nonNegativeInt('retryBackoffMs', options.retryBackoffMs, 100),
    maxRetryBackoffMs: nonNegativeInt('maxRetryBackoffMs', options.maxRetryBackoffMs, 2000),
    fetch: fetchFn,
    random: options.random ?? Math.random,
    onRetry: options.onRetry,
    secrets,
  };
}

function validateAuth(auth: RegistryAuth): void {
  if (auth === null || typeof auth !== 'object') throw invalidArgument('auth', '{ basic } or { bearer }', auth);
  if ('basic' in auth) {
    const b: unknown = auth.basic;
    if (b === null || typeof b !== 'object') throw invalidArgument('auth.basic', '{ username, password }', b);
    const { username, password } = b as Record<string, unknown>;
    if (typeof username !== 'string' || username === '' || username.includes(':')) {
      throw invalidArgument('auth.basic.username', 'non-empty string without ":"', typeof username === 'string' ? '<redacted>' : username);
    }
    if (typeof password !== 'string') throw invalidArgument('auth.basic.password', 'string', typeof password);
  } else if ('bearer' in auth) {
    const t: unknown = auth.bearer;
    if (!(typeof t === 'function' || (typeof t === 'string' && t !== ''))) {
      throw invalidArgument('auth.bearer', 'non-empty string or function', typeof t === 'string' ? t : typeof t);
    }
  } else {
    throw invalidArgument('auth', '{ basic } or { bearer }', auth);
  }
}

/**
 * Tagged template that `encodeURIComponent`s every interpolated path segment:
 * `encodePath\`/subjects/${subject}/versions\``.
 *
 * @throws {CsfleError} `INVALID_ARGUMENT` for a segment `.` or `..`: URL parsing would resolve
 * it (even percent-encoded) and send the request to another route.
 */
export function encodePath(strings: TemplateStringsArray, ...segments: ReadonlyArray<string | number>): string {
  let out = strings[0] ?? '';
  segments.forEach((seg, i) => {
    const text = String(seg);
    if (text === '.' || text === '..') throw invalidArgument('path segment', 'a name other than "." or ".."', text);
    out += encodeURIComponent(text) + (strings[i + 1] ?? '');
  });
  return out;
}

/** Creates the REST core. Options are validated here (eagerly). */
export function createRegistryRestClient(options: RegistryHttpOptions): RegistryRestClient {
  const opts = resolveRegistryHttpOptions(options);
  // Index of the URL that answered last; tried first next time.
  let current = 0;

  function redact(text: string): string {
    let out = text;
    for (const s of opts.secrets) out = out.split(s).join('<redacted>');
    return out;
  }

  async function authorization(what: string): Promise<string | undefined> {
    const auth = opts.auth;
    if (auth === undefined) return undefined;
    if ('basic' in auth) {
      return `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`;
    }
    if (typeof auth.bearer === 'string') return `Bearer ${auth.bearer}`;
    let token: unknown;
    try {
      token = await auth.bearer();
    } catch (e) {
      throw new RegistryError(ErrorCodes.REGISTRY_UNAUTHORIZED, `registry: ${what} bearer token provider failed`, {
        cause: e,
        retriable: false,
      });
    }
    if (typeof token !== 'string' || token === '') {
      throw new RegistryError(ErrorCodes.REGISTRY_UNAUTHORIZED, `registry: ${what} bearer token provider returned no token`, {
        retriable: false,
      });
    }
    return `Bearer ${token}`;
  }

  function buildQuery(query: RestRequest['query']): string {
    if (query === undefined) return '';
    const parts: string[] = [];
    for (const [k, v] of query) {
      if (v === undefined) continue;
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    }
    return parts.length === 0 ? '' : `?${parts.join('&')}`;
  }

  /** One attempt over the URL list. Network errors move on to the next URL. */
  async function attempt<T>(req: RestRequest, what: string, headers: Record<string, string>, body: string | undefined): Promise<T> {
    const query = buildQuery(req.query);
    let lastError: RegistryError | undefined;
    for (let i = 0; i < opts.urls.length; i++) {
      const index = (current + i) % opts.urls.length;
      const base = opts.urls[index] as string;
      const timeout = AbortSignal.timeout(opts.timeoutMs);
      const signal = req.signal === undefined ? timeout : AbortSignal.any([req.signal, timeout]);
      let res: Response;
      let text: string;
      try {
        const init: RequestInit = { method: req.method, headers, signal };
        if (body !== undefined) init.body = body;
        res = await opts.fetch(base + req.path + query, init);
        text = await readBody(res);
      } catch (e) {
        if (req.signal?.aborted === true) throw abortedError(what, req.signal);
        lastError = timeout.aborted
          ? new RegistryError(ErrorCodes.REGISTRY_UNAVAILABLE, `registry: ${what} timed out after ${opts.timeoutMs}ms`, {
              cause: e,
              retriable: true,
            })
          : new RegistryError(ErrorCodes.REGISTRY_UNAVAILABLE, `registry: ${what} failed: ${redact(networkMessage(e))}`, {
              cause: e,
              retriable: true,
            });
        continue;
      }
      current = index;
      if (res.status >= 200 && res.status <= 299) {
        if (text.trim() === '') return undefined as T;
        try {
          return JSON.parse(text) as T;
        } catch (e) {
          throw new RegistryError(ErrorCodes.REGISTRY_ERROR, `registry: ${what} answered ${res.status} with a body that is not JSON`, {
            cause: e,
            status: res.status,
            retriable: false,
          });
        }
      }
      const err = errorFromResponse(what, res.status, res.statusText, text);
      // A retriable answer: start the next attempt from the next URL.
      if (err.retriable) current = (index + 1) % opts.urls.length;
      throw err;
    }
    throw lastError ?? new RegistryError(ErrorCodes.REGISTRY_UNAVAILABLE, `registry: ${what} failed`, { retriable: true });
  }

  function errorFromResponse(what: string, status: number, statusText: string, text: string): RegistryError {
    let errorCode: number | undefined;
    let serverMessage: string | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object') {
        const { error_code: code, message } = parsed as Record<string, unknown>;
        if (typeof code === 'number' && Number.isInteger(code)) errorCode = code;
        if (typeof message === 'string') serverMessage = message;
      }
    } catch {
      // Not the registry's JSON error shape (a proxy's HTML page, an empty body): keep the status.
    }
    const detail = sanitize(redact(serverMessage ?? (statusText !== '' ? statusText : 'no message')));
    const entry = classifyStatus(status);
    const options: { status: number; registryErrorCode?: number; retriable: boolean } = { status, retriable: entry.retriable };
    if (errorCode !== undefined) options.registryErrorCode = errorCode;
    return new RegistryError(
      entry.code,
      `registry: ${what} answered ${status}${errorCode === undefined ? '' : ` (${errorCode})`}: ${detail}`,
      options,
    );
  }

  function backoff(retry: number): number {
    const cap = Math.min(opts.maxRetryBackoffMs, opts.retryBackoffMs * 2 ** retry);
    // "Equal jitter": at least half the exponential step, at most the cap.
    return Math.floor(cap / 2 + opts.random() * (cap / 2));
  }

  return {
    async request<T>(req: RestRequest): Promise<T> {
      const what = `${req.method} ${req.path}`;
      throwIfAborted(what, req.signal);
      const headers: Record<string, string> = {
        ...opts.headers,
        'Content-Type': CONTENT_TYPE,
        Accept: ACCEPT,
        'Confluent-Accept-Unknown-Properties': 'true',
      };
      const body = req.body === undefined ? undefined : JSON.stringify(req.body);
      for (let retry = 0; ; retry++) {
        try {
          const authHeader = await authorization(what);
          if (authHeader !== undefined) headers.Authorization = authHeader;
          return await attempt<T>(req, what, headers, body);
        } catch (e) {
          if (!isCsfleError(e) || !e.retriable || retry >= opts.maxRetries) throw e;
          const delayMs = backoff(retry);
          opts.onRetry?.({ attempt: retry + 1, delayMs, error: e });
          await sleep(delayMs, req.signal, what);
        }
      }
    },
  };
}

async function readBody(res: Response): Promise<string> {
  if (res.status >= 200 && res.status <= 299) return res.text();
  // Error bodies: read at most MAX_ERROR_BODY characters.
  const text = await res.text();
  return text.length > MAX_ERROR_BODY ? text.slice(0, MAX_ERROR_BODY) : text;
}

function networkMessage(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const causeCode = cause !== null && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
    return typeof causeCode === 'string' ? `${e.message} (${causeCode})` : e.message;
  }
  return 'network error';
}

/** Keep server messages to one printable line of bounded length. */
function sanitize(message: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  const oneLine = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 297)}...` : oneLine;
}

function sleep(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortedError(what, signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(what, signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
