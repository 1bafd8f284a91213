/**
 * Fixed vectors from Confluent's own package tests (`@confluentinc/schemaregistry` 1.10.1,
 * `dist/test/serde/avro.spec.js`), as recorded in docs/confluent-csfle-format.md §6:
 * local KMS secret `mysecret`, KEK `kek1`, key id `mykey`, field value `hello world`.
 */
import { exposeSecretBytes, parseDek, createDekCipher, readVersionPrefix } from '../../src/crypto/index.js';
import { sivDecrypt } from '../../src/crypto/subtle.js';
import { DecryptionError } from '../../src/errors.js';
import { createLocalKms, deriveLocalKmsKek } from '../../src/local-kms.js';
import type { DekAlgorithm } from '../../src/schema.js';

interface ConfluentVector {
  readonly name: string;
  readonly algorithm: DekAlgorithm;
  readonly encryptedKeyMaterial: string;
  readonly dekHex: string;
  /** The full Kafka message: 0x00 || schema id 1 || Avro string (zigzag length + base64 text). */
  readonly messageHex: string;
  readonly fieldText: string;
  readonly fieldHex: string;
  readonly versioned: boolean;
}

const VECTORS: readonly ConfluentVector[] = [
  {
    name: '1 AES256_GCM',
    algorithm: 'AES256_GCM',
    encryptedKeyMaterial: '07V2ndh02DA73p+dTybwZFm7DKQSZN1tEwQh+FoX1DZLk4Yj2LLu4omYjp/84tAg3BYlkfGSz+zZacJHIE4=',
    dekHex: '1a2041e5234c24a6a4f85b1d8237e99a12df8722f0c21837556acd0ec7adde5869cf',
    messageHex:
      '0000000001687a67792f6a464e4d562f6546696c6148724d796542676461567a725230756447656f74573863412f4a616c37756b722b4d2f797a',
    fieldText: 'zgy/jFNMV/eFilaHrMyeBgdaVzrR0udGeotW8cA/Jal7ukr+M/yz',
    fieldHex: 'ce0cbf8c534c57f7858a5687accc9e06075a573ad1d2e7467a8b56f1c03f25a97bba4afe33fcb3',
    versioned: false,
  },
  {
    name: '2 AES256_SIV',
    algorithm: 'AES256_SIV',
    encryptedKeyMaterial:
      'YSx3DTlAHrmpoDChquJMifmPntBzxgRVdMzgYL82rgWBKn7aUSnG+WIu9ozBNS3y2vXd++mBtK07w4/W/G6w0da39X9hfOVZsGnkSvry/QRht84V8yz3dqKxGMOK5A==',
    dekHex:
      '12409b971301e8ef5f0d9ce82e8cb28ef8fb14fa74944f4e5a958f598389958e1e392b76c3e213b4a726c8437e3f0ee4a137bde3f4b8990e07aa8a050c8e7115498f',
    messageHex: '0000000001484436597478726c426e6b545757394e3656626b3349496e6a57483831786d5968336b3464',
    fieldText: 'D6YtxrlBnkTWW9N6Vbk3IInjWH81xmYh3k4d',
    fieldHex: '0fa62dc6b9419e44d65bd37a55b9372089e3587f35c66621de4e1d',
    versioned: false,
  },
  {
    name: '3 AES256_GCM with encrypt.dek.expiry.days = 1 (version prefix)',
    algorithm: 'AES256_GCM',
    encryptedKeyMaterial: 'W/v6hOQYq1idVAcs1pPWz9UUONMVZW4IrglTnG88TsWjeCjxmtRQ4VaNe/I5dCfm2zyY9Cu0nqdvqImtUk4=',
    dekHex: '1a2008d571545a5c3517771440b4a8fe1fd2283b4a2272e12e867c9b6761ee0e9666',
    messageHex:
      '000000000178414141414141473448493662316e585058714c79473863494933354e4851736571715543642b49654c65465641654e705353336678506e4a3332413d',
    fieldText: 'AAAAAAG4HI6b1nXPXqLyG8cII35NHQseqqUCd+IeLeFVAeNpSS3fxPnJ32A=',
    fieldHex: '',
    versioned: true,
  },
];

const KEY_URI = 'local-kms://mykey';
const kms = createLocalKms({ secret: 'mysecret' });

test('local KMS KEK for "mysecret" is 1ae4d97ac1e81594bfd1993c1a75ee36', () => {
  expect(Buffer.from(exposeSecretBytes(deriveLocalKmsKek('mysecret'))).toString('hex')).toBe('1ae4d97ac1e81594bfd1993c1a75ee36');
});

describe.each(VECTORS.map((v) => [v.name, v] as const))('Confluent vector %s', (_name, v) => {
  test('encryptedKeyMaterial unwraps with local KMS secret "mysecret" to the DEK proto', async () => {
    const wrapped = Buffer.from(v.encryptedKeyMaterial, 'base64');
    expect(wrapped).toHaveLength(v.dekHex.length / 2 + 28);
    const dek = await kms.unwrap(KEY_URI, wrapped);
    expect(Buffer.from(dek).toString('hex')).toBe(v.dekHex);
  });

  test('the Kafka message carries the field as an Avro string of base64 text', () => {
    const msg = Buffer.from(v.messageHex, 'hex');
    expect(msg.subarray(0, 5)).toEqual(Buffer.from([0, 0, 0, 0, 1]));
    const len = (msg[5] as number) >>> 1; // zigzag varint, one byte here
    expect(msg.subarray(6).toString('latin1')).toBe(v.fieldText);
    expect(len).toBe(v.fieldText.length);
  });

  test('the field ciphertext decrypts to "hello world"', () => {
    let ct: Buffer = Buffer.from(v.fieldText, 'base64');
    if (v.fieldHex) expect(ct.toString('hex')).toBe(v.fieldHex);
    if (v.versioned) {
      expect(ct).toHaveLength(44);
      const { version, body } = readVersionPrefix(ct);
      expect(version).toBe(1);
      ct = body;
    }
    const cipher = createDekCipher(v.algorithm, Buffer.from(v.dekHex, 'hex'));
    expect(cipher.decrypt(ct).toString('utf8')).toBe('hello world');
  });
});

test('vector 2: SIV authenticates with ONE empty AD component and fails with ZERO components', () => {
  const v = VECTORS[1] as ConfluentVector;
  const key = exposeSecretBytes(parseDek('AES256_SIV', Buffer.from(v.dekHex, 'hex')));
  const ct = Buffer.from(v.fieldHex, 'hex');
  expect(sivDecrypt(key, ct, [new Uint8Array(0)]).toString()).toBe('hello world');
  expect(() => sivDecrypt(key, ct, [])).toThrow(DecryptionError);
  expect(() => sivDecrypt(key, ct, [new Uint8Array(0), new Uint8Array(0)])).toThrow(DecryptionError);
});

test('vector 2: re-encrypting "hello world" with the SIV DEK reproduces Confluent bytes exactly', () => {
  const v = VECTORS[1] as ConfluentVector;
  const cipher = createDekCipher('AES256_SIV', Buffer.from(v.dekHex, 'hex'));
  expect(cipher.encrypt(Buffer.from('hello world')).toString('base64')).toBe(v.fieldText);
});

test('vector 3: re-encrypting with version 1 gives the same layout (0x00, 00000001, 12+11+16 bytes)', () => {
  const v = VECTORS[2] as ConfluentVector;
  const cipher = createDekCipher('AES256_GCM', Buffer.from(v.dekHex, 'hex'));
  const out = cipher.encryptWithVersion(1, Buffer.from('hello world'));
  expect(out).toHaveLength(44);
  expect(out.subarray(0, 5)).toEqual(Buffer.from([0, 0, 0, 0, 1]));
  expect(cipher.decrypt(readVersionPrefix(out).body).toString()).toBe('hello world');
});
