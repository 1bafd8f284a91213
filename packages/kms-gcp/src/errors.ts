/** Maps Cloud KMS (gRPC) errors to the KMS error codes. */
import { ErrorCodes, type ClassifiedKmsError } from '@csfle/core';

/** gRPC status codes used by Cloud KMS. */
const Status = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** An integrity check (CRC32C or resource name) failed on a response: data was damaged in transit. */
export class IntegrityError extends Error {
  override readonly name = 'IntegrityError';
}

export function classifyGcpError(e: unknown): ClassifiedKmsError {
  if (e instanceof IntegrityError) return { code: ErrorCodes.KMS_UNAVAILABLE, detail: `integrity check failed: ${e.message}` };
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'number') return { code: ErrorCodes.KMS_UNAVAILABLE, detail: (e as Error | undefined)?.name ?? 'network error' };
  const detail = `gRPC status ${code}`;
  switch (code) {
    case Status.PERMISSION_DENIED:
    case Status.UNAUTHENTICATED:
    case Status.FAILED_PRECONDITION: // key version disabled or destroyed: the key holder refuses its use
      return { code: ErrorCodes.KMS_DENIED, detail };
    case Status.NOT_FOUND:
      return { code: ErrorCodes.KMS_KEY_NOT_FOUND, detail };
    case Status.INVALID_ARGUMENT:
      return { code: ErrorCodes.KMS_INVALID_CIPHERTEXT, detail };
    default:
      return { code: ErrorCodes.KMS_UNAVAILABLE, detail };
  }
}
