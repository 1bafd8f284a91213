/**
 * What every KMS adapter needs and must get right the same way: key-URI parsing, a per-call
 * deadline that cannot hang, retries for retriable failures only, and mapping a provider's
 * error to one of the four codes callers act on (denied, not found, invalid ciphertext,
 * unavailable) — with a message that never carries a secret.
 *
 * Adapters (`@csfle/kms-aws`, `-azure`, `-gcp`, `-vault`) call {@link runKmsCall} around each
 * provider request and pass a `classify` function that knows that provider's error shapes.
 */
import { CsfleError, type CsfleErrorCode, ErrorCodes, KmsError } from './errors.js';

/** The error codes a KMS call can end with. */
export type KmsErrorCode =
  | typeof ErrorCodes.KMS_DENIED
  | typeof ErrorCodes.KMS_KEY_NOT_FOUND
  | typeof ErrorCodes.KMS_INVALID_CIPHERTEXT
  | typeof ErrorCodes.KMS_UNAVAILABLE
  | typeof ErrorCodes.ABORTED;

/** Timeout and retry settings shared by every adapter. */
export interface KmsCallPolicy {
  /** Deadline for one attempt, in ms. Default 10 000. */
  readonly timeoutMs?: number;
  /** Extra attempts after a retriable (`KMS_UNAVAILABLE`) failure. Default 2. */
  readonly retries?: number;
  /** First backoff delay in ms, doubled each retry, with full jitter. Default 100. */
  readonly retryBaseDelayMs?: number;
}

/** A provider error reduced to what may be shown: a code and a short, secret-free detail. */
export interface ClassifiedKmsError {
  readonly code: KmsErrorCode;
  /** e.g. `AccessDeniedException (HTTP 400)`; must not contain credentials or key bytes. */
  readonly detail?: string;
}

export interface KmsCallContext extends KmsCallPolicy {
  /** KMS type, e.g. `aws-kms`. */
  readonly provider: string;
  /** The full key URI (not secret). */
  readonly kekUri: string;
  readonly op: 'wrap' | 'unwrap';
  /** The caller's signal; aborting it ends the call at once with `ABORTED`. */
  readonly signal?: AbortSignal | undefined;
  /** Maps a provider error to a code. Timeouts and aborts are handled before it is called. */
  readonly classify: (error: unknown) => ClassifiedKmsError;
}

export const DEFAULT_KMS_TIMEOUT_MS = 10_000;
export const DEFAULT_KMS_RETRIES = 2;
const DEFAULT_BASE_DELAY_MS = 100;

/**
 * Runs `attempt` under a deadline, retrying retriable failures with jittered exponential backoff.
 * `attempt` receives a signal that fires on the caller's abort or the per-attempt deadline; the
 * call settles when that signal fires even if the provider SDK ignores it, so nothing hangs.
 * @throws {KmsError} with a {@link KmsErrorCode}; `cause` holds the provider error.
 */
export async function runKmsCall<T>(ctx: KmsCallContext, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_KMS_TIMEOUT_MS;
  const retries = Math.max(0, ctx.retries ?? DEFAULT_KMS_RETRIES);
  const baseDelay = ctx.retryBaseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  for (let i = 0; ; i++) {
    try {
      return await attemptOnce(ctx, timeoutMs, attempt);
    } catch (e) {
      const err = toKmsError(ctx, e, timeoutMs);
      if (!err.retriable || i >= retries || ctx.signal?.aborted) throw err;
      await sleep(Math.random() * baseDelay * 2 ** i, ctx.signal).catch(() => {
        throw abortedError(ctx, ctx.signal?.reason);
      });
    }
  }
}

class TimeoutMarker extends Error {}

async function attemptOnce<T>(ctx: KmsCallContext, timeoutMs: number, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (ctx.signal?.aborted) throw abortedError(ctx, ctx.signal.reason);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const marker = new TimeoutMarker();
      controller.abort(marker);
      reject(marker);
    }, timeoutMs);
    timer.unref?.();
    if (ctx.signal) {
      const signal = ctx.signal;
      onAbort = () => {
        controller.abort(signal.reason);
        reject(abortedError(ctx, signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    return await Promise.race([attempt(controller.signal), stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) ctx.signal?.removeEventListener('abort', onAbort);
  }
}

function abortedError(ctx: KmsCallContext, cause: unknown): KmsError {
  return new KmsError(ErrorCodes.ABORTED, `${ctx.provider}: ${ctx.op} aborted`, {
    cause,
    provider: ctx.provider,
    kekUri: ctx.kekUri,
  });
}

const DESCRIPTIONS: Record<KmsErrorCode, string> = {
  KMS_DENIED: 'access denied (check credentials and the key policy)',
  KMS_KEY_NOT_FOUND: 'key not found',
  KMS_INVALID_CIPHERTEXT: 'the ciphertext is invalid or was produced by another key',
  KMS_UNAVAILABLE: 'KMS unavailable',
  ABORTED: 'aborted',
};

function toKmsError(ctx: KmsCallContext, e: unknown, timeoutMs: number): KmsError {
  if (e instanceof KmsError && e.provider === ctx.provider) return e;
  if (e instanceof TimeoutMarker) {
    return new KmsError(ErrorCodes.KMS_UNAVAILABLE, `${ctx.provider}: ${ctx.op} under ${ctx.kekUri} timed out after ${timeoutMs} ms`, {
      provider: ctx.provider,
      kekUri: ctx.kekUri,
    });
  }
  if (e instanceof CsfleError && e.code === ErrorCodes.ABORTED) return abortedError(ctx, e.cause);
  let classified: ClassifiedKmsError;
  try {
    classified = ctx.classify(e);
  } catch {
    classified = { code: ErrorCodes.KMS_UNAVAILABLE };
  }
  const detail = classified.detail ? ` [${classified.detail}]` : '';
  return new KmsError(classified.code, `${ctx.provider}: ${ctx.op} under ${ctx.kekUri} failed: ${DESCRIPTIONS[classified.code]}${detail}`, {
    cause: e,
    provider: ctx.provider,
    kekUri: ctx.kekUri,
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Classifies by HTTP status, for adapters whose SDK exposes one: 401/403 denied, 404 not found,
 * 408/429/5xx unavailable; `invalidCiphertext` decides what a 400 means. Network errors
 * (no status) are unavailable.
 */
export function classifyHttpStatus(status: number | undefined, invalidCiphertextOn400 = true): KmsErrorCode {
  if (status === undefined) return ErrorCodes.KMS_UNAVAILABLE;
  if (status === 401 || status === 403) return ErrorCodes.KMS_DENIED;
  if (status === 404) return ErrorCodes.KMS_KEY_NOT_FOUND;
  if (status === 408 || status === 429 || status >= 500) return ErrorCodes.KMS_UNAVAILABLE;
  if (status === 400 || status === 422) return invalidCiphertextOn400 ? ErrorCodes.KMS_INVALID_CIPHERTEXT : ErrorCodes.KMS_DENIED;
  return ErrorCodes.KMS_UNAVAILABLE;
}

/**
 * Returns the key id part of `<kmsType>://<keyId>`.
 * @throws {CsfleError} `INVALID_ARGUMENT` if `uri` does not start with `<kmsType>://` or has no id.
 */
export function keyIdFromUri(kmsType: string, uri: string): string {
  const prefix = `${kmsType}://`;
  if (!uri.startsWith(prefix) || uri.length === prefix.length) {
    throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `${kmsType}: key URI must start with "${prefix}" followed by a key id, got "${uri}"`);
  }
  return uri.slice(prefix.length);
}

/** Picks a string config value from KEK `kmsProps`/config first, then the environment. */
export function configValue(
  props: Readonly<Record<string, string>> | undefined,
  key: string,
  env?: string,
): string | undefined {
  const v = props?.[key];
  if (v !== undefined && v !== '') return v;
  if (env !== undefined) {
    const e = process.env[env];
    if (e !== undefined && e !== '') return e;
  }
  return undefined;
}

/** A code → error helper for adapters that detect a problem before calling the provider. */
export function kmsError(code: CsfleErrorCode, provider: string, kekUri: string, message: string, cause?: unknown): KmsError {
  return new KmsError(code, `${provider}: ${message}`, { provider, kekUri, ...(cause === undefined ? {} : { cause }) });
}
