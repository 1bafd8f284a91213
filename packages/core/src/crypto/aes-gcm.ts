/**
 * AES-GCM (NIST SP 800-38D) on `node:crypto`, in Confluent's / Tink's raw layout
 * `nonce(12) || ciphertext || tag(16)` (Confluent CSFLE format §3.1, RFC 5116 §5.1 sizes).
 *
 * The key is imported once per instance as a `KeyObject`; each call only creates the
 * (unavoidably per-nonce) OpenSSL cipher context. Output is allocated once and filled in place.
 */
import {
  type CipherGCMTypes,
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomFillSync,
} from 'node:crypto';
import { inspect } from 'node:util';
import type { Aead } from '../aead.js';
import { CsfleError, DecryptionError, ErrorCodes } from '../errors.js';
import { keyBytesOf, type SecretBytes, typeName } from './secret-bytes.js';

/** Nonce size of the {@link Aead} layout (96 bits, SP 800-38D §8.2.2 random construction). */
export const GCM_NONCE_SIZE = 12;
/** Tag size of the {@link Aead} layout (128 bits; truncated tags are never accepted). */
export const GCM_TAG_SIZE = 16;
const OVERHEAD = GCM_NONCE_SIZE + GCM_TAG_SIZE;
const AUTH_TAG = { authTagLength: GCM_TAG_SIZE } as const;
const NO_AAD = new Uint8Array(0);

// --- Random nonces ---------------------------------------------------------------------------
// One randomFillSync per encryption costs about as much as the AES-GCM call itself (a trip into
// OpenSSL's RNG for 12 bytes). We draw CSPRNG output in 4 KiB batches instead and hand each
// 12-byte slice out exactly once (the same idea as Node's own entropy cache for randomUUID).
// JS is single-threaded per isolate and every worker gets its own module instance, so a slice
// can never be handed out twice. Nonces are public, so holding them in memory is harmless.
// One way a process could inherit the pool's state is a user-land V8 startup snapshot
// (`node --build-snapshot`): every process started from it would replay the same bytes. Such
// processes get a new pid (Node re-patches `process.pid` on startup), so a pid change discards
// the pool.
const NONCE_POOL = Buffer.allocUnsafeSlow(GCM_NONCE_SIZE * 341);
let noncePos = NONCE_POOL.length;
let noncePid = -1;

function writeNonce(out: Buffer, offset: number): void {
  if (noncePos + GCM_NONCE_SIZE > NONCE_POOL.length || noncePid !== process.pid) {
    randomFillSync(NONCE_POOL);
    noncePos = 0;
    noncePid = process.pid;
  }
  NONCE_POOL.copy(out, offset, noncePos, noncePos + GCM_NONCE_SIZE);
  noncePos += GCM_NONCE_SIZE;
}

// --- Helpers -----------------------------------------------------------------------------------

/** @internal Throws a TypeError naming the argument when `v` is not a Uint8Array. */
export function assertBytes(component: string, field: string, v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) {
    throw new TypeError(`${component}: ${field} expected Uint8Array, got ${typeName(v)}`);
  }
}

/** @internal "16", "16 or 32", "16, 24 or 32" for error messages. */
export function sizeList(sizes: readonly number[]): string {
  return sizes.length < 2 ? sizes.join('') : `${sizes.slice(0, -1).join(', ')} or ${String(sizes.at(-1))}`;
}

function gcmAlgorithm(keyLength: number, allowed: readonly number[], component: string): CipherGCMTypes {
  if (!allowed.includes(keyLength)) {
    throw new CsfleError(ErrorCodes.INVALID_KEY, `${component}: key expected ${sizeList(allowed)} bytes, got ${keyLength}`);
  }
  return `aes-${keyLength * 8}-gcm` as CipherGCMTypes;
}

// --- The Aead ----------------------------------------------------------------------------------

/**
 * @internal The AES-GCM Aead plus a variant that leaves `headroom` bytes at the front of the
 * output for a caller-written prefix (the DEK version prefix), so prefix + ciphertext is one
 * allocation on the hot path.
 */
export interface AesGcmAead extends Aead {
  encryptWithHeadroom(headroom: number, plaintext: Uint8Array, associatedData?: Uint8Array): Buffer;
}

class AesGcm implements AesGcmAead {
  readonly #key: KeyObject;
  readonly #alg: CipherGCMTypes;

  constructor(key: KeyObject, alg: CipherGCMTypes) {
    this.#key = key;
    this.#alg = alg;
  }

  encrypt(plaintext: Uint8Array, associatedData: Uint8Array = NO_AAD): Buffer {
    return this.encryptWithHeadroom(0, plaintext, associatedData);
  }

  encryptWithHeadroom(headroom: number, plaintext: Uint8Array, associatedData: Uint8Array = NO_AAD): Buffer {
    assertBytes('aes-gcm', 'plaintext', plaintext);
    assertBytes('aes-gcm', 'associatedData', associatedData);
    const n = plaintext.length;
    const out = Buffer.allocUnsafe(headroom + OVERHEAD + n);
    const nonceAt = headroom;
    writeNonce(out, nonceAt);
    const cipher = createCipheriv(this.#alg, this.#key, out.subarray(nonceAt, nonceAt + GCM_NONCE_SIZE), AUTH_TAG);
    if (associatedData.length > 0) cipher.setAAD(associatedData);
    // Node has no update-into-buffer API; one copy of the (short) body is the cheapest option.
    out.set(cipher.update(plaintext), nonceAt + GCM_NONCE_SIZE);
    cipher.final(); // GCM is a stream mode: final() emits no bytes, it computes the tag.
    out.set(cipher.getAuthTag(), nonceAt + GCM_NONCE_SIZE + n);
    return out;
  }

  decrypt(ciphertext: Uint8Array, associatedData: Uint8Array = NO_AAD): Buffer {
    assertBytes('aes-gcm', 'ciphertext', ciphertext);
    assertBytes('aes-gcm', 'associatedData', associatedData);
    if (ciphertext.length < OVERHEAD) throw new DecryptionError();
    const tagAt = ciphertext.length - GCM_TAG_SIZE;
    return open(
      this.#alg,
      this.#key,
      ciphertext.subarray(0, GCM_NONCE_SIZE),
      ciphertext.subarray(GCM_NONCE_SIZE, tagAt),
      ciphertext.subarray(tagAt),
      associatedData,
    );
  }

  toString(): string {
    return `AesGcm(${this.#alg})`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Decrypts and authenticates. OpenSSL produces the plaintext before it checks the tag; we
 * release it only after `final()` verified the tag, and zero it otherwise (conventions §11).
 */
function open(
  alg: CipherGCMTypes,
  key: KeyObject,
  iv: Uint8Array,
  body: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer {
  let plaintext: Buffer | undefined;
  try {
    const decipher = createDecipheriv(alg, key, iv, AUTH_TAG);
    decipher.setAuthTag(tag);
    if (aad.length > 0) decipher.setAAD(aad);
    plaintext = decipher.update(body);
    decipher.final();
    return plaintext;
  } catch {
    plaintext?.fill(0);
    // Opaque on purpose: no cause, no hint whether the tag, key or length was wrong.
    throw new DecryptionError();
  }
}

/** @internal {@link createAesGcm} with an explicit set of accepted key sizes. */
export function newAesGcm(
  key: SecretBytes | Uint8Array,
  allowedKeySizes: readonly number[] = [16, 32],
  component = 'aes-gcm',
): AesGcmAead {
  const bytes = keyBytesOf(key);
  assertBytes(component, 'key', bytes);
  const alg = gcmAlgorithm(bytes.length, allowedKeySizes, component);
  return new AesGcm(createSecretKey(bytes), alg);
}

/**
 * Creates an AES-GCM {@link Aead} with Confluent's layout `nonce(12) || ct || tag(16)`,
 * random 96-bit nonces and empty associated data by default.
 *
 * The key is copied into a `KeyObject` once; wiping `key` afterwards does not affect the Aead.
 * Random nonces: stay well below 2^32 encryptions per key (SP 800-38D §8.3).
 *
 * @param key - 16 bytes (AES-128-GCM) or 32 bytes (AES-256-GCM).
 * @returns The Aead; `decrypt` throws {@link DecryptionError} for any bad input (opaque).
 * @throws {CsfleError} `INVALID_KEY` for another key size.
 * @example
 * const aead = createAesGcm(new SecretBytes(randomBytes(32)));
 * const ct = aead.encrypt(Buffer.from('hello'));
 * aead.decrypt(ct).toString(); // 'hello'
 */
export function createAesGcm(key: SecretBytes | Uint8Array): Aead {
  return newAesGcm(key);
}

// --- Low-level GCM for test vectors (subtle) --------------------------------------------------

/**
 * Low-level AES-GCM seal with a caller-chosen IV. Sharp tool: reusing an IV under one key
 * destroys GCM's security. For vector tests and interop only.
 *
 * @param key - 16, 24 or 32 bytes.
 * @param iv - 1..128 bytes (Node/OpenSSL limit); 12 bytes is the only size the Aead uses.
 * @returns `{ ciphertext, tag }` with a 16-byte tag.
 * @throws {CsfleError} `INVALID_KEY` for a bad key size. @throws {RangeError} for a bad IV size.
 */
export function gcmSeal(
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array = NO_AAD,
): { ciphertext: Buffer; tag: Buffer } {
  assertBytes('aes-gcm', 'key', key);
  assertBytes('aes-gcm', 'iv', iv);
  assertBytes('aes-gcm', 'plaintext', plaintext);
  assertBytes('aes-gcm', 'associatedData', associatedData);
  const alg = gcmAlgorithm(key.length, [16, 24, 32], 'aes-gcm');
  // A zero-length IV leaks the GHASH key (CVE-2017-7822); OpenSSL also caps IVs at 128 bytes.
  if (iv.length < 1 || iv.length > 128) {
    throw new RangeError(`aes-gcm: iv expected 1..128 bytes, got ${iv.length}`);
  }
  const cipher = createCipheriv(alg, createSecretKey(key), iv, AUTH_TAG);
  if (associatedData.length > 0) cipher.setAAD(associatedData);
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  return { ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Low-level AES-GCM open (counterpart of {@link gcmSeal}). Only full 16-byte tags are accepted.
 * @throws {DecryptionError} on any failure, including bad IV or tag sizes (opaque).
 * @throws {CsfleError} `INVALID_KEY` for a bad key size.
 */
export function gcmOpen(
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  associatedData: Uint8Array = NO_AAD,
): Buffer {
  assertBytes('aes-gcm', 'key', key);
  assertBytes('aes-gcm', 'iv', iv);
  assertBytes('aes-gcm', 'ciphertext', ciphertext);
  assertBytes('aes-gcm', 'tag', tag);
  assertBytes('aes-gcm', 'associatedData', associatedData);
  const alg = gcmAlgorithm(key.length, [16, 24, 32], 'aes-gcm');
  if (iv.length < 1 || iv.length > 128 || tag.length !== GCM_TAG_SIZE) throw new DecryptionError();
  return open(alg, createSecretKey(key), iv, ciphertext, tag, associatedData);
}
