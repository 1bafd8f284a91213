/** Maps Vault / OpenBao transit errors to the KMS error codes. */
import { ErrorCodes, type ClassifiedKmsError } from '@csfle/core';

/**
 * Vault answers 400 for both a missing key on decrypt ("encryption key not found") and a bad
 * ciphertext ("invalid ciphertext", "cipher: message authentication failed", "invalid
 * ciphertext: no prefix"); 403 for a token without permission; 404 on unknown mounts; 5xx when
 * sealed or overloaded.
 */
export function classifyVaultError(e: unknown): ClassifiedKmsError {
  const err = e as { name?: string; response?: { statusCode?: number; body?: { errors?: unknown[] } }; message?: string } | undefined;
  const status = err?.response?.statusCode;
  if (status === undefined) return { code: ErrorCodes.KMS_UNAVAILABLE, detail: err?.name ?? 'network error' };
  const first = err?.response?.body?.errors?.[0];
  const text = typeof first === 'string' ? first.toLowerCase() : '';
  const detail = `HTTP ${status}`;
  if (status === 401 || status === 403) return { code: ErrorCodes.KMS_DENIED, detail };
  if (status === 404) return { code: ErrorCodes.KMS_KEY_NOT_FOUND, detail: `${detail}, unknown transit mount or key` };
  if (status === 400 && /key not found|no existing key/.test(text)) return { code: ErrorCodes.KMS_KEY_NOT_FOUND, detail: `${detail}, key not found` };
  if (status === 429 || status >= 500) return { code: ErrorCodes.KMS_UNAVAILABLE, detail };
  if (status >= 400 && status < 500) return { code: ErrorCodes.KMS_INVALID_CIPHERTEXT, detail };
  return { code: ErrorCodes.KMS_UNAVAILABLE, detail };
}
