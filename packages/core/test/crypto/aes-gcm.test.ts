import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createAesGcm, exposeSecretBytes, SecretBytes } from '../../src/crypto/index.js';
import { gcmOpen, gcmSeal } from '../../src/crypto/subtle.js';
import { CsfleError, DecryptionError, ErrorCodes } from '../../src/errors.js';
import { thrown } from './wycheproof.js';

/** Plain node:crypto AES-GCM, written the obvious way, as the cross-check reference. */
function referenceSeal(key: Uint8Array, pt: Uint8Array, aad: Uint8Array): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, iv);
  c.setAAD(aad);
  return Buffer.concat([iv, c.update(pt), c.final(), c.getAuthTag()]);
}
function referenceOpen(key: Uint8Array, ct: Buffer, aad: Uint8Array): Buffer {
  const d = createDecipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, ct.subarray(0, 12));
  d.setAAD(aad);
  d.setAuthTag(ct.subarray(ct.length - 16));
  return Buffer.concat([d.update(ct.subarray(12, ct.length - 16)), d.final()]);
}

describe('createAesGcm: key validation', () => {
  test.each([0, 7, 15, 17, 24, 31, 33, 64])('rejects a %i-byte key with INVALID_KEY and an exact message', (n) => {
    const e = thrown(() => createAesGcm(randomBytes(n)));
    expect(e).toBeInstanceOf(CsfleError);
    expect((e as CsfleError).code).toBe(ErrorCodes.INVALID_KEY);
    expect((e as CsfleError).message).toBe(`aes-gcm: key expected 16 or 32 bytes, got ${n}`);
  });
  test('rejects a non-bytes key with TypeError', () => {
    expect(() => createAesGcm('0123456789abcdef' as unknown as Uint8Array)).toThrow(
      new TypeError('aes-gcm: key expected Uint8Array, got string'),
    );
  });
  test('accepts SecretBytes; wiping it afterwards does not affect the Aead', () => {
    const raw = randomBytes(32);
    const sb = new SecretBytes(raw);
    const aead = createAesGcm(sb);
    sb.wipe();
    const ct = aead.encrypt(Buffer.from('x'));
    expect(referenceOpen(raw, ct, new Uint8Array(0)).toString()).toBe('x');
  });
  test('rejects a wiped SecretBytes', () => {
    const sb = new SecretBytes(randomBytes(32));
    sb.wipe();
    expect(() => createAesGcm(sb)).toThrow(TypeError);
  });
});

describe('createAesGcm: behaviour', () => {
  const key = randomBytes(32);
  const aead = createAesGcm(key);

  test('layout nonce(12) || ct || tag(16), empty AAD by default', () => {
    const pt = Buffer.from('hello world');
    const ct = aead.encrypt(pt);
    expect(ct).toHaveLength(pt.length + 28);
    expect(referenceOpen(key, ct, new Uint8Array(0))).toEqual(pt);
    expect(aead.decrypt(ct, new Uint8Array(0))).toEqual(pt);
  });

  test.each([16, 32])('cross-check with plain node:crypto (%i-byte key), both directions, sizes 0..1000', (n) => {
    const k = randomBytes(n);
    const ours = createAesGcm(k);
    for (let len = 0; len <= 1000; len += len < 70 ? 1 : 37) {
      const pt = randomBytes(len);
      const aad = len % 3 === 0 ? new Uint8Array(0) : randomBytes(len % 17);
      expect(referenceOpen(k, ours.encrypt(pt, aad), aad)).toEqual(pt);
      expect(ours.decrypt(referenceSeal(k, pt, aad), aad)).toEqual(pt);
    }
  });

  test('round trip for every size 0..1000', () => {
    for (let len = 0; len <= 1000; len++) {
      const pt = randomBytes(len);
      expect(aead.decrypt(aead.encrypt(pt))).toEqual(pt);
    }
  });

  test('100k encryptions: no repeated nonce (and no repeated ciphertext)', () => {
    const seen = new Set<string>();
    const pt = Buffer.from('same plaintext every time');
    for (let i = 0; i < 100_000; i++) seen.add(aead.encrypt(pt).toString('latin1', 0, 12));
    expect(seen.size).toBe(100_000);
  });

  test('accepts plain Uint8Array views (not only Buffer), including offset views', () => {
    const backing = new Uint8Array(64);
    backing.set(Buffer.from('abcdef'), 10);
    const view = backing.subarray(10, 16);
    const ct = new Uint8Array(aead.encrypt(view));
    const padded = new Uint8Array(ct.length + 8);
    padded.set(ct, 5);
    expect(aead.decrypt(padded.subarray(5, 5 + ct.length)).toString()).toBe('abcdef');
  });

  test('encrypt does not mutate its input', () => {
    const pt = randomBytes(40);
    const copy = Buffer.from(pt);
    aead.encrypt(pt);
    expect(pt).toEqual(copy);
  });

  test('misuse: non-bytes plaintext / ciphertext / AAD throw TypeError with the template', () => {
    expect(() => aead.encrypt('hi' as unknown as Uint8Array)).toThrow(
      new TypeError('aes-gcm: plaintext expected Uint8Array, got string'),
    );
    expect(() => aead.decrypt(null as unknown as Uint8Array)).toThrow(new TypeError('aes-gcm: ciphertext expected Uint8Array, got null'));
    expect(() => aead.encrypt(Buffer.alloc(1), [1] as unknown as Uint8Array)).toThrow(
      new TypeError('aes-gcm: associatedData expected Uint8Array, got Array'),
    );
  });

  test('inputs shorter than 28 bytes fail with DecryptionError', () => {
    for (let n = 0; n < 28; n++) expect(() => aead.decrypt(new Uint8Array(n))).toThrow(DecryptionError);
  });
});

describe('gcmSeal / gcmOpen (subtle)', () => {
  test('24-byte keys work at the low level (not in the Aead)', () => {
    const k = randomBytes(24);
    const iv = randomBytes(12);
    const { ciphertext, tag } = gcmSeal(k, iv, Buffer.from('abc'));
    expect(gcmOpen(k, iv, ciphertext, tag).toString()).toBe('abc');
  });
  test('truncated tags are refused (only 16-byte tags)', () => {
    const k = randomBytes(16);
    const iv = randomBytes(12);
    const { ciphertext, tag } = gcmSeal(k, iv, Buffer.from('abc'));
    for (const n of [4, 8, 12, 13, 14, 15]) expect(() => gcmOpen(k, iv, ciphertext, tag.subarray(0, n))).toThrow(DecryptionError);
  });
  test('IV size limits', () => {
    const k = randomBytes(16);
    expect(() => gcmSeal(k, new Uint8Array(0), Buffer.from('a'))).toThrow(new RangeError('aes-gcm: iv expected 1..128 bytes, got 0'));
    expect(() => gcmSeal(k, new Uint8Array(129), Buffer.from('a'))).toThrow(RangeError);
    expect(() => gcmSeal(k, new Uint8Array(1), Buffer.from('a'))).not.toThrow();
    expect(() => gcmSeal(k, new Uint8Array(128), Buffer.from('a'))).not.toThrow();
  });
  test('bad key size', () => {
    expect(() => gcmSeal(randomBytes(20), randomBytes(12), Buffer.alloc(0))).toThrow(
      new CsfleError(ErrorCodes.INVALID_KEY, 'aes-gcm: key expected 16, 24 or 32 bytes, got 20'),
    );
  });
  test('exposeSecretBytes of the KEK-style key matches what the Aead used', () => {
    const sb = new SecretBytes(randomBytes(16));
    const ct = createAesGcm(sb).encrypt(Buffer.from('z'));
    expect(gcmOpen(exposeSecretBytes(sb), ct.subarray(0, 12), ct.subarray(12, 13), ct.subarray(13)).toString()).toBe('z');
  });
});
