/** Maps Azure SDK (RestError) failures to the KMS error codes. */
import { ErrorCodes, type ClassifiedKmsError } from '@csfle/core';

export function classifyAzureError(e: unknown): ClassifiedKmsError {
  const err = e as { name?: string; statusCode?: number; code?: string } | undefined;
  const status = err?.statusCode;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const detail = [err?.name ?? 'Error', code, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(', ');
  if (err?.name === 'CredentialUnavailableError' || err?.name === 'AuthenticationError' || err?.name === 'AggregateAuthenticationError') {
    return { code: ErrorCodes.KMS_DENIED, detail };
  }
  if (status === 401 || status === 403 || code === 'Forbidden' || code === 'Unauthorized') return { code: ErrorCodes.KMS_DENIED, detail };
  if (status === 404 || code === 'KeyNotFound') return { code: ErrorCodes.KMS_KEY_NOT_FOUND, detail };
  if (status === 429 || (status !== undefined && status >= 500)) return { code: ErrorCodes.KMS_UNAVAILABLE, detail };
  if (status !== undefined && status >= 400) return { code: ErrorCodes.KMS_INVALID_CIPHERTEXT, detail };
  // Local failures of the SDK's own RSA (a tampered ciphertext decrypted locally never happens for
  // decrypt, which is always remote) and network errors.
  return { code: ErrorCodes.KMS_UNAVAILABLE, detail };
}
