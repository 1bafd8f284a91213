import { randomBytes } from 'node:crypto';
import { createAesSiv, SecretBytes } from '../../src/crypto/index.js';
import { sivDecrypt, sivEncrypt } from '../../src/crypto/subtle.js';
import { CsfleError, DecryptionError, ErrorCodes } from '../../src/errors.js';
import { thrown } from './wycheproof.js';

const EMPTY = new Uint8Array(0);

describe('createAesSiv', () => {
  const key = randomBytes(64);
  const daead = createAesSiv(key);

  test('deterministic: same key + plaintext + AD gives identical bytes', () => {
    for (const len of [0, 1, 15, 16, 17, 31, 32, 33, 100]) {
      const pt = randomBytes(len);
      const a = daead.encryptDeterministically(pt);
      expect(daead.encryptDeterministically(Buffer.from(pt))).toEqual(a);
      expect(createAesSiv(Buffer.from(key)).encryptDeterministically(pt)).toEqual(a);
      expect(a).toHaveLength(len + 16);
    }
  });

  test('different plaintexts, ADs or keys give different ciphertexts', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(daead.encryptDeterministically(Buffer.from(`value-${i}`)).toString('hex'));
    expect(seen.size).toBe(2000);
    const pt = Buffer.from('hello world');
    const base = daead.encryptDeterministically(pt);
    expect(daead.encryptDeterministically(pt, Buffer.from([0]))).not.toEqual(base);
    expect(createAesSiv(randomBytes(64)).encryptDeterministically(pt)).not.toEqual(base);
  });

  test('uses exactly ONE AD component (default empty), the Confluent/Tink rule', () => {
    const pt = Buffer.from('hello world');
    expect(daead.encryptDeterministically(pt)).toEqual(sivEncrypt(key, pt, [EMPTY]));
    expect(daead.encryptDeterministically(pt, EMPTY)).toEqual(sivEncrypt(key, pt, [EMPTY]));
    expect(daead.encryptDeterministically(pt)).not.toEqual(sivEncrypt(key, pt, []));
    const ad = Buffer.from('context');
    expect(daead.encryptDeterministically(pt, ad)).toEqual(sivEncrypt(key, pt, [ad]));
  });

  test('round trip for every size 0..1000', () => {
    for (let len = 0; len <= 1000; len++) {
      const pt = randomBytes(len);
      expect(daead.decryptDeterministically(daead.encryptDeterministically(pt))).toEqual(pt);
    }
  });

  test('inputs shorter than 16 bytes fail with DecryptionError', () => {
    for (let n = 0; n < 16; n++) expect(() => daead.decryptDeterministically(new Uint8Array(n))).toThrow(DecryptionError);
  });

  test.each([0, 16, 32, 48, 63, 65, 128])('rejects a %i-byte key with INVALID_KEY', (n) => {
    const e = thrown(() => createAesSiv(randomBytes(n)));
    expect(e).toBeInstanceOf(CsfleError);
    expect((e as CsfleError).code).toBe(ErrorCodes.INVALID_KEY);
    expect((e as CsfleError).message).toBe(`aes-siv: key expected 64 bytes, got ${n}`);
  });

  test('accepts SecretBytes; wiping it afterwards does not affect the instance', () => {
    const sb = new SecretBytes(key);
    const d = createAesSiv(sb);
    sb.wipe();
    expect(d.encryptDeterministically(Buffer.from('x'))).toEqual(daead.encryptDeterministically(Buffer.from('x')));
  });

  test('misuse throws TypeError', () => {
    expect(() => daead.encryptDeterministically('x' as unknown as Uint8Array)).toThrow(
      new TypeError('aes-siv: plaintext expected Uint8Array, got string'),
    );
  });
});

describe('sivEncrypt / sivDecrypt (subtle)', () => {
  test.each([32, 48, 64])('%i-byte keys round-trip with 0..3 AD components', (n) => {
    const key = randomBytes(n);
    for (let k = 0; k <= 3; k++) {
      const ad = Array.from({ length: k }, (_, i) => randomBytes(i * 7));
      const pt = randomBytes(45);
      const ct = sivEncrypt(key, pt, ad);
      expect(sivDecrypt(key, ct, ad)).toEqual(pt);
      if (k > 0) expect(() => sivDecrypt(key, ct, ad.slice(1))).toThrow(DecryptionError);
    }
  });
  test('[] and [empty] are different AD vectors', () => {
    const key = randomBytes(64);
    expect(sivEncrypt(key, Buffer.from('a'), [])).not.toEqual(sivEncrypt(key, Buffer.from('a'), [EMPTY]));
  });
  test('at most 126 AD components (S2V takes 127 inputs with the plaintext)', () => {
    const key = randomBytes(32);
    const ad = Array.from({ length: 126 }, () => EMPTY);
    expect(sivDecrypt(key, sivEncrypt(key, Buffer.from('a'), ad), ad).toString()).toBe('a');
    expect(() => sivEncrypt(key, Buffer.from('a'), [...ad, EMPTY])).toThrow(
      new RangeError('aes-siv: associatedData expected at most 126 components, got 127'),
    );
  });
  test('bad key size', () => {
    expect(() => sivEncrypt(randomBytes(40), EMPTY, [])).toThrow(
      new CsfleError(ErrorCodes.INVALID_KEY, 'aes-siv: key expected 32, 48 or 64 bytes, got 40'),
    );
  });
});
