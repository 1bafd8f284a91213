/** Maps AWS SDK errors to the KMS error codes (see @csfle/core kms-support). */
import { ErrorCodes, type ClassifiedKmsError } from '@csfle/core';

const DENIED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'DisabledException', // the key is disabled: the key holder refuses its use
  'KMSInvalidStateException', // e.g. pending deletion
  'CredentialsProviderError',
]);
const INVALID_CIPHERTEXT = new Set(['InvalidCiphertextException', 'IncorrectKeyException', 'InvalidKeyUsageException']);
const NOT_FOUND = new Set(['NotFoundException']);
const UNAVAILABLE = new Set([
  'KMSInternalException',
  'DependencyTimeoutException',
  'ThrottlingException',
  'LimitExceededException',
  'ServiceUnavailableException',
  'RequestTimeout',
  'TimeoutError',
]);

/**
 * Classifies an AWS SDK v3 error by its name, then its HTTP status. The detail names the AWS
 * error type and status only: AWS messages are not copied (they can quote ARNs of other accounts).
 */
export function classifyAwsError(e: unknown): ClassifiedKmsError {
  const err = e as { name?: unknown; $metadata?: { httpStatusCode?: number }; code?: unknown } | undefined;
  const name = typeof err?.name === 'string' ? err.name : 'Error';
  const status = err?.$metadata?.httpStatusCode;
  const detail = status === undefined ? name : `${name}, HTTP ${status}`;
  if (NOT_FOUND.has(name)) return { code: ErrorCodes.KMS_KEY_NOT_FOUND, detail };
  if (INVALID_CIPHERTEXT.has(name)) return { code: ErrorCodes.KMS_INVALID_CIPHERTEXT, detail };
  if (DENIED.has(name) || status === 401 || status === 403) return { code: ErrorCodes.KMS_DENIED, detail };
  if (UNAVAILABLE.has(name) || (status !== undefined && (status === 429 || status >= 500))) return { code: ErrorCodes.KMS_UNAVAILABLE, detail };
  // Another 4xx (e.g. ValidationException): the request itself was refused; retrying won't help.
  if (status !== undefined && status >= 400 && status < 500) return { code: ErrorCodes.KMS_INVALID_CIPHERTEXT, detail };
  // No HTTP status: the request never got an answer (DNS, refused connection, reset).
  return { code: ErrorCodes.KMS_UNAVAILABLE, detail };
}
