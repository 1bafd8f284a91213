/**
 * The cipher the field and payload transforms use: one DEK, Confluent's layout
 * (CSFLE format §3.1 / §3.3), and the optional DEK-rotation version prefix (§3.2).
 */
import { inspect } from 'node:util';
import type { DekCipher } from '../aead.js';
import { DecryptionError } from '../errors.js';
import type { DekAlgorithm } from '../schema.js';
import { assertBytes, newAesGcm } from './aes-gcm.js';
import { newAesSiv } from './aes-siv.js';
import { parseDek } from './dek-proto.js';
import type { SecretBytes } from './secret-bytes.js';

/** Size of the version prefix: `0x00 || int32 BE version`. */
export const VERSION_PREFIX_SIZE = 5;
const EMPTY = new Uint8Array(0);

/** A {@link DekCipher} that can also write the version prefix and the ciphertext in one allocation. */
export interface VersionedDekCipher extends DekCipher {
  /**
   * Same as `addVersionPrefix(version, encrypt(plaintext))`, with one allocation.
   * @throws {RangeError} if `version` is not a signed 32-bit integer.
   */
  encryptWithVersion(version: number, plaintext: Uint8Array): Buffer;
}

function checkVersion(version: number): void {
  if (!Number.isInteger(version) || version < -0x80000000 || version > 0x7fffffff) {
    throw new RangeError(`dek-cipher: version expected signed 32-bit integer, got ${String(version)}`);
  }
}

function writePrefix(out: Buffer, version: number): void {
  out[0] = 0x00;
  out.writeInt32BE(version, 1);
}

type Seal = (headroom: number, plaintext: Uint8Array) => Buffer;
type Open = (ciphertext: Uint8Array) => Buffer;

class DekCipherImpl implements VersionedDekCipher {
  readonly algorithm: DekAlgorithm;
  readonly #seal: Seal;
  readonly #open: Open;

  constructor(algorithm: DekAlgorithm, seal: Seal, open: Open) {
    this.algorithm = algorithm;
    this.#seal = seal;
    this.#open = open;
  }
  encrypt(plaintext: Uint8Array): Buffer {
    return this.#seal(0, plaintext);
  }
  encryptWithVersion(version: number, plaintext: Uint8Array): Buffer {
    checkVersion(version);
    const out = this.#seal(VERSION_PREFIX_SIZE, plaintext);
    writePrefix(out, version);
    return out;
  }
  decrypt(ciphertext: Uint8Array): Buffer {
    return this.#open(ciphertext);
  }
  toString(): string {
    return `DekCipher(${this.algorithm})`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Builds the cipher for one DEK.
 *
 * - `AES128_GCM` / `AES256_GCM`: `nonce(12) || ct || tag(16)`, empty associated data.
 * - `AES256_SIV`: `SIV(16) || ct`, S2V over exactly one empty associated-data component.
 *
 * The key is parsed from the proto and imported once; the temporary raw key is wiped.
 *
 * @param algorithm - The DEK's algorithm (from the rule / the DEK registry).
 * @param dek - The serialized DEK proto (Tink `AesGcmKey` / `AesSivKey`), plain or as SecretBytes.
 * @throws {CsfleError} `UNSUPPORTED_ALGORITHM` or `INVALID_KEY`.
 * @example
 * const cipher = createDekCipher('AES256_GCM', generateDek('AES256_GCM'));
 * cipher.decrypt(cipher.encrypt(Buffer.from('hello')));
 */
export function createDekCipher(algorithm: DekAlgorithm, dek: Uint8Array | SecretBytes): VersionedDekCipher {
  const key = parseDek(algorithm, dek);
  try {
    if (algorithm === 'AES256_SIV') {
      const siv = newAesSiv(key);
      return new DekCipherImpl(
        algorithm,
        (headroom, pt) => siv.encryptWithHeadroom(headroom, pt, EMPTY),
        (ct) => siv.decryptDeterministically(ct, EMPTY),
      );
    }
    const gcm = newAesGcm(key);
    return new DekCipherImpl(
      algorithm,
      (headroom, pt) => gcm.encryptWithHeadroom(headroom, pt, EMPTY),
      (ct) => gcm.decrypt(ct, EMPTY),
    );
  } finally {
    key.wipe();
  }
}

/**
 * Prepends the DEK-rotation prefix `0x00 || int32 BE version` (CSFLE format §3.2), used when
 * the rule's `encrypt.dek.expiry.days` > 0.
 * @throws {RangeError} if `version` is not a signed 32-bit integer.
 */
export function addVersionPrefix(version: number, ciphertext: Uint8Array): Buffer {
  checkVersion(version);
  assertBytes('dek-cipher', 'ciphertext', ciphertext);
  const out = Buffer.allocUnsafe(VERSION_PREFIX_SIZE + ciphertext.length);
  writePrefix(out, version);
  out.set(ciphertext, VERSION_PREFIX_SIZE);
  return out;
}

/**
 * Splits `0x00 || int32 BE version || body`. `body` is a view into `buf` (no copy).
 * @throws {DecryptionError} if `buf` is shorter than 5 bytes or does not start with 0x00
 *   (opaque, like every other failure on the decrypt path).
 */
export function readVersionPrefix(buf: Uint8Array): { version: number; body: Buffer } {
  assertBytes('dek-cipher', 'ciphertext', buf);
  if (buf.length < VERSION_PREFIX_SIZE || buf[0] !== 0x00) throw new DecryptionError();
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  return { version: view.readInt32BE(1), body: view.subarray(VERSION_PREFIX_SIZE) };
}
