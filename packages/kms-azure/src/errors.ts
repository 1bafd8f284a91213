/**
 * Maps Azure SDK failures to the four KMS error codes callers act on.
 *
 * Key Vault answers (RestError `statusCode` + `code`): 401/403 → denied; 404 (`KeyNotFound`) →
 * not found; 400 (`BadParameter`, e.g. "Error decrypting data") and other 4xx → invalid
 * ciphertext; 408/429/5xx → unavailable. No status (connection refused, reset, DNS, TLS) →
 * unavailable. `@azure/identity` errors: no credential / authentication refused → denied, but an
 * identity endpoint that is throttled or down (429/5xx) → unavailable.
 *
 * `CryptographyClient` also fails locally before any request, with a plain `Error` and only its
 * message to tell the cases apart, when the key it fetched is not usable for the operation
 * (`key_ops` without `encrypt`/`decrypt`, expired, not yet valid) or the vault's challenge does not
 * match its host. Those are refusals, not outages: mapped to denied (not retried).
 */
import { ErrorCodes, type ClassifiedKmsError, type KmsErrorCode } from '@csfle/core';

interface AzureLikeError {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly statusCode?: unknown;
  readonly code?: unknown;
  readonly errors?: unknown;
}

const LOCAL_REFUSALS: readonly RegExp[] = [
  /^Operation \w+ is not supported on key /,
  /^Key \S+ expired at /,
  /^Key \S+ can't be used before /,
  /^The challenge (resource|origin) '[^']*' does not match the requested domain/,
];

function statusCode(status: number): KmsErrorCode {
  if (status === 401 || status === 403) return ErrorCodes.KMS_DENIED;
  if (status === 404) return ErrorCodes.KMS_KEY_NOT_FOUND;
  if (status === 408 || status === 429 || status >= 500) return ErrorCodes.KMS_UNAVAILABLE;
  if (status >= 400) return ErrorCodes.KMS_INVALID_CIPHERTEXT;
  return ErrorCodes.KMS_UNAVAILABLE;
}

function codeOf(err: AzureLikeError): KmsErrorCode {
  const name = typeof err.name === 'string' ? err.name : '';
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  if (name === 'CredentialUnavailableError' || name === 'AuthenticationRequiredError') return ErrorCodes.KMS_DENIED;
  if (name === 'AuthenticationError') {
    return status !== undefined && (status === 408 || status === 429 || status >= 500) ? ErrorCodes.KMS_UNAVAILABLE : ErrorCodes.KMS_DENIED;
  }
  if (name === 'AggregateAuthenticationError') {
    // DefaultAzureCredential tried every source: denied unless one of them was merely unreachable.
    const inner = Array.isArray(err.errors) ? (err.errors as AzureLikeError[]) : [];
    return inner.some((e) => e && codeOf(e) === ErrorCodes.KMS_UNAVAILABLE) ? ErrorCodes.KMS_UNAVAILABLE : ErrorCodes.KMS_DENIED;
  }
  if (status !== undefined) return statusCode(status);
  const message = typeof err.message === 'string' ? err.message : '';
  if (name === 'Error' && LOCAL_REFUSALS.some((r) => r.test(message))) return ErrorCodes.KMS_DENIED;
  return ErrorCodes.KMS_UNAVAILABLE;
}

/**
 * Classifies an error thrown by `@azure/keyvault-keys` / `@azure/identity` (or an injected client).
 * The detail names the error class, Key Vault's error code and the HTTP status only: never a
 * message, which may echo request data.
 */
export function classifyAzureError(e: unknown): ClassifiedKmsError {
  const err: AzureLikeError = typeof e === 'object' && e !== null ? (e as AzureLikeError) : {};
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const detail = [name, typeof err.code === 'string' ? err.code : undefined, typeof err.statusCode === 'number' ? `HTTP ${err.statusCode}` : undefined]
    .filter((x) => x !== undefined)
    .join(', ');
  return { code: codeOf(err), detail };
}
