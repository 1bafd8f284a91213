/**
 * Registry error construction shared by the HTTP clients, the in-memory registries and the
 * test server (conventions §6–8): one status → code TABLE with a `retriable` flag per entry and
 * a defined fallback, and one message template.
 *
 * @internal Not exported from the package entry points.
 */
import { CsfleError, ErrorCodes, RegistryError, type CsfleErrorCode } from '@csfle/core';

interface StatusEntry {
  readonly matches: (status: number) => boolean;
  readonly code: CsfleErrorCode;
  readonly retriable: boolean;
}

/**
 * HTTP status → SDK error code. First match wins; anything unmatched is {@link FALLBACK}.
 * 429 is grouped with 5xx: the registry is there but throttling us, so waiting helps.
 */
export const STATUS_TABLE: readonly StatusEntry[] = [
  { matches: (s) => s === 401 || s === 403, code: ErrorCodes.REGISTRY_UNAUTHORIZED, retriable: false },
  { matches: (s) => s === 404, code: ErrorCodes.REGISTRY_NOT_FOUND, retriable: false },
  { matches: (s) => s === 429, code: ErrorCodes.REGISTRY_UNAVAILABLE, retriable: true },
  { matches: (s) => s >= 500 && s <= 599, code: ErrorCodes.REGISTRY_UNAVAILABLE, retriable: true },
];

/** Unknown / other 4xx statuses: a plain, non-retriable registry error. */
export const FALLBACK: StatusEntry = { matches: () => true, code: ErrorCodes.REGISTRY_ERROR, retriable: false };

/** The table entry for an HTTP status. */
export function classifyStatus(status: number): StatusEntry {
  return STATUS_TABLE.find((e) => e.matches(status)) ?? FALLBACK;
}

/** Raw server-style messages of errors raised by the in-memory registries (for the test server). */
const rawMessages = new WeakMap<object, string>();

/**
 * An error as the registry server itself would raise it: HTTP `status`, registry `error_code`
 * and the server's message (e.g. `Subject 'x' not found.`). The SDK message is prefixed with
 * `registry: `; the raw message is kept aside so the test server can answer with it verbatim.
 */
export function registryFailure(status: number, errorCode: number, message: string, cause?: unknown): RegistryError {
  const entry = classifyStatus(status);
  const err = new RegistryError(entry.code, `registry: ${message}`, {
    status,
    registryErrorCode: errorCode,
    retriable: entry.retriable,
    ...(cause === undefined ? {} : { cause }),
  });
  rawMessages.set(err, message);
  return err;
}

/** The server-style message of an error made by {@link registryFailure}, if any. */
export function rawMessageOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? rawMessages.get(err) : undefined;
}

/** `INVALID_ARGUMENT` with the project's message template. */
export function invalidArgument(field: string, expected: string, got: unknown): CsfleError {
  return new CsfleError(ErrorCodes.INVALID_ARGUMENT, `registry: "${field}" expected ${expected}, got ${describe(got)}`);
}

/** Short, safe description of a value for error messages (strings are quoted and truncated). */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    const s = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(s);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'function') return 'function';
  return String(value);
}

/** The error thrown when the caller's AbortSignal fires. */
export function abortedError(what: string, signal: AbortSignal | undefined): CsfleError {
  return new CsfleError(ErrorCodes.ABORTED, `registry: ${what} aborted`, { cause: signal?.reason });
}

/** Throws {@link abortedError} if `signal` has fired. */
export function throwIfAborted(what: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortedError(what, signal);
}
