/**
 * Local KMS compatible with Confluent's `local-kms` driver (CSFLE format §2.2): the KEK is
 * derived from a secret string, so no external service is needed. For development and tests;
 * in production the secret must be managed like any other key.
 *
 *   KEK  = HKDF-SHA256(IKM = UTF-8(secret), salt = none, info = empty, L = 16)   (RFC 5869)
 *   wrap = AES-128-GCM(KEK), `nonce(12) || ct || tag(16)`, empty associated data
 *
 * Unlike Confluent's process-wide client cache (§8.7), each client holds its own KEK: two
 * clients with different secrets in one process never see each other's keys.
 */
import { hkdfSync } from 'node:crypto';
import { inspect } from 'node:util';
import { type AesGcmAead, newAesGcm } from './crypto/aes-gcm.js';
import { SecretBytes } from './crypto/secret-bytes.js';
import { CsfleError, ErrorCodes, isDecryptionError, KmsError } from './errors.js';
import type { KmsCallOptions, KmsClient } from './kms.js';

const KMS_TYPE = 'local-kms';
const PREFIX = `${KMS_TYPE}://`;
const KEK_SIZE = 16;
// HKDF with "salt not provided" means HashLen zero bytes (RFC 5869 §2.2); spelled out here.
const HKDF_SALT = new Uint8Array(32);
const HKDF_INFO = new Uint8Array(0);

/** Options for {@link createLocalKms}. */
export interface LocalKmsOptions {
  /** The secret the KEK is derived from (Confluent's `secret` config / `LOCAL_SECRET`). Required, non-empty. */
  readonly secret: string;
  /**
   * Restricts the client to `local-kms://<id>` for these key ids. Default: every `local-kms://`
   * URI, as Confluent does (the key id plays no part in the derivation).
   */
  readonly keyIds?: readonly string[];
}

function invalidArgument(message: string): CsfleError {
  return new CsfleError(ErrorCodes.INVALID_ARGUMENT, message);
}

function validateSecret(secret: unknown): asserts secret is string {
  if (typeof secret !== 'string') {
    throw invalidArgument(`local-kms: "secret" expected non-empty string, got ${secret === null ? 'null' : typeof secret}`);
  }
  if (secret.length === 0) throw invalidArgument('local-kms: "secret" expected non-empty string, got ""');
}

/**
 * Derives the local KMS KEK from `secret` (HKDF-SHA256, no salt, empty info, 16 bytes).
 * `mysecret` gives `1ae4d97ac1e81594bfd1993c1a75ee36`.
 * @throws {CsfleError} `INVALID_ARGUMENT` for a missing or empty secret.
 */
export function deriveLocalKmsKek(secret: string): SecretBytes {
  validateSecret(secret);
  const ikm = Buffer.from(secret, 'utf8');
  const okm = new Uint8Array(hkdfSync('sha256', ikm, HKDF_SALT, HKDF_INFO, KEK_SIZE));
  try {
    return new SecretBytes(okm);
  } finally {
    okm.fill(0);
    ikm.fill(0);
  }
}

function checkAborted(options: KmsCallOptions | undefined, kekUri: string): void {
  const signal = options?.signal;
  if (signal?.aborted) {
    throw new KmsError(ErrorCodes.ABORTED, 'local-kms: operation aborted', {
      cause: signal.reason,
      provider: KMS_TYPE,
      kekUri,
    });
  }
}

class LocalKmsClient implements KmsClient {
  readonly kmsType: string = KMS_TYPE;
  readonly #aead: AesGcmAead;
  readonly #keyIds: ReadonlySet<string> | undefined;

  constructor(aead: AesGcmAead, keyIds: ReadonlySet<string> | undefined) {
    this.#aead = aead;
    this.#keyIds = keyIds;
  }

  supports(keyUri: string): boolean {
    if (typeof keyUri !== 'string' || !keyUri.startsWith(PREFIX)) return false;
    return this.#keyIds === undefined || this.#keyIds.has(keyUri.slice(PREFIX.length));
  }

  #check(keyUri: string, data: unknown, field: string, options: KmsCallOptions | undefined): asserts data is Uint8Array {
    checkAborted(options, keyUri);
    if (!this.supports(keyUri)) {
      throw new KmsError(
        ErrorCodes.KMS_NOT_CONFIGURED,
        `local-kms: keyUri expected ${this.#keyIds === undefined ? PREFIX + '<keyId>' : 'one of the configured local-kms key ids'}, got ${JSON.stringify(String(keyUri))}`,
        { provider: KMS_TYPE, kekUri: String(keyUri) },
      );
    }
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`local-kms: ${field} expected Uint8Array, got ${data === null ? 'null' : typeof data}`);
    }
  }

  async wrap(keyUri: string, plaintext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array> {
    this.#check(keyUri, plaintext, 'plaintext', options);
    return this.#aead.encrypt(plaintext);
  }

  async unwrap(keyUri: string, ciphertext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array> {
    this.#check(keyUri, ciphertext, 'ciphertext', options);
    try {
      return this.#aead.decrypt(ciphertext);
    } catch (e) {
      if (!isDecryptionError(e)) throw e;
      throw new KmsError(
        ErrorCodes.KMS_INVALID_CIPHERTEXT,
        'local-kms: ciphertext expected to unwrap under this secret, got authentication failure (corrupt, or wrapped under another secret)',
        { provider: KMS_TYPE, kekUri: keyUri },
      );
    }
  }

  toString(): string {
    return `LocalKmsClient(${KMS_TYPE})`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Creates a local KMS client, byte-compatible with Confluent's `local-kms` driver.
 * The secret is validated and the KEK derived here (eagerly); the client keeps only the
 * prepared AES-128-GCM key, never the secret string.
 *
 * @param options - {@link LocalKmsOptions}.
 * @returns A {@link KmsClient} with `kmsType` `local-kms`. `unwrap` rejects with
 *   `KmsError` `KMS_INVALID_CIPHERTEXT` for data wrapped under another secret, `wrap`/`unwrap`
 *   with `KMS_NOT_CONFIGURED` for an unsupported key URI and `ABORTED` if `options.signal` is aborted.
 * @throws {CsfleError} `INVALID_ARGUMENT` for a missing/empty secret or bad `keyIds`.
 * @example
 * const kms = createLocalKms({ secret: 'mysecret' });
 * const wrapped = await kms.wrap('local-kms://mykey', generateDek('AES256_GCM')); // 62 bytes
 */
export function createLocalKms(options: LocalKmsOptions): KmsClient {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument(`local-kms: options expected object, got ${options === null ? 'null' : typeof options}`);
  }
  const { secret, keyIds } = options;
  validateSecret(secret);
  let ids: ReadonlySet<string> | undefined;
  if (keyIds !== undefined) {
    if (!Array.isArray(keyIds) || keyIds.length === 0 || !keyIds.every((k) => typeof k === 'string' && k !== '')) {
      throw invalidArgument('local-kms: "keyIds" expected non-empty array of non-empty strings, got another value');
    }
    ids = new Set(keyIds);
  }
  const kek = deriveLocalKmsKek(secret);
  try {
    return new LocalKmsClient(newAesGcm(kek, [KEK_SIZE], 'local-kms'), ids);
  } finally {
    kek.wipe();
  }
}
