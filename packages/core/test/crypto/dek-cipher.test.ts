import { randomBytes } from 'node:crypto';
import {
  addVersionPrefix,
  createAesGcm,
  createAesSiv,
  createDekCipher,
  exposeSecretBytes,
  generateDek,
  parseDek,
  readVersionPrefix,
  SecretBytes,
  VERSION_PREFIX_SIZE,
} from '../../src/crypto/index.js';
import type { DekAlgorithm } from '../../src/crypto/index.js';
import { CsfleError, DecryptionError, ErrorCodes } from '../../src/errors.js';

const ALGS: readonly DekAlgorithm[] = ['AES128_GCM', 'AES256_GCM', 'AES256_SIV'];

describe.each(ALGS)('createDekCipher(%s)', (alg) => {
  const dek = generateDek(alg);
  const cipher = createDekCipher(alg, dek);
  const key = exposeSecretBytes(parseDek(alg, dek));
  const overhead = alg === 'AES256_SIV' ? 16 : 28;

  test('algorithm, layout and interop with the primitive (empty AAD / one empty AD component)', () => {
    expect(cipher.algorithm).toBe(alg);
    const pt = Buffer.from('hello world');
    const ct = cipher.encrypt(pt);
    expect(ct).toHaveLength(pt.length + overhead);
    if (alg === 'AES256_SIV') {
      expect(ct).toEqual(createAesSiv(key).encryptDeterministically(pt, new Uint8Array(0)));
    } else {
      expect(createAesGcm(key).decrypt(ct, new Uint8Array(0))).toEqual(pt);
    }
    expect(cipher.decrypt(ct)).toEqual(pt);
  });

  test('accepts the proto as SecretBytes; wiping it afterwards does not matter', () => {
    const sb = new SecretBytes(dek);
    const c = createDekCipher(alg, sb);
    sb.wipe();
    expect(cipher.decrypt(c.encrypt(Buffer.from('x'))).toString()).toBe('x');
  });

  test('encryptWithVersion = addVersionPrefix(version, encrypt()) in one buffer', () => {
    for (const version of [1, 2, 255, 256, 0x7fffffff, 0, -1]) {
      const pt = randomBytes(20);
      const out = cipher.encryptWithVersion(version, pt);
      expect(out).toHaveLength(VERSION_PREFIX_SIZE + pt.length + overhead);
      const { version: v, body } = readVersionPrefix(out);
      expect(v).toBe(version);
      expect(cipher.decrypt(body)).toEqual(pt);
      if (alg === 'AES256_SIV') expect(out).toEqual(addVersionPrefix(version, cipher.encrypt(pt)));
    }
    expect(() => cipher.encryptWithVersion(1.5, Buffer.alloc(1))).toThrow(RangeError);
    expect(() => cipher.encryptWithVersion(2 ** 31, Buffer.alloc(1))).toThrow(
      new RangeError('dek-cipher: version expected signed 32-bit integer, got 2147483648'),
    );
  });

  test('round trip 0..300 bytes', () => {
    for (let n = 0; n <= 300; n++) {
      const pt = randomBytes(n);
      expect(cipher.decrypt(cipher.encrypt(pt))).toEqual(pt);
    }
  });
});

test('GCM is randomized, SIV deterministic', () => {
  const pt = Buffer.from('same');
  const gcm = createDekCipher('AES256_GCM', generateDek('AES256_GCM'));
  expect(gcm.encrypt(pt)).not.toEqual(gcm.encrypt(pt));
  const siv = createDekCipher('AES256_SIV', generateDek('AES256_SIV'));
  expect(siv.encrypt(pt)).toEqual(siv.encrypt(pt));
});

test('createDekCipher validates eagerly', () => {
  expect(() => createDekCipher('AES256_GCM', generateDek('AES128_GCM'))).toThrow(
    expect.objectContaining({ code: ErrorCodes.INVALID_KEY }),
  );
  expect(() => createDekCipher('AES256_SIV', new Uint8Array(66))).toThrow(CsfleError);
  expect(() => createDekCipher('NOPE' as DekAlgorithm, generateDek('AES256_GCM'))).toThrow(
    expect.objectContaining({ code: ErrorCodes.UNSUPPORTED_ALGORITHM }),
  );
});

describe('version prefix (CSFLE format §3.2)', () => {
  test('0x00 || int32 BE version || ct', () => {
    expect(addVersionPrefix(1, Buffer.from([0xaa, 0xbb])).toString('hex')).toBe('0000000001aabb');
    expect(addVersionPrefix(0x01020304, new Uint8Array(0)).toString('hex')).toBe('0001020304');
    expect(addVersionPrefix(-1, new Uint8Array(0)).toString('hex')).toBe('00ffffffff');
  });

  test('readVersionPrefix returns a view, signed version', () => {
    const buf = Buffer.from('00000000071234', 'hex');
    const { version, body } = readVersionPrefix(buf);
    expect(version).toBe(7);
    expect(body.toString('hex')).toBe('1234');
    expect(body.buffer).toBe(buf.buffer);
    expect(readVersionPrefix(Buffer.from('00ffffffff', 'hex')).version).toBe(-1);
    const u8 = new Uint8Array([9, 9, 0, 0, 0, 0, 2, 5]).subarray(2);
    expect(readVersionPrefix(u8)).toEqual({ version: 2, body: Buffer.from([5]) });
  });

  test('bad magic byte or too short → opaque DecryptionError', () => {
    for (const hex of ['', '00', '00000000', '0100000001aa', 'ff00000001']) {
      expect(() => readVersionPrefix(Buffer.from(hex, 'hex'))).toThrow(DecryptionError);
    }
  });

  test('bad version → RangeError', () => {
    for (const v of [NaN, 1.5, 2 ** 31, -(2 ** 31) - 1, Infinity]) expect(() => addVersionPrefix(v, new Uint8Array(0))).toThrow(RangeError);
    expect(addVersionPrefix(-(2 ** 31), new Uint8Array(0)).toString('hex')).toBe('0080000000');
  });
});
