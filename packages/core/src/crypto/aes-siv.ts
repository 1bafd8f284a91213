/**
 * AES-CMAC-SIV (RFC 5297) built on `node:crypto` AES primitives, and AES-CMAC (RFC 4493).
 *
 * Confluent's `AES256_SIV` DEKs use the 64-byte key form (two AES-256 keys) with exactly one
 * associated-data component, the empty string (Confluent CSFLE format §3.3; Tink's
 * DeterministicAEAD rule). Output: `SIV(16) || CTR ciphertext`.
 *
 * Keys are imported once per instance. CMAC over short inputs (the common case for field values)
 * runs block by block on one long-lived AES-ECB context; longer inputs use a one-shot AES-CBC
 * context with a zero IV (CBC-MAC), which is the same computation.
 */
import { type Cipher, createCipheriv, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import type { DeterministicAead } from '../aead.js';
import { CsfleError, DecryptionError, ErrorCodes } from '../errors.js';
import { assertBytes, sizeList } from './aes-gcm.js';
import { keyBytesOf, type SecretBytes } from './secret-bytes.js';

const BLOCK = 16;
const ZERO_BLOCK = new Uint8Array(BLOCK);
const EMPTY = new Uint8Array(0);
/** S2V takes at most 127 components, the plaintext included (RFC 5297 §2.6 / §7). */
const MAX_AD_COMPONENTS = 126;
/** Blocks up to which the long-lived ECB context beats creating a CBC context (measured). */
const ECB_MAX_BLOCKS = 4;

type AesBits = 128 | 192 | 256;

function aesBits(keyLength: number): AesBits {
  return (keyLength * 8) as AesBits;
}

/**
 * dbl(S) of RFC 5297 §2.3 / the subkey step of RFC 4493 §2.3: multiply by x in GF(2^128)
 * (shift left one bit; if the top bit fell off, xor the last byte with 0x87).
 */
function dbl(s: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(BLOCK);
  for (let i = 0; i < BLOCK - 1; i++) out[i] = ((s[i] as number) << 1) | ((s[i + 1] as number) >>> 7);
  out[BLOCK - 1] = ((s[BLOCK - 1] as number) << 1) & 0xff;
  if (((s[0] as number) & 0x80) !== 0) out[BLOCK - 1] = (out[BLOCK - 1] as number) ^ 0x87;
  return out;
}

/** a ^= b over the first 16 bytes of b, starting at a[offset]. */
function xorInto(a: Uint8Array, b: Uint8Array, offset = 0): void {
  for (let i = 0; i < BLOCK; i++) a[offset + i] = (a[offset + i] as number) ^ (b[i] as number);
}

/** AES-CMAC (RFC 4493) under one prepared key. */
class Cmac {
  readonly #key: KeyObject;
  readonly #bits: AesBits;
  readonly #ecb: Cipher;
  readonly #k1: Buffer;
  readonly #k2: Buffer;

  constructor(key: KeyObject, bits: AesBits) {
    this.#key = key;
    this.#bits = bits;
    // ECB without padding is a plain block cipher: each 16-byte update() is one AES call and
    // the context never needs final(), so it can be kept for the instance's lifetime.
    this.#ecb = createCipheriv(`aes-${bits}-ecb`, key, null);
    this.#ecb.setAutoPadding(false);
    // RFC 4493 §2.3: L = AES-K(0^128); K1 = dbl(L); K2 = dbl(K1).
    const l = this.#ecb.update(ZERO_BLOCK);
    this.#k1 = dbl(l);
    this.#k2 = dbl(this.#k1);
    l.fill(0);
  }

  /** One raw AES block encryption. */
  encryptBlock(block: Uint8Array): Buffer {
    return this.#ecb.update(block);
  }

  /** AES-CMAC(K, msg), RFC 4493 §2.4. */
  mac(msg: Uint8Array): Buffer {
    const len = msg.length;
    const blocks = len === 0 ? 1 : Math.ceil(len / BLOCK);
    const lastAt = (blocks - 1) * BLOCK;
    // Step 3/4: the last block is xored with K1 when complete, else 10* padded and xored with K2.
    const last = Buffer.alloc(BLOCK);
    const tail = msg.subarray(lastAt);
    last.set(tail);
    if (len > 0 && len % BLOCK === 0) {
      xorInto(last, this.#k1);
    } else {
      last[tail.length] = 0x80;
      xorInto(last, this.#k2);
    }
    if (blocks > ECB_MAX_BLOCKS) {
      // CBC-MAC with a zero IV over M_1..M_{n-1} || M_last; the tag is the last output block.
      const cbc = createCipheriv(`aes-${this.#bits}-cbc`, this.#key, ZERO_BLOCK);
      cbc.setAutoPadding(false);
      cbc.update(msg.subarray(0, lastAt));
      return cbc.update(last);
    }
    // Step 6, block by block: X := AES(K, X xor M_i).
    let x: Buffer = Buffer.alloc(BLOCK);
    for (let at = 0; at < lastAt; at += BLOCK) {
      for (let i = 0; i < BLOCK; i++) x[i] = (x[i] as number) ^ (msg[at + i] as number);
      x = this.encryptBlock(x);
    }
    xorInto(x, last);
    return this.encryptBlock(x);
  }
}

/**
 * The SIV core for one key: S2V (RFC 5297 §2.4) and SIV encrypt/decrypt (§2.6, §2.7).
 * Key = CMAC key || CTR key (first half / second half, §2.2).
 */
class SivCore {
  readonly #cmac: Cmac;
  readonly #ctrKey: KeyObject;
  readonly #ctrAlg: string;
  /** D after the first S2V step, D = AES-CMAC(K, <zero>): depends only on the key. */
  readonly #d0: Buffer;
  /** D after one empty AD component, dbl(D0) xor CMAC(""): Confluent's case, precomputed. */
  readonly #dEmpty: Buffer;

  constructor(key: Uint8Array) {
    const half = key.length / 2;
    const bits = aesBits(half);
    this.#cmac = new Cmac(createSecretKey(key.subarray(0, half)), bits);
    this.#ctrKey = createSecretKey(key.subarray(half));
    this.#ctrAlg = `aes-${bits}-ctr`;
    this.#d0 = this.#cmac.mac(ZERO_BLOCK);
    this.#dEmpty = dbl(this.#d0);
    xorInto(this.#dEmpty, this.#cmac.mac(EMPTY));
  }

  /** S2V over the associated-data components, up to (not including) the plaintext. */
  #s2vAd(ad: readonly Uint8Array[]): Buffer {
    // The returned D is never mutated by the caller, so the cached values need no copy.
    if (ad.length === 1 && (ad[0] as Uint8Array).length === 0) return this.#dEmpty;
    let d = this.#d0;
    for (const s of ad) {
      d = dbl(d);
      xorInto(d, this.#cmac.mac(s));
    }
    return d;
  }

  /** S2V(K, S_1..S_{n-1}, plaintext) = the SIV. */
  s2v(ad: readonly Uint8Array[], plaintext: Uint8Array): Buffer {
    const d = this.#s2vAd(ad);
    let t: Buffer;
    if (plaintext.length >= BLOCK) {
      // T = S_n xorend D: xor D into the last 16 bytes of a copy of the plaintext.
      t = Buffer.from(plaintext);
      xorInto(t, d, t.length - BLOCK);
    } else {
      // T = dbl(D) xor pad(S_n), pad = S_n || 10*.
      t = dbl(d);
      for (let i = 0; i < plaintext.length; i++) t[i] = (t[i] as number) ^ (plaintext[i] as number);
      t[plaintext.length] = (t[plaintext.length] as number) ^ 0x80;
    }
    const v = this.#cmac.mac(t);
    t.fill(0); // T holds plaintext-derived bytes
    return v;
  }

  /** CTR keystream xor with Q = V & 1^64 0 1^31 0 1^31 (RFC 5297 §2.5/§2.6). */
  #ctr(v: Uint8Array, data: Uint8Array): Buffer {
    // Clearing bit 63 and bit 31 (counted from the right) lets 32- and 64-bit counter
    // implementations interoperate; OpenSSL's 128-bit counter then never carries into them.
    const q = Buffer.from(v.subarray(0, BLOCK));
    q[8] = (q[8] as number) & 0x7f;
    q[12] = (q[12] as number) & 0x7f;
    return createCipheriv(this.#ctrAlg, this.#ctrKey, q).update(data);
  }

  /** Writes `SIV || C` after `headroom` free bytes. */
  encrypt(headroom: number, plaintext: Uint8Array, ad: readonly Uint8Array[]): Buffer {
    const v = this.s2v(ad, plaintext);
    const out = Buffer.allocUnsafe(headroom + BLOCK + plaintext.length);
    out.set(v, headroom);
    out.set(this.#ctr(v, plaintext), headroom + BLOCK);
    return out;
  }

  /** RFC 5297 §2.7: decrypt, recompute the SIV, compare in constant time, only then release. */
  decrypt(ciphertext: Uint8Array, ad: readonly Uint8Array[]): Buffer {
    if (ciphertext.length < BLOCK) throw new DecryptionError();
    const v = ciphertext.subarray(0, BLOCK);
    const plaintext = this.#ctr(v, ciphertext.subarray(BLOCK));
    const t = this.s2v(ad, plaintext);
    if (!timingSafeEqual(t, v)) {
      plaintext.fill(0);
      throw new DecryptionError();
    }
    return plaintext;
  }
}

function checkSivKey(key: Uint8Array, allowed: readonly number[], component: string): void {
  assertBytes(component, 'key', key);
  if (!allowed.includes(key.length)) {
    throw new CsfleError(ErrorCodes.INVALID_KEY, `${component}: key expected ${sizeList(allowed)} bytes, got ${key.length}`);
  }
}

function checkAd(component: string, ad: readonly Uint8Array[]): void {
  if (!Array.isArray(ad)) throw new TypeError(`${component}: associatedData expected Uint8Array[], got ${typeof ad}`);
  if (ad.length > MAX_AD_COMPONENTS) {
    throw new RangeError(`${component}: associatedData expected at most ${MAX_AD_COMPONENTS} components, got ${ad.length}`);
  }
  for (const s of ad) assertBytes(component, 'associatedData component', s);
}

/**
 * Low-level RFC 5297 SIV encryption with an explicit associated-data vector. For the
 * nonce-based form (§3), pass the nonce as the last component.
 *
 * @param key - 32, 48 or 64 bytes (AES-128/192/256: CMAC key || CTR key).
 * @param associatedData - 0..126 components; `[]` and `[empty]` give different results.
 * @returns `SIV(16) || ciphertext`.
 * @throws {CsfleError} `INVALID_KEY` for a bad key size.
 */
export function sivEncrypt(key: Uint8Array, plaintext: Uint8Array, associatedData: readonly Uint8Array[]): Buffer {
  checkSivKey(key, [32, 48, 64], 'aes-siv');
  assertBytes('aes-siv', 'plaintext', plaintext);
  checkAd('aes-siv', associatedData);
  return new SivCore(key).encrypt(0, plaintext, associatedData);
}

/**
 * Low-level RFC 5297 SIV decryption (counterpart of {@link sivEncrypt}).
 * @throws {DecryptionError} if the SIV does not verify or the input is shorter than 16 bytes.
 * @throws {CsfleError} `INVALID_KEY` for a bad key size.
 */
export function sivDecrypt(key: Uint8Array, ciphertext: Uint8Array, associatedData: readonly Uint8Array[]): Buffer {
  checkSivKey(key, [32, 48, 64], 'aes-siv');
  assertBytes('aes-siv', 'ciphertext', ciphertext);
  checkAd('aes-siv', associatedData);
  return new SivCore(key).decrypt(ciphertext, associatedData);
}

/**
 * AES-CMAC (RFC 4493) with a 16, 24 or 32-byte key. Exposed for test vectors.
 * @throws {CsfleError} `INVALID_KEY` for a bad key size.
 */
export function aesCmac(key: Uint8Array, message: Uint8Array): Buffer {
  checkSivKey(key, [16, 24, 32], 'aes-cmac');
  assertBytes('aes-cmac', 'message', message);
  return new Cmac(createSecretKey(key), aesBits(key.length)).mac(message);
}

/**
 * @internal The deterministic AEAD plus a variant leaving `headroom` free bytes at the front
 * of the output for a caller-written prefix (the DEK version prefix).
 */
export interface AesSivAead extends DeterministicAead {
  encryptWithHeadroom(headroom: number, plaintext: Uint8Array, associatedData?: Uint8Array): Buffer;
}

class AesSiv implements AesSivAead {
  readonly #core: SivCore;
  constructor(core: SivCore) {
    this.#core = core;
  }
  encryptDeterministically(plaintext: Uint8Array, associatedData: Uint8Array = EMPTY): Buffer {
    return this.encryptWithHeadroom(0, plaintext, associatedData);
  }
  encryptWithHeadroom(headroom: number, plaintext: Uint8Array, associatedData: Uint8Array = EMPTY): Buffer {
    assertBytes('aes-siv', 'plaintext', plaintext);
    assertBytes('aes-siv', 'associatedData', associatedData);
    return this.#core.encrypt(headroom, plaintext, [associatedData]);
  }
  decryptDeterministically(ciphertext: Uint8Array, associatedData: Uint8Array = EMPTY): Buffer {
    assertBytes('aes-siv', 'ciphertext', ciphertext);
    assertBytes('aes-siv', 'associatedData', associatedData);
    return this.#core.decrypt(ciphertext, [associatedData]);
  }
  toString(): string {
    return 'AesSiv(aes-256-siv)';
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/** @internal {@link createAesSiv} with its internal type. */
export function newAesSiv(key: SecretBytes | Uint8Array): AesSivAead {
  const bytes = keyBytesOf(key);
  checkSivKey(bytes, [64], 'aes-siv');
  return new AesSiv(new SivCore(bytes));
}

/**
 * Creates the AES-256-SIV {@link DeterministicAead} Confluent uses for `AES256_SIV` DEKs.
 *
 * S2V always runs with exactly ONE associated-data component, `associatedData` (default: the
 * empty string), as Tink's DeterministicAEAD does; this is what makes ciphertexts
 * byte-compatible with Confluent. Same key + plaintext + AD always gives the same bytes:
 * equal plaintexts are visible as equal ciphertexts (that is the point, and the caveat).
 *
 * @param key - 64 bytes: S2V/CMAC key (first 32) || CTR key (last 32).
 * @returns The deterministic AEAD; output `SIV(16) || ciphertext`.
 * @throws {CsfleError} `INVALID_KEY` for another key size.
 * @example
 * const daead = createAesSiv(new SecretBytes(randomBytes(64)));
 * daead.encryptDeterministically(Buffer.from('a')).equals(daead.encryptDeterministically(Buffer.from('a'))); // true
 */
export function createAesSiv(key: SecretBytes | Uint8Array): DeterministicAead {
  return newAesSiv(key);
}
