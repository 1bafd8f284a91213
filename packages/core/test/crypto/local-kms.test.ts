import { exposeSecretBytes, generateDek } from '../../src/crypto/index.js';
import { gcmOpen } from '../../src/crypto/subtle.js';
import { CsfleError, ErrorCodes, isKmsError, KmsError } from '../../src/errors.js';
import { createLocalKms, deriveLocalKmsKek } from '../../src/local-kms.js';
import { thrown } from './wycheproof.js';

const URI = 'local-kms://mykey';

test('KEK derivation: HKDF-SHA256("mysecret", no salt, no info, 16) = 1ae4d97ac1e81594bfd1993c1a75ee36', () => {
  expect(Buffer.from(exposeSecretBytes(deriveLocalKmsKek('mysecret'))).toString('hex')).toBe('1ae4d97ac1e81594bfd1993c1a75ee36');
  // UTF-8 of the secret is the IKM: a non-ASCII secret works and differs from its Latin-1 twin.
  expect(deriveLocalKmsKek('sécret').equals(deriveLocalKmsKek('s\u00c3\u00a9cret'))).toBe(false);
});

test('wrap = AES-128-GCM under the KEK: nonce(12) || ct || tag(16), empty AAD', async () => {
  const kms = createLocalKms({ secret: 'mysecret' });
  const dek = generateDek('AES256_GCM');
  const wrapped = Buffer.from(await kms.wrap(URI, dek));
  const kek = exposeSecretBytes(deriveLocalKmsKek('mysecret'));
  expect(gcmOpen(kek, wrapped.subarray(0, 12), wrapped.subarray(12, -16), wrapped.subarray(-16))).toEqual(Buffer.from(dek));
});

test.each([
  ['AES128_GCM', 46],
  ['AES256_GCM', 62],
  ['AES256_SIV', 94],
] as const)('wrap/unwrap round trip, %s wraps to %i bytes', async (alg, size) => {
  const kms = createLocalKms({ secret: 'mysecret' });
  const dek = generateDek(alg);
  const wrapped = await kms.wrap(URI, dek);
  expect(wrapped).toHaveLength(size);
  expect(Buffer.from(await kms.unwrap(URI, wrapped))).toEqual(Buffer.from(dek));
  // Randomized: wrapping twice differs.
  expect(Buffer.from(await kms.wrap(URI, dek))).not.toEqual(Buffer.from(wrapped));
});

test('two instances with different secrets never unwrap each other (per-instance secret)', async () => {
  const a = createLocalKms({ secret: 'secret-a' });
  const b = createLocalKms({ secret: 'secret-b' });
  const a2 = createLocalKms({ secret: 'secret-a' });
  const dek = generateDek('AES256_SIV');
  const fromA = await a.wrap(URI, dek);
  const fromB = await b.wrap(URI, dek);
  // Interleave so any shared state would show.
  await expect(b.unwrap(URI, fromA)).rejects.toMatchObject({ name: 'KmsError', code: ErrorCodes.KMS_INVALID_CIPHERTEXT, provider: 'local-kms', kekUri: URI });
  await expect(a.unwrap(URI, fromB)).rejects.toMatchObject({ code: ErrorCodes.KMS_INVALID_CIPHERTEXT });
  expect(Buffer.from(await a2.unwrap(URI, fromA))).toEqual(Buffer.from(dek));
  expect(Buffer.from(await b.unwrap(URI, fromB))).toEqual(Buffer.from(dek));
  expect(Buffer.from(await a.unwrap(URI, fromA))).toEqual(Buffer.from(dek));
});

test('wrong secret error: KmsError, not retriable, no secret in message', async () => {
  const a = createLocalKms({ secret: 'the-right-one' });
  const b = createLocalKms({ secret: 'the-wrong-one' });
  const e: unknown = await b.unwrap(URI, await a.wrap(URI, generateDek('AES128_GCM'))).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(KmsError);
  expect(isKmsError(e)).toBe(true);
  expect((e as KmsError).retriable).toBe(false);
  expect((e as KmsError).message).toBe(
    'local-kms: ciphertext expected to unwrap under this secret, got authentication failure (corrupt, or wrapped under another secret)',
  );
  expect(JSON.stringify(e)).not.toContain('the-');
});

test('garbage / short ciphertext → KMS_INVALID_CIPHERTEXT', async () => {
  const kms = createLocalKms({ secret: 'mysecret' });
  for (const bad of [new Uint8Array(0), new Uint8Array(27), new Uint8Array(62)]) {
    await expect(kms.unwrap(URI, bad)).rejects.toMatchObject({ code: ErrorCodes.KMS_INVALID_CIPHERTEXT });
  }
});

test('supports(): any local-kms:// URI by default, only listed key ids when keyIds is given', async () => {
  const any = createLocalKms({ secret: 's' });
  expect(any.kmsType).toBe('local-kms');
  expect(any.supports('local-kms://mykey')).toBe(true);
  expect(any.supports('local-kms://other')).toBe(true);
  expect(any.supports('aws-kms://arn:aws:kms:us-east-1:1:key/x')).toBe(false);
  expect(any.supports('local-kms:/mykey')).toBe(false);
  expect(any.supports(undefined as unknown as string)).toBe(false);

  const only = createLocalKms({ secret: 's', keyIds: ['mykey', 'k2'] });
  expect(only.supports('local-kms://mykey')).toBe(true);
  expect(only.supports('local-kms://k2')).toBe(true);
  expect(only.supports('local-kms://other')).toBe(false);
  await expect(only.wrap('local-kms://other', new Uint8Array(18))).rejects.toMatchObject({
    code: ErrorCodes.KMS_NOT_CONFIGURED,
    message: 'local-kms: keyUri expected one of the configured local-kms key ids, got "local-kms://other"',
  });
  await expect(any.unwrap('gcp-kms://x', new Uint8Array(40))).rejects.toMatchObject({
    code: ErrorCodes.KMS_NOT_CONFIGURED,
    message: 'local-kms: keyUri expected local-kms://<keyId>, got "gcp-kms://x"',
  });
  // The key id plays no part in the crypto (Confluent §2.2): wrapped under one id, unwraps under another.
  const w = await only.wrap('local-kms://mykey', new Uint8Array([1, 2, 3]));
  expect([...(await only.unwrap('local-kms://k2', w))]).toEqual([1, 2, 3]);
});

test('missing / empty secret and bad options fail at creation with INVALID_ARGUMENT', () => {
  const bad: unknown[] = [
    undefined,
    null,
    {},
    { secret: '' },
    { secret: 42 },
    { secret: null },
    { secret: 's', keyIds: [] },
    { secret: 's', keyIds: [''] },
    { secret: 's', keyIds: 'mykey' },
  ];
  for (const options of bad) {
    const e = thrown(() => createLocalKms(options as Parameters<typeof createLocalKms>[0]));
    expect(e).toBeInstanceOf(CsfleError);
    expect((e as CsfleError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
  }
  expect(() => createLocalKms({ secret: '' })).toThrow('local-kms: "secret" expected non-empty string, got ""');
  expect(() => createLocalKms({} as { secret: string })).toThrow('local-kms: "secret" expected non-empty string, got undefined');
  expect(() => deriveLocalKmsKek('')).toThrow(CsfleError);
});

test('an aborted signal rejects with ABORTED before any work', async () => {
  const kms = createLocalKms({ secret: 'mysecret' });
  const ac = new AbortController();
  ac.abort(new Error('stop'));
  await expect(kms.wrap(URI, new Uint8Array(18), { signal: ac.signal })).rejects.toMatchObject({ code: ErrorCodes.ABORTED });
  await expect(kms.unwrap(URI, new Uint8Array(46), { signal: ac.signal })).rejects.toMatchObject({
    code: ErrorCodes.ABORTED,
    message: 'local-kms: operation aborted',
  });
  const live = new AbortController();
  const w = await kms.wrap(URI, new Uint8Array([7]), { signal: live.signal });
  expect([...(await kms.unwrap(URI, w, { signal: live.signal }))]).toEqual([7]);
});

test('misuse: non-bytes plaintext rejects with TypeError', async () => {
  const kms = createLocalKms({ secret: 'mysecret' });
  await expect(kms.wrap(URI, 'dek' as unknown as Uint8Array)).rejects.toThrow(new TypeError('local-kms: plaintext expected Uint8Array, got string'));
});
