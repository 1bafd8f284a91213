import {
  CsfleError,
  ErrorCodes,
  createDekManager,
  createLocalKms,
  type DekRegistryClient,
  type EncryptionParams,
  type KmsClient,
} from '@csfle/core';
import { createInMemoryDekRegistry, createKmsDekGenerator } from '@csfle/registry';

const DAY = 86_400_000;
const params = (over: Partial<EncryptionParams> = {}): EncryptionParams => ({
  kekName: 'kek1',
  kmsType: 'local-kms',
  kmsKeyId: 'mykey',
  algorithm: 'AES256_GCM',
  expiryDays: 0,
  ...over,
});
const pt = Buffer.from('hello world');

/** Wraps a DEK registry to count calls by method. */
function counting(inner: DekRegistryClient) {
  const calls = { getKek: 0, createKek: 0, getDek: 0, createDek: 0 };
  const wrapped: DekRegistryClient = {
    getKek: (...a) => (calls.getKek++, inner.getKek(...a)),
    createKek: (...a) => (calls.createKek++, inner.createKek(...a)),
    getDek: (...a) => (calls.getDek++, inner.getDek(...a)),
    createDek: (...a) => (calls.createDek++, inner.createDek(...a)),
  };
  return { calls, wrapped };
}

/** Wraps a KMS client to count calls and optionally fail. */
function countingKms(inner: KmsClient, fail?: () => Error | undefined) {
  const calls = { wrap: 0, unwrap: 0 };
  const kms: KmsClient = {
    kmsType: inner.kmsType,
    supports: (u) => inner.supports(u),
    async wrap(u, b, o) {
      calls.wrap++;
      const f = fail?.();
      if (f) throw f;
      return inner.wrap(u, b, o);
    },
    async unwrap(u, b, o) {
      calls.unwrap++;
      const f = fail?.();
      if (f) throw f;
      return inner.unwrap(u, b, o);
    },
  };
  return { calls, kms };
}

describe('DEK manager', () => {
  it('write creates KEK and DEK once; a reader with a cold cache unwraps once for 1,000 concurrent uses', async () => {
    const registry = createInMemoryDekRegistry();
    const w = counting(registry);
    const wk = countingKms(createLocalKms({ secret: 'mysecret' }));
    const writer = createDekManager({ deks: w.wrapped, kms: [wk.kms] });
    const keys = await Promise.all(Array.from({ length: 1000 }, () => writer.forWrite(params(), 'topic1-value')));
    expect(new Set(keys.map((k) => k.cipher)).size).toBe(1);
    expect(w.calls).toEqual({ getKek: 1, createKek: 1, getDek: 1, createDek: 1 });
    expect(wk.calls).toEqual({ wrap: 1, unwrap: 0 }); // the fresh DEK is used without a second KMS trip
    const ct = keys[0]!.cipher.encrypt(pt);

    const r = counting(registry);
    const rk = countingKms(createLocalKms({ secret: 'mysecret' }));
    const reader = createDekManager({ deks: r.wrapped, kms: [rk.kms] });
    const ciphers = await Promise.all(Array.from({ length: 1000 }, () => reader.forRead(params(), 'topic1-value', 1)));
    expect(r.calls).toEqual({ getKek: 1, createKek: 0, getDek: 1, createDek: 0 });
    expect(rk.calls).toEqual({ wrap: 0, unwrap: 1 });
    expect(ciphers[0]!.decrypt(ct).toString()).toBe('hello world');
    // warm: synchronous, no further calls
    expect(reader.forRead(params(), 'topic1-value', 1)).toBe(ciphers[0]);
    expect(reader.stats).toEqual({ registryCalls: 2, kmsWraps: 0, kmsUnwraps: 1 });
  });

  it('rotates by encrypt.dek.expiry.days and keeps old versions readable', async () => {
    let now = 1_000 * DAY;
    const registry = createInMemoryDekRegistry({ clock: () => now });
    const kms = [createLocalKms({ secret: 's' })];
    const m = createDekManager({ deks: registry, kms, now: () => now });
    const p = params({ expiryDays: 1 });
    const k1 = await m.forWrite(p, 'sub');
    expect(k1.version).toBe(1);
    now += DAY / 2;
    expect((await m.forWrite(p, 'sub')).version).toBe(1);
    now += DAY / 2; // exactly one day old: expired (>=)
    const k2 = await m.forWrite(p, 'sub');
    expect(k2.version).toBe(2);
    const c1 = k1.cipher.encryptWithVersion(1, pt);
    const fresh = createDekManager({ deks: registry, kms, now: () => now });
    expect((await fresh.forRead(p, 'sub', 1)).decrypt(c1.subarray(5)).toString()).toBe('hello world');
    expect((await fresh.forWrite(p, 'sub')).version).toBe(2);
  });

  it('two writers racing: the loser of the 409 uses the winner\'s DEK', async () => {
    const registry = createInMemoryDekRegistry();
    const kms = [createLocalKms({ secret: 's' })];
    const a = createDekManager({ deks: registry, kms });
    const b = createDekManager({ deks: registry, kms });
    const [ka, kb] = await Promise.all([a.forWrite(params(), 'sub'), b.forWrite(params(), 'sub')]);
    const ct = ka.cipher.encrypt(pt);
    expect(kb.cipher.decrypt(ct).toString()).toBe('hello world');
    expect(await registry.listDekVersions('kek1', 'sub')).toEqual([1]);
  });

  it('shared KEK: the registry generates the DEK and the client never calls the KMS', async () => {
    const serverKms = createLocalKms({ secret: 'server-secret' });
    const registry = createInMemoryDekRegistry(createKmsDekGenerator([serverKms]));
    await registry.createKek({ name: 'shared1', kmsType: 'local-kms', kmsKeyId: 'k', shared: true });
    const ck = countingKms(createLocalKms({ secret: 'client-does-not-know' }));
    const m = createDekManager({ deks: registry, kms: [ck.kms] });
    const k = await m.forWrite(params({ kekName: 'shared1', kmsKeyId: 'k' }), 'sub');
    const other = createDekManager({ deks: registry, kms: [ck.kms] });
    expect((await other.forRead(params({ kekName: 'shared1', kmsKeyId: 'k' }), 'sub', 1)).decrypt(k.cipher.encrypt(pt)).toString()).toBe(
      'hello world',
    );
    expect(ck.calls).toEqual({ wrap: 0, unwrap: 0 });
  });

  it('fails over to encrypt.alternate.kms.key.ids (KEK kmsProps, then config)', async () => {
    const registry = createInMemoryDekRegistry();
    await registry.createKek({
      name: 'kekalt',
      kmsType: 'local-kms',
      kmsKeyId: 'primary',
      kmsProps: { 'encrypt.alternate.kms.key.ids': 'nope, alt' },
      shared: false,
    });
    // Only the alternate key id has a client: primary and "nope" fail, "alt" works.
    const kms = [createLocalKms({ secret: 's', keyIds: ['alt'] })];
    const m = createDekManager({ deks: registry, kms });
    const k = await m.forWrite(params({ kekName: 'kekalt', kmsKeyId: 'primary' }), 'sub');
    const r = createDekManager({ deks: registry, kms });
    expect((await r.forRead(params({ kekName: 'kekalt', kmsKeyId: 'primary' }), 'sub', 1)).decrypt(k.cipher.encrypt(pt)).toString()).toBe(
      'hello world',
    );

    await registry.createKek({ name: 'kekalt2', kmsType: 'local-kms', kmsKeyId: 'primary', shared: false });
    const viaConfig = createDekManager({ deks: registry, kms, config: { 'encrypt.alternate.kms.key.ids': 'alt' } });
    await expect(viaConfig.forWrite(params({ kekName: 'kekalt2', kmsKeyId: 'primary' }), 'sub')).resolves.toBeDefined();
    const noAlt = createDekManager({ deks: registry, kms });
    await expect(noAlt.forWrite(params({ kekName: 'kekalt2', kmsKeyId: 'primary' }), 'sub2')).rejects.toMatchObject({
      code: ErrorCodes.KMS_NOT_CONFIGURED,
    });
  });

  it('read errors: missing KEK, missing DEK, KEK mismatch, wrong secret', async () => {
    const registry = createInMemoryDekRegistry();
    const kms = [createLocalKms({ secret: 's' })];
    const m = createDekManager({ deks: registry, kms });
    await expect(m.forRead(params(), 'sub', 1)).rejects.toMatchObject({ code: ErrorCodes.KEK_NOT_FOUND, message: 'no kek found for kek1 during consume' });
    await m.forWrite(params(), 'sub');
    await expect(createDekManager({ deks: registry, kms }).forRead(params(), 'sub', 7)).rejects.toMatchObject({
      code: ErrorCodes.DEK_NOT_FOUND,
    });
    await expect(createDekManager({ deks: registry, kms }).forRead(params({ kmsKeyId: 'other' }), 'sub', 1)).rejects.toMatchObject({
      code: ErrorCodes.KEK_MISMATCH,
    });
    const wrong = createDekManager({ deks: registry, kms: [createLocalKms({ secret: 'wrong' })] });
    const err = await Promise.resolve(wrong.forRead(params(), 'sub', 1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.KMS_INVALID_CIPHERTEXT });
    expect(String((err as Error).message)).not.toContain('wrong');
  });

  it('write without kms type/key id for a missing KEK is a rule error', async () => {
    const m = createDekManager({ deks: createInMemoryDekRegistry(), kms: [] });
    await expect(m.forWrite(params({ kmsType: undefined }), 'sub')).rejects.toMatchObject({
      code: ErrorCodes.INVALID_RULE,
      message: 'no kms type found for kek1 during produce',
    });
  });

  it('soft-deleted DEKs still decrypt on read', async () => {
    const registry = createInMemoryDekRegistry();
    const kms = [createLocalKms({ secret: 's' })];
    const k = await createDekManager({ deks: registry, kms }).forWrite(params(), 'sub');
    await registry.deleteDek('kek1', 'sub', 1, { algorithm: 'AES256_GCM' });
    const r = await createDekManager({ deks: registry, kms }).forRead(params(), 'sub', 1);
    expect(r.decrypt(k.cipher.encrypt(pt)).toString()).toBe('hello world');
  });

  it('keeps serving cached keys through a KMS outage (stale-if-error), then reports unavailable', async () => {
    let now = 0;
    let down = false;
    const registry = createInMemoryDekRegistry();
    const kmsInner = createLocalKms({ secret: 's' });
    await createDekManager({ deks: registry, kms: [kmsInner] }).forWrite(params(), 'sub');
    const k = countingKms(kmsInner, () => (down ? new CsfleError(ErrorCodes.KMS_UNAVAILABLE, 'kms down', { retriable: true }) : undefined));
    const m = createDekManager({ deks: registry, kms: [k.kms], now: () => now, cacheTtlMs: 1000, staleIfErrorMs: 10_000 });
    const c = await m.forRead(params(), 'sub', 1);
    down = true;
    now = 5_000;
    expect(await m.forRead(params(), 'sub', 1)).toBe(c);
    now = 20_000;
    await expect(m.forRead(params(), 'sub', 1)).rejects.toMatchObject({ code: ErrorCodes.KMS_UNAVAILABLE, retriable: true });
  });

  it('validates options eagerly', () => {
    expect(() => createDekManager({} as never)).toThrow(TypeError);
  });
});
