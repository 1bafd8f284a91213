/**
 * SecretBytes behaviour and secret hygiene across every object that holds key material:
 * no JSON / String / util.inspect form and no error message contains key bytes or the secret.
 */
import { randomBytes } from 'node:crypto';
import { format, inspect } from 'node:util';
import {
  createAesGcm,
  createAesSiv,
  createDekCipher,
  encodeDek,
  exposeSecretBytes,
  generateDek,
  parseDek,
  SecretBytes,
} from '../../src/crypto/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { createLocalKms, deriveLocalKmsKek } from '../../src/local-kms.js';
import { thrown } from './wycheproof.js';

/** Every rendering a log line or a serializer could produce. */
function renderings(o: unknown): string[] {
  return [
    JSON.stringify(o) ?? '',
    JSON.stringify({ nested: { o } }),
    String(o),
    `${o as string}`,
    inspect(o),
    inspect(o, { showHidden: true, depth: Infinity, getters: true }),
    inspect(o, { customInspect: false, showHidden: true, depth: Infinity, getters: true }),
    inspect({ wrapper: [o] }, { depth: Infinity }),
    format('%s %o %O %j', o, o, o, o),
  ];
}

/** Forms the secret could appear in. */
function needles(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes);
  return [b.toString('hex'), b.toString('hex').toUpperCase(), b.toString('base64'), b.toString('base64url'), b.subarray(0, 8).toString('hex')];
}

/** Byte-list forms: `<Buffer 1a 20 ...>`, `Uint8Array(32) [ 26, 32, ...]`, JSON `{"0":26,"1":32,...}`. */
function byteForms(bytes: Uint8Array): RegExp[] {
  const b = [...bytes.subarray(0, 8)];
  return [
    new RegExp(b.map((x) => x.toString(16).padStart(2, '0')).join('\\s*'), 'i'),
    new RegExp(b.map((x) => `\\b${x}`).join('(?:[\\s,]+|,"\\d+":)') + '\\b'),
  ];
}

function expectNoLeak(o: unknown, secrets: (string | RegExp)[]): void {
  for (const text of renderings(o)) {
    for (const s of secrets) {
      if (typeof s === 'string') expect(text).not.toContain(s);
      else expect(text).not.toMatch(s);
    }
  }
}

test('control: the leak detector does catch raw key bytes in a plain object', () => {
  const raw = randomBytes(32);
  for (const o of [{ key: raw }, { key: new Uint8Array(raw) }, { key: raw.toString('hex') }, [raw], { k: [...raw] }]) {
    expect(() => expectNoLeak(o, [...needles(raw), ...byteForms(raw)])).toThrow();
  }
});

describe('SecretBytes', () => {
  const raw = randomBytes(32);
  const sb = new SecretBytes(raw);

  test('redacted renderings', () => {
    expect(String(sb)).toBe('SecretBytes(32 bytes, redacted)');
    expect(JSON.stringify(sb)).toBe('"SecretBytes(32 bytes, redacted)"');
    expect(JSON.stringify({ k: sb })).toBe('{"k":"SecretBytes(32 bytes, redacted)"}');
    expect(inspect(sb)).toBe('SecretBytes(32 bytes, redacted)');
    expectNoLeak(sb, [...needles(raw), ...byteForms(raw)]);
    expect(Object.keys(sb)).toEqual([]);
    expect(structuredClone(sb)).toEqual({});
  });

  test('copies its input; exposeSecretBytes returns the bytes', () => {
    const input = Buffer.from(raw);
    const s = new SecretBytes(input);
    input.fill(0);
    expect(Buffer.from(exposeSecretBytes(s))).toEqual(raw);
    expect(s.length).toBe(32);
  });

  test('equals is constant-time over equal lengths and handles both forms', () => {
    expect(sb.equals(new SecretBytes(raw))).toBe(true);
    expect(sb.equals(raw)).toBe(true);
    const other = Buffer.from(raw);
    other[31] = (other[31] as number) ^ 1;
    expect(sb.equals(other)).toBe(false);
    expect(sb.equals(raw.subarray(0, 31))).toBe(false);
    expect(sb.equals(new SecretBytes(new Uint8Array(0)))).toBe(false);
  });

  test('wipe zeroes the bytes; exposing a wiped value throws', () => {
    const s = new SecretBytes(randomBytes(16));
    const view = exposeSecretBytes(s);
    s.wipe();
    expect([...view].every((b) => b === 0)).toBe(true);
    expect(s.wiped).toBe(true);
    expect(() => exposeSecretBytes(s)).toThrow(new TypeError('secret-bytes: argument expected unwiped SecretBytes, got wiped'));
  });

  test('misuse', () => {
    expect(() => new SecretBytes('abc' as unknown as Uint8Array)).toThrow(new TypeError('secret-bytes: bytes expected Uint8Array, got string'));
    expect(() => exposeSecretBytes(raw as unknown as SecretBytes)).toThrow(TypeError);
    expect(() => exposeSecretBytes({} as SecretBytes)).toThrow(TypeError);
  });
});

describe('no key material in renderings of crypto objects', () => {
  test('Aead (AES-GCM) and DeterministicAead (AES-SIV)', () => {
    const k32 = randomBytes(32);
    const k64 = randomBytes(64);
    const gcm = createAesGcm(k32);
    const siv = createAesSiv(k64);
    expect(String(gcm)).toBe('AesGcm(aes-256-gcm)');
    expect(inspect(siv)).toBe('AesSiv(aes-256-siv)');
    expectNoLeak(gcm, [...needles(k32), ...byteForms(k32)]);
    expectNoLeak(siv, [...needles(k64), ...needles(k64.subarray(32)), ...byteForms(k64), ...byteForms(k64.subarray(32))]);
  });

  test('DekCipher', () => {
    for (const alg of ['AES128_GCM', 'AES256_GCM', 'AES256_SIV'] as const) {
      const dek = generateDek(alg);
      const key = exposeSecretBytes(parseDek(alg, dek));
      const cipher = createDekCipher(alg, dek);
      expect(String(cipher)).toBe(`DekCipher(${alg})`);
      expectNoLeak(cipher, [...needles(dek), ...needles(key), ...byteForms(key)]);
    }
  });

  test('local KMS client: neither the secret nor the KEK', () => {
    const secret = 'correct horse battery staple';
    const client = createLocalKms({ secret });
    const kek = exposeSecretBytes(deriveLocalKmsKek(secret));
    expect(String(client)).toBe('LocalKmsClient(local-kms)');
    expectNoLeak(client, [secret, 'horse', Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex'), ...needles(kek), ...byteForms(kek)]);
  });
});

describe('no key material in error messages', () => {
  function errorText(e: unknown): string {
    return [String(e), (e as Error).message, JSON.stringify(e), inspect(e, { depth: Infinity })].join('\n');
  }

  test('wrong-size keys', () => {
    for (const n of [7, 24, 33]) {
      const key = randomBytes(n);
      for (const e of [thrown(() => createAesGcm(key)), thrown(() => createAesSiv(key)), thrown(() => encodeDek('AES256_GCM', key))]) {
        expect((e as { code: string }).code).toBe(ErrorCodes.INVALID_KEY);
        for (const s of needles(key)) expect(errorText(e)).not.toContain(s);
        for (const r of byteForms(key)) expect(errorText(e)).not.toMatch(r);
      }
    }
  });

  test('malformed DEK protos', () => {
    const key = randomBytes(31);
    const bad = Buffer.concat([Buffer.from([0x1a, 31]), key]);
    const e = thrown(() => parseDek('AES256_GCM', bad));
    expect((e as Error).message).toBe('dek-proto: key_value expected 32 bytes for AES256_GCM, got 31');
    for (const s of needles(key)) expect(errorText(e)).not.toContain(s);
    for (const r of byteForms(key)) expect(errorText(e)).not.toMatch(r);
  });

  test('local KMS: wrong secret on unwrap', async () => {
    const a = createLocalKms({ secret: 'secret-number-one' });
    const b = createLocalKms({ secret: 'secret-number-two' });
    const dek = generateDek('AES256_GCM');
    const e: unknown = await b.unwrap('local-kms://k', await a.wrap('local-kms://k', dek)).catch((x: unknown) => x);
    expect((e as { code: string }).code).toBe(ErrorCodes.KMS_INVALID_CIPHERTEXT);
    for (const s of ['secret-number', ...needles(dek)]) expect(errorText(e)).not.toContain(s);
    for (const r of byteForms(dek)) expect(errorText(e)).not.toMatch(r);
  });
});
