import { dekKeySize, encodeDek, exposeSecretBytes, generateDek, parseDek, SecretBytes } from '../../src/crypto/index.js';
import type { DekAlgorithm } from '../../src/crypto/index.js';
import { CsfleError, ErrorCodes } from '../../src/errors.js';
import { thrown } from './wycheproof.js';

const ALGS: readonly [DekAlgorithm, number, number, string][] = [
  ['AES128_GCM', 16, 18, '1a10'],
  ['AES256_GCM', 32, 34, '1a20'],
  ['AES256_SIV', 64, 66, '1240'],
];

function expectInvalidKey(fn: () => unknown, message?: string): void {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(CsfleError);
  expect((e as CsfleError).code).toBe(ErrorCodes.INVALID_KEY);
  if (message !== undefined) expect((e as CsfleError).message).toBe(message);
}

describe.each(ALGS)('%s', (alg, keySize, protoSize, prefix) => {
  test(`generateDek emits exactly ${prefix} + ${keySize} random bytes (${protoSize} bytes)`, () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const dek = generateDek(alg);
      expect(dek).toHaveLength(protoSize);
      expect(Buffer.from(dek.subarray(0, 2)).toString('hex')).toBe(prefix);
      seen.add(Buffer.from(dek).toString('hex'));
    }
    expect(seen.size).toBe(50);
    expect(dekKeySize(alg)).toBe(keySize);
  });

  test('parse / encode round trip', () => {
    const dek = generateDek(alg);
    const key = parseDek(alg, dek);
    expect(key).toBeInstanceOf(SecretBytes);
    expect(key.length).toBe(keySize);
    expect(Buffer.from(exposeSecretBytes(key))).toEqual(Buffer.from(dek.subarray(2)));
    expect(Buffer.from(encodeDek(alg, key))).toEqual(Buffer.from(dek));
    expect(Buffer.from(encodeDek(alg, exposeSecretBytes(key)))).toEqual(Buffer.from(dek));
    // As SecretBytes of the proto, too.
    expect(parseDek(alg, new SecretBytes(dek)).equals(key)).toBe(true);
  });

  const keyField = alg === 'AES256_SIV' ? 2 : 3;
  const tagByte = (field: number, wire: number): number => (field << 3) | wire;
  const key = Buffer.alloc(keySize, 0xab);
  const keyField2 = (k: Buffer = key): Buffer => Buffer.concat([Buffer.from([tagByte(keyField, 2), k.length]), k]);

  test('tolerates an explicit version = 0, fields in any order and unknown fields', () => {
    const variants = [
      Buffer.concat([Buffer.from([0x08, 0x00]), keyField2()]),
      Buffer.concat([keyField2(), Buffer.from([0x08, 0x00])]),
      Buffer.concat([Buffer.from([0x08, 0x80, 0x00]), keyField2()]), // non-minimal varint 0
      Buffer.concat([keyField2(), Buffer.from([tagByte(9, 0), 0x96, 0x01])]), // unknown varint
      Buffer.concat([Buffer.from([tagByte(10, 2), 3, 1, 2, 3]), keyField2()]), // unknown bytes
      Buffer.concat([Buffer.from([tagByte(11, 1), 1, 2, 3, 4, 5, 6, 7, 8]), keyField2()]), // unknown fixed64
      Buffer.concat([Buffer.from([tagByte(12, 5), 1, 2, 3, 4]), keyField2()]), // unknown fixed32
      Buffer.concat([Buffer.from([0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01]), keyField2()]), // field 2^29-1
      Buffer.concat([keyField2(Buffer.alloc(keySize, 1)), keyField2()]), // proto3: last one wins
    ];
    if (alg !== 'AES256_SIV') variants.push(Buffer.concat([Buffer.from([0x12, 0x00]), keyField2()])); // empty AesGcmParams
    for (const v of variants) expect(Buffer.from(exposeSecretBytes(parseDek(alg, v)))).toEqual(key);
  });

  test('rejects malformed input with INVALID_KEY', () => {
    const cases: [string, Buffer, string?][] = [
      ['empty', Buffer.alloc(0), `dek-proto: key_value (field ${keyField}) expected for ${alg}, got none`],
      ['version 1', Buffer.concat([Buffer.from([0x08, 0x01]), keyField2()]), 'dek-proto: version expected 0, got 1'],
      ['huge version', Buffer.concat([Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0x0f]), keyField2()])],
      ['version as bytes', Buffer.concat([Buffer.from([0x0a, 0x00]), keyField2()]), 'dek-proto: version expected wire type 0, got 2'],
      ['key as varint', Buffer.from([tagByte(keyField, 0), 0x01]), 'dek-proto: key_value expected wire type 2, got 0'],
      ['short key', keyField2(key.subarray(1)), `dek-proto: key_value expected ${keySize} bytes for ${alg}, got ${keySize - 1}`],
      ['long key', keyField2(Buffer.alloc(keySize + 1))],
      ['truncated key', keyField2().subarray(0, protoSize - 1), 'dek-proto: proto expected length within input, got truncated input'],
      ['huge length', Buffer.from([tagByte(keyField, 2), 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])],
      ['truncated tag varint', Buffer.from([0x80]), 'dek-proto: proto expected complete varint, got truncated input'],
      ['11-byte varint', Buffer.from([0x08, ...Array(10).fill(0x80), 0x00]), 'dek-proto: proto expected varint of at most 10 bytes, got longer'],
      ['field 0', Buffer.from([0x00, 0x00]), 'dek-proto: proto expected field number >= 1, got 0'],
      ['group wire type', Buffer.concat([Buffer.from([tagByte(9, 3)]), keyField2()]), 'dek-proto: proto expected wire type 0, 1, 2 or 5, got 3'],
      ['truncated fixed64', Buffer.concat([keyField2(), Buffer.from([tagByte(9, 1), 1, 2])])],
      ['trailing garbage byte', Buffer.concat([keyField2(), Buffer.from([0xff])])],
      ['raw key without proto', Buffer.alloc(keySize, 0x55)],
    ];
    for (const [name, bytes, message] of cases) {
      try {
        expectInvalidKey(() => parseDek(alg, bytes), message);
      } catch (e) {
        throw new Error(`case "${name}": ${(e as Error).message}`);
      }
    }
  });
});

test('a proto of one algorithm does not parse as another (wrong field)', () => {
  expectInvalidKey(() => parseDek('AES256_GCM', generateDek('AES256_SIV')), 'dek-proto: key_value (field 3) expected for AES256_GCM, got none');
  expectInvalidKey(() => parseDek('AES256_SIV', generateDek('AES256_GCM')), 'dek-proto: key_value (field 2) expected for AES256_SIV, got none');
  expectInvalidKey(() => parseDek('AES128_GCM', generateDek('AES256_GCM')), 'dek-proto: key_value expected 16 bytes for AES128_GCM, got 32');
  expectInvalidKey(() => parseDek('AES256_GCM', generateDek('AES128_GCM')), 'dek-proto: key_value expected 32 bytes for AES256_GCM, got 16');
});

test('unknown algorithm → UNSUPPORTED_ALGORITHM', () => {
  for (const fn of [
    () => generateDek('AES192_GCM' as DekAlgorithm),
    () => parseDek('toString' as DekAlgorithm, new Uint8Array(2)),
    () => encodeDek('' as DekAlgorithm, new Uint8Array(16)),
    () => dekKeySize(undefined as unknown as DekAlgorithm),
  ]) {
    const e = thrown(fn);
    expect(e).toBeInstanceOf(CsfleError);
    expect((e as CsfleError).code).toBe(ErrorCodes.UNSUPPORTED_ALGORITHM);
    expect((e as CsfleError).message).toMatch(/^unsupported dek algorithm: expected AES128_GCM, AES256_GCM or AES256_SIV, got /);
  }
  expect((thrown(() => generateDek('AES192_GCM' as DekAlgorithm)) as Error).message).toBe(
    'unsupported dek algorithm: expected AES128_GCM, AES256_GCM or AES256_SIV, got "AES192_GCM"',
  );
});

test('encodeDek rejects a wrong key size', () => {
  expectInvalidKey(() => encodeDek('AES256_SIV', new Uint8Array(32)), 'dek-proto: key expected 64 bytes, got 32 bytes');
});
