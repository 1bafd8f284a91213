/**
 * One error root for the whole SDK (conventions §6–8): a closed `code` union, a `retriable`
 * flag and an optional `cause`. Guards check a brand, not `instanceof`, so they survive
 * duplicate copies of the package.
 *
 * Messages never contain key material or plaintext. Decryption failures are deliberately
 * opaque: one `DECRYPTION_FAILED` code that does not reveal which key, tag or byte failed.
 */

export const ErrorCodes = {
  /** Misuse of an API: bad argument, bad option. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** AEAD / deterministic AEAD failed to authenticate or decrypt. Opaque by design. */
  DECRYPTION_FAILED: 'DECRYPTION_FAILED',
  /** Encryption could not be performed (bad key, unsupported field type, ...). */
  ENCRYPTION_FAILED: 'ENCRYPTION_FAILED',
  /** Key material or key proto malformed, wrong size, unsupported key type. */
  INVALID_KEY: 'INVALID_KEY',
  /** Unknown / unsupported DEK algorithm. */
  UNSUPPORTED_ALGORITHM: 'UNSUPPORTED_ALGORITHM',
  /** A rule's params or shape is malformed (missing kek name, bad expiry days, ...). */
  INVALID_RULE: 'INVALID_RULE',
  /** A rule failed and its onFailure action says ERROR (cause attached). */
  RULE_FAILED: 'RULE_FAILED',
  /** A write-side failure where emitting plaintext was refused (safe default). */
  PLAINTEXT_REFUSED: 'PLAINTEXT_REFUSED',
  /** onFailure names an action nobody registered. */
  UNKNOWN_ACTION: 'UNKNOWN_ACTION',
  /** A tagged field has a type that cannot be encrypted (only string and bytes can). */
  UNSUPPORTED_FIELD_TYPE: 'UNSUPPORTED_FIELD_TYPE',
  /** KEK not found in the DEK registry (and could not / must not be created). */
  KEK_NOT_FOUND: 'KEK_NOT_FOUND',
  /** DEK not found in the DEK registry (read path). */
  DEK_NOT_FOUND: 'DEK_NOT_FOUND',
  /** The KEK in the registry disagrees with the rule's kms type / key id. */
  KEK_MISMATCH: 'KEK_MISMATCH',
  /** No KMS client supports the key URI. */
  KMS_NOT_CONFIGURED: 'KMS_NOT_CONFIGURED',
  /** KMS refused: authentication / permission. */
  KMS_DENIED: 'KMS_DENIED',
  /** KMS key not found. */
  KMS_KEY_NOT_FOUND: 'KMS_KEY_NOT_FOUND',
  /** KMS could not unwrap: ciphertext invalid or produced by another key. */
  KMS_INVALID_CIPHERTEXT: 'KMS_INVALID_CIPHERTEXT',
  /** KMS unreachable, timed out or throttled. Retriable. */
  KMS_UNAVAILABLE: 'KMS_UNAVAILABLE',
  /** Registry answered with an error status (see `status`, `registryErrorCode`). */
  REGISTRY_ERROR: 'REGISTRY_ERROR',
  /** Registry: subject / version / schema id / key not found. */
  REGISTRY_NOT_FOUND: 'REGISTRY_NOT_FOUND',
  /** Registry: 401/403. */
  REGISTRY_UNAUTHORIZED: 'REGISTRY_UNAUTHORIZED',
  /** Registry unreachable, timed out or 5xx after retries. Retriable. */
  REGISTRY_UNAVAILABLE: 'REGISTRY_UNAVAILABLE',
  /** Bytes are not a valid framed message (short, unknown magic byte). */
  INVALID_FRAME: 'INVALID_FRAME',
  /** Schema could not be parsed / resolved, or the value does not fit it. */
  SCHEMA_ERROR: 'SCHEMA_ERROR',
  /** Serialization of a value failed (not encryption-related). */
  SERIALIZATION_FAILED: 'SERIALIZATION_FAILED',
  /** Deserialization of bytes failed (not encryption-related). */
  DESERIALIZATION_FAILED: 'DESERIALIZATION_FAILED',
  /** Operation aborted through an AbortSignal. */
  ABORTED: 'ABORTED',
  /** A Kafka operation of a wrapper failed (e.g. writing to the dead-letter topic). Retriable. */
  KAFKA_ERROR: 'KAFKA_ERROR',
} as const;

export type CsfleErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const BRAND = Symbol.for('@csfle/core/CsfleError');

/** Options accepted by every error constructor. */
export interface CsfleErrorOptions {
  readonly cause?: unknown;
  readonly retriable?: boolean;
}

/** Root of every error thrown by the SDK. */
export class CsfleError extends Error {
  override readonly name: string = 'CsfleError';
  readonly code: CsfleErrorCode;
  readonly retriable: boolean;

  constructor(code: CsfleErrorCode, message: string, options: CsfleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** JSON form: code, name, message, retriable. Never includes the cause's secrets or key bytes. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retriable: this.retriable };
  }
}

/** An AEAD / deterministic AEAD failure. The message is always the same. */
export class DecryptionError extends CsfleError {
  override readonly name: string = 'DecryptionError';
  constructor(options: CsfleErrorOptions = {}) {
    super(ErrorCodes.DECRYPTION_FAILED, 'decryption failed', options);
  }
}

/** A rule could not be applied; carries the rule name and, when known, the field's full name. */
export class RuleError extends CsfleError {
  override readonly name: string = 'RuleError';
  readonly ruleName: string | undefined;
  readonly fieldPath: string | undefined;
  /**
   * The `onFailure` action that produced this error, when one did (`ERROR`, `DLQ`, or a
   * custom name). A Kafka wrapper routes errors whose action is `DLQ` to a dead-letter topic.
   */
  readonly action: string | undefined;
  constructor(
    code: CsfleErrorCode,
    message: string,
    options: CsfleErrorOptions & { ruleName?: string; fieldPath?: string; action?: string } = {},
  ) {
    super(code, message, options);
    this.ruleName = options.ruleName;
    this.fieldPath = options.fieldPath;
    this.action = options.action;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ruleName: this.ruleName, fieldPath: this.fieldPath, action: this.action };
  }
}

/** A KMS call failed. `provider` is the KMS type, `kekUri` the key URI (not secret). */
export class KmsError extends CsfleError {
  override readonly name: string = 'KmsError';
  readonly provider: string | undefined;
  readonly kekUri: string | undefined;
  constructor(
    code: CsfleErrorCode,
    message: string,
    options: CsfleErrorOptions & { provider?: string; kekUri?: string } = {},
  ) {
    super(code, message, { ...options, retriable: options.retriable ?? code === ErrorCodes.KMS_UNAVAILABLE });
    this.provider = options.provider;
    this.kekUri = options.kekUri;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), provider: this.provider, kekUri: this.kekUri };
  }
}

/** A Schema Registry or DEK Registry call failed. */
export class RegistryError extends CsfleError {
  override readonly name: string = 'RegistryError';
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** The registry's `error_code` (e.g. 40401, 40470), when the server sent one. */
  readonly registryErrorCode: number | undefined;
  constructor(
    code: CsfleErrorCode,
    message: string,
    options: CsfleErrorOptions & { status?: number; registryErrorCode?: number } = {},
  ) {
    super(code, message, { ...options, retriable: options.retriable ?? code === ErrorCodes.REGISTRY_UNAVAILABLE });
    this.status = options.status;
    this.registryErrorCode = options.registryErrorCode;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, registryErrorCode: this.registryErrorCode };
  }
}

/** Framing, schema or format error in a serializer / deserializer. */
export class SerdeError extends CsfleError {
  override readonly name: string = 'SerdeError';
  /** The subject or topic involved, when known. */
  readonly subject: string | undefined;
  /** The schema id involved, when known. */
  readonly schemaId: number | undefined;
  constructor(
    code: CsfleErrorCode,
    message: string,
    options: CsfleErrorOptions & { subject?: string; schemaId?: number } = {},
  ) {
    super(code, message, options);
    this.subject = options.subject;
    this.schemaId = options.schemaId;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), subject: this.subject, schemaId: this.schemaId };
  }
}

/** True for any error thrown by this SDK (brand check, not instanceof). */
export function isCsfleError(e: unknown): e is CsfleError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}
/** True for a KMS error. */
export function isKmsError(e: unknown): e is KmsError {
  return isCsfleError(e) && e.name === 'KmsError';
}
/** True for a registry error. */
export function isRegistryError(e: unknown): e is RegistryError {
  return isCsfleError(e) && e.name === 'RegistryError';
}
/** True for a rule error. */
export function isRuleError(e: unknown): e is RuleError {
  return isCsfleError(e) && e.name === 'RuleError';
}
/** True for a decryption error. */
export function isDecryptionError(e: unknown): e is DecryptionError {
  return isCsfleError(e) && e.code === ErrorCodes.DECRYPTION_FAILED;
}
