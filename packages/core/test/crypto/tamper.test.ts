/**
 * Tamper battery (conventions §4) run against every AEAD path: every single-bit flip of the
 * ciphertext and of the associated data, every truncation, extensions, empty/short input and a
 * wrong key must all fail with the same opaque DecryptionError.
 */
import { randomBytes } from 'node:crypto';
import { createAesGcm, createAesSiv, createDekCipher, generateDek } from '../../src/crypto/index.js';
import { DecryptionError, ErrorCodes, isDecryptionError } from '../../src/errors.js';
import { createLocalKms } from '../../src/local-kms.js';

interface Subject {
  readonly name: string;
  readonly overhead: number;
  readonly seal: (pt: Uint8Array, aad: Uint8Array) => Buffer;
  readonly open: (ct: Uint8Array, aad: Uint8Array) => Buffer;
  /** Same algorithm, independent random key. */
  readonly openWithOtherKey: (ct: Uint8Array, aad: Uint8Array) => Buffer;
  /** False where the API has no associated-data parameter (DekCipher: always empty). */
  readonly hasAad: boolean;
}

function gcm(size: 16 | 32): Subject {
  const a = createAesGcm(randomBytes(size));
  const b = createAesGcm(randomBytes(size));
  return {
    name: `createAesGcm(${size * 8})`,
    overhead: 28,
    seal: (pt, aad) => a.encrypt(pt, aad),
    open: (ct, aad) => a.decrypt(ct, aad),
    openWithOtherKey: (ct, aad) => b.decrypt(ct, aad),
    hasAad: true,
  };
}

function siv(): Subject {
  const a = createAesSiv(randomBytes(64));
  const b = createAesSiv(randomBytes(64));
  return {
    name: 'createAesSiv(512)',
    overhead: 16,
    seal: (pt, aad) => a.encryptDeterministically(pt, aad),
    open: (ct, aad) => a.decryptDeterministically(ct, aad),
    openWithOtherKey: (ct, aad) => b.decryptDeterministically(ct, aad),
    hasAad: true,
  };
}

function dek(algorithm: 'AES128_GCM' | 'AES256_GCM' | 'AES256_SIV'): Subject {
  const a = createDekCipher(algorithm, generateDek(algorithm));
  const b = createDekCipher(algorithm, generateDek(algorithm));
  return {
    name: `createDekCipher(${algorithm})`,
    overhead: algorithm === 'AES256_SIV' ? 16 : 28,
    seal: (pt) => a.encrypt(pt),
    open: (ct) => a.decrypt(ct),
    openWithOtherKey: (ct) => b.decrypt(ct),
    hasAad: false,
  };
}

const SUBJECTS: readonly Subject[] = [gcm(16), gcm(32), siv(), dek('AES128_GCM'), dek('AES256_GCM'), dek('AES256_SIV')];

/** Asserts fn throws the one opaque decryption error, and returns its message. */
function opaqueFailure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DecryptionError) || !isDecryptionError(e) || e.code !== ErrorCodes.DECRYPTION_FAILED) throw e;
    expect(e.cause).toBeUndefined();
    return e.message;
  }
  throw new Error('expected decryption to fail');
}

describe.each(SUBJECTS.map((s) => [s.name, s] as const))('tamper battery: %s', (_name, s) => {
  const pt = randomBytes(37); // crosses block boundaries
  const aad = s.hasAad ? randomBytes(13) : new Uint8Array(0);
  const ct = s.seal(pt, aad);

  test('round trip and length', () => {
    expect(ct).toHaveLength(pt.length + s.overhead);
    expect(s.open(ct, aad)).toEqual(pt);
  });

  test('every single-bit flip of the ciphertext fails, always with the same message', () => {
    const messages = new Set<string>();
    for (let bit = 0; bit < ct.length * 8; bit++) {
      const bad = Buffer.from(ct);
      bad[bit >>> 3] = (bad[bit >>> 3] as number) ^ (1 << (bit & 7));
      messages.add(opaqueFailure(() => s.open(bad, aad)));
    }
    expect([...messages]).toEqual(['decryption failed']);
  });

  test('every single-bit flip of the associated data fails', () => {
    if (!s.hasAad) {
      // The DekCipher API has no AAD parameter: Confluent's layout fixes it to empty.
      expect(s.open(ct, new Uint8Array(0))).toEqual(pt);
      return;
    }
    for (let bit = 0; bit < aad.length * 8; bit++) {
      const bad = Buffer.from(aad);
      bad[bit >>> 3] = (bad[bit >>> 3] as number) ^ (1 << (bit & 7));
      opaqueFailure(() => s.open(ct, bad));
    }
    opaqueFailure(() => s.open(ct, new Uint8Array(0)));
    opaqueFailure(() => s.open(ct, Buffer.concat([aad, Buffer.from([0])])));
  });

  test('every truncation fails (including empty and shorter than the overhead)', () => {
    for (let len = 0; len < ct.length; len++) opaqueFailure(() => s.open(ct.subarray(0, len), aad));
    for (let cut = 1; cut < ct.length; cut++) opaqueFailure(() => s.open(ct.subarray(cut), aad));
    opaqueFailure(() => s.open(new Uint8Array(0), aad));
    opaqueFailure(() => s.open(new Uint8Array(s.overhead - 1), aad));
    opaqueFailure(() => s.open(new Uint8Array(s.overhead), aad)); // all-zero "empty" ciphertext
  });

  test('appending bytes fails', () => {
    opaqueFailure(() => s.open(Buffer.concat([ct, Buffer.from([0])]), aad));
    opaqueFailure(() => s.open(Buffer.concat([ct, ct]), aad));
  });

  test('a different key fails', () => {
    opaqueFailure(() => s.openWithOtherKey(ct, aad));
  });

  test('an empty plaintext still authenticates (tampering detected)', () => {
    const empty = s.seal(new Uint8Array(0), aad);
    expect(empty).toHaveLength(s.overhead);
    expect(s.open(empty, aad)).toHaveLength(0);
    for (let bit = 0; bit < empty.length * 8; bit++) {
      const bad = Buffer.from(empty);
      bad[bit >>> 3] = (bad[bit >>> 3] as number) ^ (1 << (bit & 7));
      opaqueFailure(() => s.open(bad, aad));
    }
  });
});

test('local KMS unwrap: every bit flip of a wrapped DEK is rejected as KMS_INVALID_CIPHERTEXT', async () => {
  const client = createLocalKms({ secret: 'tamper-secret' });
  const wrapped = Buffer.from(await client.wrap('local-kms://k', generateDek('AES128_GCM')));
  for (let bit = 0; bit < wrapped.length * 8; bit += 1) {
    const bad = Buffer.from(wrapped);
    bad[bit >>> 3] = (bad[bit >>> 3] as number) ^ (1 << (bit & 7));
    await expect(client.unwrap('local-kms://k', bad)).rejects.toMatchObject({ code: ErrorCodes.KMS_INVALID_CIPHERTEXT });
  }
});
