/**
 * Hostile and broken inputs: bad frames, unknown schema ids, garbage bodies, values that do
 * not fit the schema, wrong DEKs and secrets, missing KEKs, malformed rule params, and an
 * unreachable registry. Every error is typed, and no message carries a field value.
 */
import avsc from 'avsc';
import { ErrorCodes, createLocalKms, frameWithId } from '@csfle/core';
import { createDekRegistryClient, createInMemoryDekRegistry, createSchemaRegistryClient } from '@csfle/registry';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { encryptRule, makeEnv } from './helpers.js';

const SCHEMA = {
  type: 'record',
  name: 'Acct',
  namespace: 'bank',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'owner', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'nested', type: { type: 'record', name: 'N', fields: [{ name: 'iban', type: 'string', 'confluent:tags': ['PII'] }, { name: 'n', type: 'int' }] } },
    { name: 'list', type: { type: 'array', items: 'int' } },
  ],
};
const OWNER = 'Owner McSecret';
const acct = () => ({ id: 1, owner: OWNER, nested: { iban: 'DE00-SECRET-IBAN', n: 3 }, list: [1, 2] });

function chain(e: unknown): Array<{ code?: string; message: string }> {
  const out: Array<{ code?: string; message: string }> = [];
  for (let c: unknown = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    out.push({ ...(typeof code === 'string' ? { code } : {}), message: String((c as Error).message) });
  }
  return out;
}
const codes = (e: unknown) => chain(e).flatMap((c) => (c.code ? [c.code] : []));
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('bad frames and bodies', () => {
  const env = makeEnv();
  let id = 0;
  let good: Buffer;
  beforeAll(async () => {
    id = await env.register('b', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    good = await env.ser().serialize('b', acct());
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['truncated id', Buffer.from([0, 0, 0])],
    ['unknown magic byte', Buffer.from([7, 0, 0, 0, 1, 2])],
    ['truncated GUID', Buffer.from([1, 1, 2, 3])],
  ])('%s → INVALID_FRAME', async (_n, bytes) => {
    const e = await failure(env.de().deserialize('b', bytes));
    expect(e).toMatchObject({ name: 'SerdeError', code: ErrorCodes.INVALID_FRAME });
  });

  it('non-bytes input is a TypeError', async () => {
    await expect(env.de().deserialize('b', 'nope' as never)).rejects.toThrow(TypeError);
  });

  it('unknown schema id → REGISTRY_NOT_FOUND', async () => {
    const e = await failure(env.de().deserialize('b', frameWithId(9999, good.subarray(5))));
    expect(e).toMatchObject({ name: 'SerdeError', code: ErrorCodes.REGISTRY_NOT_FOUND, schemaId: 9999 });
  });

  it('garbage or truncated body → DESERIALIZATION_FAILED', async () => {
    for (const bytes of [frameWithId(id, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])), good.subarray(0, good.length - 3), Buffer.concat([good, Buffer.from([1, 2, 3])])]) {
      const e = await failure(env.de().deserialize('b', bytes));
      expect(e).toMatchObject({ code: ErrorCodes.DESERIALIZATION_FAILED, schemaId: id });
    }
  });

  it('a tampered ciphertext fails to decrypt (RULE_FAILED ← DECRYPTION_FAILED), opaquely', async () => {
    const plainType = avsc.Type.forSchema(SCHEMA as avsc.Schema);
    const raw = plainType.fromBuffer(good.subarray(5)) as { owner: string };
    const ct = Buffer.from(raw.owner, 'base64');
    ct[ct.length - 1] = (ct[ct.length - 1] as number) ^ 1; // flip one tag bit
    const tampered = frameWithId(id, plainType.toBuffer({ ...raw, owner: ct.toString('base64') }));
    const e = await failure(env.de().deserialize('b', tampered));
    expect(e).toMatchObject({ code: ErrorCodes.RULE_FAILED, fieldPath: 'bank.Acct.owner' });
    expect(codes(e)).toContain(ErrorCodes.DECRYPTION_FAILED);
  });
});

describe('values that do not fit the schema', () => {
  const env = makeEnv();
  beforeAll(async () => {
    await env.register('v', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    await env.register('plain', SCHEMA);
  });

  it.each([
    ['wrong type in a tagged field', { ...acct(), owner: 12345 }, 'owner', 'string'],
    ['wrong type in a nested tagged field', { ...acct(), nested: { iban: 999, n: 3 } }, 'nested.iban', 'string'],
    ['missing required field', { id: 1, owner: OWNER, list: [] }, 'nested', 'bank.N'],
    ['wrong item in an untagged array', { ...acct(), list: [1, 'two-secret-item'] }, 'list.1', 'int'],
    ['not an object', 'just a string', '<root>', 'bank.Acct'],
  ])('%s → SERIALIZATION_FAILED naming the path, not the value', async (_n, value, path, expected) => {
    for (const topic of ['v', 'plain']) {
      const e = await failure(env.ser().serialize(topic, value));
      expect(e).toMatchObject({ name: 'SerdeError', code: ErrorCodes.SERIALIZATION_FAILED });
      const msg = (e as Error).message;
      expect(msg).toContain(`at ${path} expected ${expected}`);
      for (const c of chain(e)) {
        for (const secret of [OWNER, 'DE00-SECRET-IBAN', 'two-secret-item', '12345', '999', 'just a string']) expect(c.message).not.toContain(secret);
      }
      expect(JSON.stringify(e)).not.toContain(OWNER);
    }
  });
});

describe('keys and KMS', () => {
  it('ciphertext of another DEK does not decrypt (same KEK name and subject, other DEK registry)', async () => {
    const env = makeEnv();
    await env.register('k', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('k', acct());
    const otherDeks = createInMemoryDekRegistry();
    const kms = [createLocalKms({ secret: 'mysecret' })];
    await createAvroSerializer({ registry: env.registry, deks: otherDeks, kms, useLatestVersion: true }).serialize('k', acct()); // creates another DEK v1
    const e = await failure(createAvroDeserializer({ registry: env.registry, deks: otherDeks, kms }).deserialize('k', bytes));
    expect(e).toMatchObject({ name: 'RuleError', code: ErrorCodes.RULE_FAILED, fieldPath: 'bank.Acct.owner' });
    expect(codes(e)).toContain(ErrorCodes.DECRYPTION_FAILED);
    expect(chain(e).map((c) => c.message).join('|')).not.toContain(OWNER);
  });

  it('wrong local secret → KMS_INVALID_CIPHERTEXT in the cause chain', async () => {
    const env = makeEnv();
    await env.register('s', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('s', acct());
    const e = await failure(env.de({ kms: [createLocalKms({ secret: 'other' })] }).deserialize('s', bytes));
    expect(codes(e)[0]).toBe(ErrorCodes.RULE_FAILED);
    expect(codes(e)).toContain(ErrorCodes.KMS_INVALID_CIPHERTEXT);
  });

  it('no KMS client for the key URI → KMS_NOT_CONFIGURED in the cause chain', async () => {
    const env = makeEnv();
    await env.register('nk', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('nk', acct());
    expect(codes(await failure(env.de({ kms: [] }).deserialize('nk', bytes)))).toContain(ErrorCodes.KMS_NOT_CONFIGURED);
  });

  it('missing KEK on read → KEK_NOT_FOUND in the cause chain', async () => {
    const env = makeEnv();
    await env.register('m', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('m', acct());
    const e = await failure(env.de({ deks: createInMemoryDekRegistry() }).deserialize('m', bytes));
    expect(codes(e)).toContain(ErrorCodes.KEK_NOT_FOUND);
    expect(chain(e).some((c) => c.message.includes('no kek found for kek1 during consume'))).toBe(true);
  });

  it('a KEK registered with another kms key id → KEK_MISMATCH', async () => {
    const env = makeEnv();
    await env.deks.createKek({ name: 'kek1', kmsType: 'local-kms', kmsKeyId: 'other-key', shared: false });
    await env.register('mm', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    expect(codes(await failure(env.ser().serialize('mm', acct())))).toContain(ErrorCodes.KEK_MISMATCH);
  });
});

describe('malformed rules', () => {
  it.each([
    ['missing kek name', {}, ErrorCodes.INVALID_RULE],
    ['empty kek name', { 'encrypt.kek.name': '' }, ErrorCodes.INVALID_RULE],
    ['expiry days not a number', { 'encrypt.kek.name': 'k', 'encrypt.dek.expiry.days': 'abc' }, ErrorCodes.INVALID_RULE],
    ['negative expiry days', { 'encrypt.kek.name': 'k', 'encrypt.dek.expiry.days': '-1' }, ErrorCodes.INVALID_RULE],
    ['unknown algorithm', { 'encrypt.kek.name': 'k', 'encrypt.dek.algorithm': 'ROT13' }, ErrorCodes.UNSUPPORTED_ALGORITHM],
    ['KEK cannot be auto-created without kms type', { 'encrypt.kek.name': 'k' }, ErrorCodes.INVALID_RULE],
  ])('%s → RULE_FAILED', async (_n, params, code) => {
    const env = makeEnv();
    await env.register('r', SCHEMA, { ruleSet: { domainRules: [{ ...encryptRule(), params }] } });
    const e = await failure(env.ser().serialize('r', acct()));
    expect(codes(e)[0]).toBe(ErrorCodes.RULE_FAILED);
    expect(codes(e)).toContain(code);
  });

  it('params may come from metadata.properties', async () => {
    const env = makeEnv();
    await env.register('mp', SCHEMA, {
      ruleSet: { domainRules: [{ ...encryptRule(), params: {} }] },
      metadata: { properties: { 'encrypt.kek.name': 'kek-meta', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'mykey' } },
    });
    const bytes = await env.ser().serialize('mp', acct());
    expect(bytes.includes(Buffer.from(OWNER))).toBe(false);
    expect(await env.deks.listKeks()).toEqual(['kek-meta']);
  });

  it('a non-Avro registered schema → SCHEMA_ERROR', async () => {
    const env = makeEnv();
    const id = await env.registry.register('j-value', { schemaType: 'JSON', schema: '{"type":"object"}' });
    await expect(env.de().deserialize('j', frameWithId(id, Buffer.alloc(0)))).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR });
    await expect(env.ser().serialize('j', {})).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR });
  });
});

describe('registry down', () => {
  const downFetch = (async () => {
    throw new TypeError('fetch failed');
  }) as typeof fetch;

  it('serialize and deserialize fail with a retriable REGISTRY_UNAVAILABLE', async () => {
    const registry = createSchemaRegistryClient({ url: 'http://127.0.0.1:9', fetch: downFetch, maxRetries: 0 });
    const deks = createDekRegistryClient({ url: 'http://127.0.0.1:9', fetch: downFetch, maxRetries: 0 });
    const kms = [createLocalKms({ secret: 'mysecret' })];
    const se = await failure(createAvroSerializer({ registry, deks, kms, useLatestVersion: true }).serialize('t', acct()));
    expect(se).toMatchObject({ code: ErrorCodes.REGISTRY_UNAVAILABLE, retriable: true });
    const de = await failure(createAvroDeserializer({ registry, deks, kms }).deserialize('t', frameWithId(1, Buffer.from([2]))));
    expect(de).toMatchObject({ code: ErrorCodes.REGISTRY_UNAVAILABLE, retriable: true });
  });

  it('a DEK registry outage on the first write fails the rule (retriable in the cause chain), no bytes', async () => {
    const env = makeEnv();
    await env.register('dr', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const deks = createDekRegistryClient({ url: 'http://127.0.0.1:9', fetch: downFetch, maxRetries: 0 });
    const e = await failure(env.ser({ deks }).serialize('dr', acct()));
    expect(e).toMatchObject({ code: ErrorCodes.RULE_FAILED, retriable: true });
    expect(codes(e)).toContain(ErrorCodes.REGISTRY_UNAVAILABLE);
  });
});

describe('registry over HTTP answering 5xx and 401', () => {
  it('5xx after retries → retriable REGISTRY_UNAVAILABLE; 401 → REGISTRY_UNAUTHORIZED; credentials never in messages', async () => {
    const { startRegistryServer } = await import('@csfle/registry/server');
    const server = await startRegistryServer({ port: 0, auth: { basic: { username: 'u', password: 'hunter2-secret' } } });
    try {
      const auth = { basic: { username: 'u', password: 'hunter2-secret' } };
      const registry = createSchemaRegistryClient({ url: server.url, auth, maxRetries: 1, retryBackoffMs: 1 });
      const deks = createDekRegistryClient({ url: server.url, auth, maxRetries: 1, retryBackoffMs: 1 });
      const kms = [createLocalKms({ secret: 'mysecret' })];
      await registry.register('h-value', { schema: JSON.stringify(SCHEMA), ruleSet: { domainRules: [encryptRule()] } });
      const ser = createAvroSerializer({ registry, deks, kms, useLatestVersion: true });
      server.failNext(2, 503);
      const e5 = await failure(ser.serialize('h', acct()));
      expect(e5).toMatchObject({ code: ErrorCodes.REGISTRY_UNAVAILABLE, retriable: true });
      const bytes = await ser.serialize('h', acct()); // recovers once the server does

      const wrong = { basic: { username: 'u', password: 'wrong-password' } };
      const noAuth = createSchemaRegistryClient({ url: server.url, auth: wrong, maxRetries: 0 });
      const de = await failure(createAvroDeserializer({ registry: noAuth, deks, kms }).deserialize('h', bytes));
      expect(de).toMatchObject({ code: ErrorCodes.REGISTRY_UNAUTHORIZED, retriable: false });
      for (const c of [...chain(e5), ...chain(de)]) {
        expect(c.message).not.toContain('hunter2-secret');
        expect(c.message).not.toContain('wrong-password');
      }
    } finally {
      await server.close();
    }
  });
});
