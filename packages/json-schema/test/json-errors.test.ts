/**
 * Hostile and broken inputs (the same table as the Avro serde): bad frames, unknown schema ids,
 * garbage bodies, values that do not fit the schema, a tagged non-string field, wrong DEKs and
 * secrets, missing KEKs, malformed rules and schemas, and an unreachable registry. Every error is
 * typed, and no message carries a field value.
 */
import { ErrorCodes, createLocalKms, frameWithId } from '@csfle/core';
import { createDekRegistryClient, createInMemoryDekRegistry, createSchemaRegistryClient } from '@csfle/registry';
import { createJsonSchemaDeserializer, createJsonSchemaSerializer } from '@csfle/json-schema';
import { body, codes, encryptRule, failure, leaked, makeEnv, messages } from './helpers.js';

const SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Acct',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    owner: { type: 'string', 'confluent:tags': ['PII'] },
    nested: { type: 'object', properties: { iban: { type: 'string', 'confluent:tags': ['PII'] }, n: { type: 'integer' } }, required: ['iban'] },
    list: { type: 'array', items: { type: 'integer' } },
  },
  required: ['id', 'owner', 'nested'],
  additionalProperties: false,
};
const OWNER = 'Owner McSecret';
const IBAN = 'DE00-SECRET-IBAN';
const acct = () => ({ id: 1, owner: OWNER, nested: { iban: IBAN, n: 3 }, list: [1, 2] });

/** No message or JSON form along the cause chain contains any of `secrets`. */
function expectNoLeak(e: unknown, secrets: readonly string[]): void {
  for (let c: unknown = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
    const texts = [String((c as Error).message), JSON.stringify(c)];
    for (const t of texts) for (const s of secrets) expect(t).not.toContain(s);
  }
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
    ['unknown magic byte', Buffer.from([7, 0, 0, 0, 1, 0x7b, 0x7d])],
    ['truncated GUID', Buffer.from([1, 1, 2, 3])],
  ])('%s → INVALID_FRAME', async (_n, bytes) => {
    expect(await failure(env.de().deserialize('b', bytes))).toMatchObject({ name: 'SerdeError', code: ErrorCodes.INVALID_FRAME });
  });

  it('non-bytes input is a TypeError', async () => {
    await expect(env.de().deserialize('b', 'nope' as never)).rejects.toThrow(TypeError);
    await expect(env.de().deserialize(42 as never, good)).rejects.toThrow(TypeError);
  });

  it('unknown schema id → REGISTRY_NOT_FOUND', async () => {
    const e = await failure(env.de().deserialize('b', frameWithId(9999, good.subarray(5))));
    expect(e).toMatchObject({ name: 'SerdeError', code: ErrorCodes.REGISTRY_NOT_FOUND, schemaId: 9999 });
  });

  it('garbage, truncated or non-UTF-8 body → DESERIALIZATION_FAILED, never quoting the body', async () => {
    const secretText = Buffer.from('{"owner":"Owner McSecret", oops');
    for (const bytes of [
      frameWithId(id, Buffer.from([0xff, 0xfe, 0x7b])),
      good.subarray(0, good.length - 3),
      Buffer.concat([good, Buffer.from('trailing')]),
      frameWithId(id, secretText),
      frameWithId(id, Buffer.alloc(0)),
    ]) {
      const e = await failure(env.de().deserialize('b', bytes));
      expect(e).toMatchObject({ code: ErrorCodes.DESERIALIZATION_FAILED, schemaId: id });
      expectNoLeak(e, [OWNER, 'oops']);
    }
  });

  it('a tampered ciphertext fails to decrypt (RULE_FAILED ← DECRYPTION_FAILED), opaquely', async () => {
    const raw = body(good) as { owner: string };
    const ct = Buffer.from(raw.owner, 'base64');
    ct[ct.length - 1] = (ct[ct.length - 1] as number) ^ 1;
    const tampered = frameWithId(id, Buffer.from(JSON.stringify({ ...raw, owner: ct.toString('base64') })));
    const e = await failure(env.de().deserialize('b', tampered));
    expect(e).toMatchObject({ code: ErrorCodes.RULE_FAILED, fieldPath: '$.owner' });
    expect(codes(e)).toContain(ErrorCodes.DECRYPTION_FAILED);
    // A ciphertext that is not even base64 of a valid length also fails typed.
    const junk = frameWithId(id, Buffer.from(JSON.stringify({ ...raw, owner: 'not base64 at all!' })));
    expect(codes(await failure(env.de().deserialize('b', junk)))).toContain(ErrorCodes.DECRYPTION_FAILED);
  });

  it('a tagged field holding a non-string on read is passed through (like Confluent)', async () => {
    const raw = body(good);
    const odd = frameWithId(id, Buffer.from(JSON.stringify({ ...raw, owner: 12345 })));
    const r = await env.de().deserializeWithReport('b', odd);
    expect((r.value as { owner: unknown }).owner).toBe(12345);
  });
});

describe('values that do not fit the schema', () => {
  const env = makeEnv();
  beforeAll(async () => {
    await env.register('v', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    await env.register('plain', SCHEMA);
  });

  it.each([
    ['wrong type in a tagged field', { ...acct(), owner: 12345 }, '/owner', 'type'],
    ['wrong type in a nested tagged field', { ...acct(), nested: { iban: 999, n: 3 } }, '/nested/iban', 'type'],
    ['missing required field', { id: 1, owner: OWNER, list: [] }, '<root>', 'required'],
    ['wrong item in an untagged array', { ...acct(), list: [1, 'two-secret-item'] }, '/list/1', 'type'],
    ['extra property', { ...acct(), extra: 'extra-secret' }, '<root>', 'additionalProperties'],
    ['not an object', 'just a string', '<root>', 'type'],
  ])('%s → SERIALIZATION_FAILED naming the path and keyword, not the value', async (_n, value, path, keyword) => {
    for (const topic of ['v', 'plain']) {
      const e = await failure(env.ser().serialize(topic, value));
      expect(e).toMatchObject({ name: 'SerdeError', code: ErrorCodes.SERIALIZATION_FAILED });
      expect((e as Error).message).toContain(`value at ${path} does not match the schema (keyword "${keyword}"`);
      expectNoLeak(e, [OWNER, IBAN, 'two-secret-item', '12345', '999', 'just a string', 'extra-secret']);
    }
  });

  it('with validation off, a wrong type in a tagged field is still a SERIALIZATION_FAILED (explained by the schema)', async () => {
    const e = await failure(env.ser({ validate: false }).serialize('v', { ...acct(), owner: 12345 }));
    expect(e).toMatchObject({ code: ErrorCodes.SERIALIZATION_FAILED });
    expect((e as Error).message).toContain('value at /owner');
    expectNoLeak(e, [OWNER, IBAN, '12345']);
  });

  it('values that are not JSON → SERIALIZATION_FAILED; nothing written', async () => {
    const circular: Record<string, unknown> = { id: 1, owner: OWNER, nested: { iban: IBAN } };
    circular['self'] = circular;
    for (const v of [undefined, { id: 1n, owner: OWNER, nested: { iban: IBAN } }, circular]) {
      const e = await failure(env.ser({ validate: false }).serialize('plain', v));
      expect(e).toMatchObject({ code: ErrorCodes.SERIALIZATION_FAILED });
      expectNoLeak(e, [OWNER, IBAN]);
    }
  });
});

describe('a tagged non-string field', () => {
  const TYPED = {
    type: 'object',
    properties: {
      name: { type: 'string', 'confluent:tags': ['PII'] },
      age: { type: 'integer', 'confluent:tags': ['PII'] },
    },
  };

  it('goes through onFailure: ERROR fails the write (UNSUPPORTED_FIELD_TYPE), no bytes, no plaintext', async () => {
    const env = makeEnv();
    await env.register('t', TYPED, { ruleSet: { domainRules: [encryptRule()] } });
    const e = await failure(env.ser().serialize('t', { name: 'Name Secret', age: 42 }));
    expect(e).toMatchObject({ name: 'RuleError', code: ErrorCodes.RULE_FAILED, fieldPath: '$.age' });
    expect(codes(e)).toContain(ErrorCodes.UNSUPPORTED_FIELD_TYPE);
    expect(messages(e).join('|')).toContain('type INT not supported for encryption');
    expectNoLeak(e, ['Name Secret']);
  });

  it('NONE: refused (PLAINTEXT_REFUSED); only the unsafe opt-in writes it as Confluent does', async () => {
    const env = makeEnv();
    await env.register('t2', TYPED, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' })] } });
    await expect(env.ser().serialize('t2', { name: 'Name Secret', age: 42 })).rejects.toMatchObject({ code: ErrorCodes.PLAINTEXT_REFUSED });
    const bytes = await env.ser({ unsafeAllowPlaintextOnWriteFailure: true }).serialize('t2', { name: 'Name Secret', age: 42 });
    expect(leaked(bytes, ['Name Secret'])).toEqual(['Name Secret']);
  });

  it.each([
    ['number', { type: 'number' }, 1.5, 'DOUBLE'],
    ['boolean', { type: 'boolean' }, true, 'BOOLEAN'],
    ['enum', { type: 'string', enum: ['a-secret-enum', 'b'] }, 'a-secret-enum', 'ENUM'],
    ['const', { const: 'c' , type: 'string' }, 'c', 'ENUM'],
    ['typeless', {}, 'typeless-secret', 'NULL'],
    ['object without properties', { type: 'object' }, { k: 'map-secret' }, 'MAP'],
    ['array without items', { type: 'array' }, ['array-secret'], 'ARRAY'],
    ['nullable object without properties', { type: ['object', 'null'] }, { k: 'map-secret' }, 'COMBINED'],
  ])('%s → type %s not supported', async (_n, prop, value, type) => {
    const env = makeEnv();
    await env.register('tt', { type: 'object', properties: { f: { ...prop, 'confluent:tags': ['PII'] } } }, { ruleSet: { domainRules: [encryptRule()] } });
    const e = await failure(env.ser().serialize('tt', { f: value }));
    expect(e).toMatchObject({ code: ErrorCodes.RULE_FAILED, fieldPath: '$.f' });
    expect(messages(e).join('|')).toContain(`type ${type} not supported for encryption`);
    expectNoLeak(e, ['a-secret-enum', 'typeless-secret', 'map-secret', 'array-secret']);
  });
});

describe('a tagged type-array field holding a value of an unlisted type (validation off)', () => {
  it('is refused, never written as it is', async () => {
    const env = makeEnv();
    await env.register('tu', { type: 'object', properties: { f: { type: ['string', 'null'], 'confluent:tags': ['PII'] } } }, { ruleSet: { domainRules: [encryptRule()] } });
    for (const v of [{ f: 123456789 }, { f: { nested: 'object-secret' } }, { f: ['array-secret'] }]) {
      const e = await failure(env.ser({ validate: false }).serialize('tu', v));
      expect(e).toMatchObject({ code: ErrorCodes.SERIALIZATION_FAILED });
      expectNoLeak(e, ['123456789', 'object-secret', 'array-secret']);
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
    await createJsonSchemaSerializer({ registry: env.registry, deks: otherDeks, kms, useLatestVersion: true }).serialize('k', acct());
    const e = await failure(createJsonSchemaDeserializer({ registry: env.registry, deks: otherDeks, kms }).deserialize('k', bytes));
    expect(e).toMatchObject({ name: 'RuleError', code: ErrorCodes.RULE_FAILED, fieldPath: '$.owner' });
    expect(codes(e)).toContain(ErrorCodes.DECRYPTION_FAILED);
    expectNoLeak(e, [OWNER, IBAN]);
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
    expect(messages(e).some((m) => m.includes('no kek found for kek1 during consume'))).toBe(true);
  });

  it('a KEK registered with another kms key id → KEK_MISMATCH', async () => {
    const env = makeEnv();
    await env.deks.createKek({ name: 'kek1', kmsType: 'local-kms', kmsKeyId: 'other-key', shared: false });
    await env.register('mm', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    expect(codes(await failure(env.ser().serialize('mm', acct())))).toContain(ErrorCodes.KEK_MISMATCH);
  });
});

describe('malformed rules and schemas', () => {
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
    expect(leaked(bytes, [OWNER, IBAN])).toEqual([]);
    expect(await env.deks.listKeks()).toEqual(['kek-meta']);
  });

  it('a non-JSON registered schema → SCHEMA_ERROR', async () => {
    const env = makeEnv();
    const id = await env.registry.register('a-value', { schema: JSON.stringify({ type: 'record', name: 'R', fields: [] }) });
    await expect(env.de().deserialize('a', frameWithId(id, Buffer.from('{}')))).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR });
    await expect(env.ser().serialize('a', {})).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR });
  });

  it.each([
    ['a $ref that resolves nowhere', { type: 'object', properties: { a: { $ref: '#/definitions/Missing' } } }],
    ['a $ref to an unregistered document', { type: 'object', properties: { a: { $ref: 'other.json' } } }],
    ['an invalid keyword value', { type: 'object', properties: { a: { type: 'string', maxLength: -1 } } }],
    ['an unsupported draft ($schema draft-04)', { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }],
  ])('%s → SCHEMA_ERROR on write (validating) and, where the walk needs it, on read', async (_n, schema) => {
    const env = makeEnv();
    const id = await env.register('bad', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const e = await failure(env.ser().serialize('bad', { a: 'x' }));
    expect(e).toMatchObject({ name: 'SerdeError', code: ErrorCodes.SCHEMA_ERROR });
    if (JSON.stringify(schema).includes('$ref')) {
      await expect(env.de().deserialize('bad', frameWithId(id, Buffer.from('{"a":"x"}')))).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR });
    }
  });

  it('a registered schema that is JSON but not a schema (an array) → SCHEMA_ERROR', async () => {
    const env = makeEnv();
    const id = await env.registry.register('u-value', { schemaType: 'JSON', schema: '[1]' });
    await expect(env.de().deserialize('u', frameWithId(id, Buffer.from('{}')))).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR });
    await expect(env.ser().serialize('u', {})).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR });
  });

  it('a reference the registry cannot return → its typed registry error (no crash)', async () => {
    const env = makeEnv();
    await env.registry.register('geo', { schemaType: 'JSON', schema: '{"type":"object"}' });
    const id = await env.register('mr', { $ref: 'geo.json' }, { references: [{ name: 'geo.json', subject: 'geo', version: 1 }] });
    const registry = Object.create(env.registry) as typeof env.registry;
    registry.getByVersion = async () => {
      throw new TypeError('socket hang up');
    };
    const e = await failure(env.de({ registry }).deserialize('mr', frameWithId(id, Buffer.from('{}'))));
    expect(e).toMatchObject({ name: 'SerdeError', code: ErrorCodes.REGISTRY_ERROR });
    expect((e as Error).message).toContain('could not fetch schema reference geo.json (geo v1)');
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
    const se = await failure(createJsonSchemaSerializer({ registry, deks, kms, useLatestVersion: true }).serialize('t', acct()));
    expect(se).toMatchObject({ code: ErrorCodes.REGISTRY_UNAVAILABLE, retriable: true });
    const de = await failure(createJsonSchemaDeserializer({ registry, deks, kms }).deserialize('t', frameWithId(1, Buffer.from('{}'))));
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
