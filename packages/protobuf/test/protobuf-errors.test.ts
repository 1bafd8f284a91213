/**
 * Hostile and broken inputs: truncated frames, bad message indexes, unknown schema ids, garbage
 * bodies, values that do not fit the message type, tagged fields that cannot be encrypted, wrong
 * DEKs and secrets, malformed rules and schemas. Every error is typed (never a crash), and no
 * message carries a field value.
 */
import { ErrorCodes, createLocalKms, frameWithId } from '@csfle/core';
import { createInMemoryDekRegistry } from '@csfle/registry';
import { createProtobufDeserializer, createProtobufSerializer } from '@csfle/protobuf';
import { body as rawBody, codes, encryptRule, failure, makeEnv, rootOf, texts } from './helpers.js';

const PROTO = `syntax = "proto3";
package bank;
import "confluent/meta.proto";
message Acct {
  int64 id = 1;
  string owner = 2 [(confluent.field_meta).tags = "PII"];
  Nested nested = 3;
  repeated int32 list = 4;
  map<string, string> notes = 5;
  Kind kind = 6;
  oneof pick {
    string left = 7;
    string right = 8;
  }
  message Nested {
    string iban = 1 [(confluent.field_meta).tags = "PII"];
    int32 n = 2;
  }
  enum Kind {
    KIND_UNSPECIFIED = 0;
    SAVINGS = 1;
  }
}
message Second {
  string s = 1;
}`;
const OWNER = 'Owner McSecret';
const IBAN = 'DE00-SECRET-IBAN';
const acct = () => ({ id: '1', owner: OWNER, nested: { iban: IBAN, n: 3 }, list: [1, 2], notes: { k: 'v' }, kind: 'SAVINGS' });

describe('bad frames and bodies', () => {
  const env = makeEnv();
  let id = 0;
  let good: Buffer;
  beforeAll(async () => {
    id = await env.register('b', PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    good = await env.ser().serialize('b', acct());
  });

  it.each([
    ['empty', () => Buffer.alloc(0)],
    ['truncated id', () => Buffer.from([0, 0, 0])],
    ['unknown magic byte', () => Buffer.from([7, 0, 0, 0, 1, 2])],
    ['truncated GUID', () => Buffer.from([1, 1, 2, 3])],
    ['no message indexes at all', () => frameWithId(id, Buffer.alloc(0))],
    ['truncated index varint', () => frameWithId(id, Buffer.from([0x80]))],
    ['index count too large', () => frameWithId(id, Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f]))],
    ['index past the top-level messages', () => frameWithId(id, Buffer.from([0x02, 0x04]))],
    ['negative index', () => frameWithId(id, Buffer.from([0x02, 0x01]))],
    ['nested index past the nested messages', () => frameWithId(id, Buffer.from([0x04, 0x00, 0x08]))],
    ['nested index under a message without nested messages', () => frameWithId(id, Buffer.from([0x04, 0x02, 0x00]))],
    ['count says 3, only 2 indexes', () => frameWithId(id, Buffer.from([0x06, 0x00, 0x00]))],
  ])('%s → INVALID_FRAME', async (_n, bytes) => {
    const e = await failure(env.de().deserialize('b', bytes()));
    expect(e).toMatchObject({ name: 'SerdeError', code: ErrorCodes.INVALID_FRAME });
  });

  it('non-bytes input is a TypeError', async () => {
    await expect(env.de().deserialize('b', 'nope' as never)).rejects.toThrow(TypeError);
  });

  it('unknown schema id → REGISTRY_NOT_FOUND', async () => {
    const e = await failure(env.de().deserialize('b', frameWithId(9999, good.subarray(5))));
    expect(e).toMatchObject({ name: 'SerdeError', code: ErrorCodes.REGISTRY_NOT_FOUND, schemaId: 9999 });
  });

  it('garbage or truncated body → DESERIALIZATION_FAILED, quoting no data', async () => {
    for (const bytes of [
      frameWithId(id, Buffer.from([0x0f, 0xff, 0xff]), Buffer.from([0])), // wire type 7
      good.subarray(0, good.length - 3), // truncated inside a field
      frameWithId(id, Buffer.from([0x12, 0x40, 0x41]), Buffer.from([0])), // string longer than the body
      frameWithId(id, Buffer.from([0x1a, 0x05, 0x0a, 0x09, 0x41]), Buffer.from([0])), // nested message truncated
      Buffer.concat([good, Buffer.from([0xff])]), // trailing garbage tag
    ]) {
      const e = await failure(env.de().deserialize('b', bytes));
      expect(e).toMatchObject({ code: ErrorCodes.DESERIALIZATION_FAILED, schemaId: id });
      expect((e as Error).message).toMatch(/^protobuf: body is not valid Protobuf for bank\.Acct \(schema id \d+\)(: (index out of range|invalid wire type|illegal)[\w :+>]*)?$/);
    }
  });

  it('a tampered ciphertext fails to decrypt (RULE_FAILED ← DECRYPTION_FAILED), opaquely, naming the field', async () => {
    const raw = rawBody(PROTO, 'bank.Acct', good) as { owner: string; nested: { iban: string } };
    const T = rootOf(PROTO).lookupType('bank.Acct');
    for (const [patch, field] of [
      [(r: typeof raw) => ({ ...r, owner: flip(r.owner) }), 'bank.Acct.owner'],
      [(r: typeof raw) => ({ ...r, nested: { ...r.nested, iban: flip(r.nested.iban) } }), 'bank.Acct.Nested.iban'],
    ] as const) {
      const tampered = frameWithId(id, Buffer.from(T.encode(T.fromObject(patch(raw))).finish()), Buffer.from([0]));
      const e = await failure(env.de().deserialize('b', tampered));
      expect(e).toMatchObject({ code: ErrorCodes.RULE_FAILED, fieldPath: field });
      expect(codes(e)).toContain(ErrorCodes.DECRYPTION_FAILED);
    }
  });
});

function flip(b64: string): string {
  const ct = Buffer.from(b64, 'base64');
  ct[ct.length - 1] = (ct[ct.length - 1] as number) ^ 1;
  return ct.toString('base64');
}

describe('values that do not fit the message type', () => {
  const env = makeEnv();
  beforeAll(async () => {
    await env.register('v', PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    await env.register('plain', PROTO);
  });

  it.each([
    ['a number in a tagged string field', { ...acct(), owner: 12345 }, 'owner', 'string', 'number'],
    ['a number in a nested tagged field', { ...acct(), nested: { iban: 999, n: 3 } }, 'nested.iban', 'string', 'number'],
    ['a string in an int32 field', { ...acct(), nested: { iban: IBAN, n: 'three-secret' } }, 'nested.n', 'int32', 'string'],
    ['an int32 out of range', { ...acct(), nested: { iban: IBAN, n: 2 ** 40 } }, 'nested.n', 'int32', 'a number out of range'],
    ['a non-decimal string in an int64 field', { ...acct(), id: '12abc-secret' }, 'id', 'int64', 'a non-decimal string'],
    ['a wrong item in a repeated field', { ...acct(), list: [1, 'two-secret-item'] }, 'list[1]', 'int32', 'string'],
    ['a null item in a repeated field', { ...acct(), list: [1, null] }, 'list[1]', 'a value', 'null'],
    ['a scalar for a repeated field', { ...acct(), list: 5 }, 'list', 'an array (repeated field)', 'number'],
    ['a wrong map value (the key is not named)', { ...acct(), notes: { 'key-secret': 7 } }, 'notes[<key>]', 'string', 'number'],
    ['a Map for a map field', { ...acct(), notes: new Map([['a', 'b']]) }, 'notes', 'map<string, ...> as a plain object', 'a Map'],
    ['an unknown enum name', { ...acct(), kind: 'CHECKING-secret' }, 'kind', 'enum bank.Acct.Kind', 'an unknown value name'],
    ['a string for a message field', { ...acct(), nested: 'nested-secret' }, 'nested', 'message bank.Acct.Nested', 'string'],
    ['two members of a oneof', { ...acct(), left: 'l-secret', right: 'r-secret' }, 'pick', 'at most one field of the oneof set', '2 fields'],
    ['not an object', 'just a string', '<root>', 'message bank.Acct', 'string'],
    ['an array', [acct()], '<root>', 'message bank.Acct', 'array'],
  ])('%s → SERIALIZATION_FAILED naming the path, not the value', async (_name, value, path, expected, got) => {
    for (const topic of ['v', 'plain']) {
      const e = await failure(env.ser().serialize(topic, value));
      expect(e).toMatchObject({ name: 'SerdeError', code: ErrorCodes.SERIALIZATION_FAILED });
      expect((e as Error).message).toBe(`protobuf: value at ${path} expected ${expected}, got ${got}`);
      for (const t of texts(e)) {
        for (const secret of [OWNER, IBAN, 'secret', '12345', '999', 'just a string']) expect(t).not.toContain(secret);
      }
    }
  });

  it('proto2: a missing required field is named; a message without it does not decode', async () => {
    const env2 = makeEnv();
    const id = await env2.register('p2', 'syntax = "proto2"; package p; message R { required string id = 1; optional int32 n = 2; }');
    await expect(env2.ser().serialize('p2', { n: 1 })).rejects.toMatchObject({
      code: ErrorCodes.SERIALIZATION_FAILED,
      message: 'protobuf: value at id expected a value (required field), got undefined',
    });
    expect(await env2.de().deserialize('p2', await env2.ser().serialize('p2', { id: 'x' }))).toEqual({ id: 'x', n: 0 });
    const e = await failure(env2.de().deserialize('p2', frameWithId(id, Buffer.from([0x10, 0x01]), Buffer.from([0]))));
    expect(e).toMatchObject({ code: ErrorCodes.DESERIALIZATION_FAILED, message: "protobuf: body is not valid Protobuf for p.R (schema id 1): missing required 'id'" });
  });

  it('bytes fields take Uint8Array only (a base64 string is refused)', async () => {
    const env2 = makeEnv();
    await env2.register('bytes', 'syntax = "proto3"; package x; import "confluent/meta.proto"; message B { bytes b = 1 [(confluent.field_meta).tags = "PII"]; }', {
      ruleSet: { domainRules: [encryptRule()] },
    });
    const e = await failure(env2.ser().serialize('bytes', { b: 'c2VjcmV0' }));
    expect(e).toMatchObject({ code: ErrorCodes.SERIALIZATION_FAILED, message: 'protobuf: value at b expected bytes (Uint8Array), got string' });
    expect(await env2.de().deserialize('bytes', await env2.ser().serialize('bytes', { b: new Uint8Array([1, 2, 3]) }))).toEqual({ b: Buffer.from([1, 2, 3]) });
  });
});

describe('tagged fields that cannot be encrypted', () => {
  it.each([
    ['int32', 'int32 f = 1', { f: 5 }, 'INT'],
    ['int64', 'int64 f = 1', { f: '5' }, 'LONG'],
    ['double', 'double f = 1', { f: 1.5 }, 'DOUBLE'],
    ['bool', 'bool f = 1', { f: true }, 'BOOLEAN'],
    ['enum', 'E f = 1', { f: 'B' }, 'ENUM'],
    ['repeated uint32', 'repeated uint32 f = 1', { f: [1] }, 'INT'],
  ])('a tagged %s field goes through onFailure (ERROR → RULE_FAILED ← UNSUPPORTED_FIELD_TYPE)', async (_n, decl, value, type) => {
    const proto = `syntax = "proto3"; package t; import "confluent/meta.proto"; message M { ${decl} [(confluent.field_meta).tags = "PII"]; string s = 2 [(confluent.field_meta).tags = "PII"]; enum E { A = 0; B = 1; } }`;
    const env = makeEnv();
    await env.register('tnf', proto, { ruleSet: { domainRules: [encryptRule()] } });
    const e = await failure(env.ser().serialize('tnf', { ...value, s: 'string-secret' }));
    expect(e).toMatchObject({ name: 'RuleError', code: ErrorCodes.RULE_FAILED, fieldPath: 't.M.f' });
    expect(codes(e)).toContain(ErrorCodes.UNSUPPORTED_FIELD_TYPE);
    expect((e as Error).message).toContain(`type ${type} not supported for encryption`);
    // NONE: refused, never plaintext.
    await env.register('tnf2', proto, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' })] } });
    await expect(env.ser().serialize('tnf2', { ...value, s: 'string-secret' })).rejects.toMatchObject({ code: ErrorCodes.PLAINTEXT_REFUSED });
  });
});

describe('keys and KMS', () => {
  it('ciphertext of another DEK does not decrypt (same KEK name and subject, other DEK registry)', async () => {
    const env = makeEnv();
    await env.register('k', PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('k', acct());
    const otherDeks = createInMemoryDekRegistry();
    const kms = [createLocalKms({ secret: 'mysecret' })];
    await createProtobufSerializer({ registry: env.registry, deks: otherDeks, kms, useLatestVersion: true }).serialize('k', acct());
    const e = await failure(createProtobufDeserializer({ registry: env.registry, deks: otherDeks, kms }).deserialize('k', bytes));
    expect(e).toMatchObject({ name: 'RuleError', code: ErrorCodes.RULE_FAILED, fieldPath: 'bank.Acct.owner' });
    expect(codes(e)).toContain(ErrorCodes.DECRYPTION_FAILED);
    for (const t of texts(e)) expect(t).not.toContain(OWNER);
  });

  it('wrong local secret → KMS_INVALID_CIPHERTEXT; no KMS client → KMS_NOT_CONFIGURED; missing KEK → KEK_NOT_FOUND', async () => {
    const env = makeEnv();
    await env.register('s', PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('s', acct());
    expect(codes(await failure(env.de({ kms: [createLocalKms({ secret: 'other' })] }).deserialize('s', bytes)))).toContain(ErrorCodes.KMS_INVALID_CIPHERTEXT);
    expect(codes(await failure(env.de({ kms: [] }).deserialize('s', bytes)))).toContain(ErrorCodes.KMS_NOT_CONFIGURED);
    expect(codes(await failure(env.de({ deks: createInMemoryDekRegistry() }).deserialize('s', bytes)))).toContain(ErrorCodes.KEK_NOT_FOUND);
  });
});

describe('malformed rules and schemas', () => {
  it.each([
    ['missing kek name', {}, ErrorCodes.INVALID_RULE],
    ['negative expiry days', { 'encrypt.kek.name': 'k', 'encrypt.dek.expiry.days': '-1' }, ErrorCodes.INVALID_RULE],
    ['unknown algorithm', { 'encrypt.kek.name': 'k', 'encrypt.dek.algorithm': 'ROT13' }, ErrorCodes.UNSUPPORTED_ALGORITHM],
  ])('%s → RULE_FAILED', async (_n, params, code) => {
    const env = makeEnv();
    await env.register('r', PROTO, { ruleSet: { domainRules: [{ ...encryptRule(), params }] } });
    const e = await failure(env.ser().serialize('r', acct()));
    expect(codes(e)[0]).toBe(ErrorCodes.RULE_FAILED);
    expect(codes(e)).toContain(code);
  });

  it('a non-Protobuf registered schema, unparsable .proto text, an unresolvable type, garbage base64 → SCHEMA_ERROR', async () => {
    const env = makeEnv();
    const json = await env.registry.register('j-value', { schemaType: 'JSON', schema: '{"type":"object"}' });
    await expect(env.de().deserialize('j', frameWithId(json, Buffer.from([0])))).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR });
    await expect(env.ser().serialize('j', {})).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR });
    for (const [topic, schema] of [
      ['bad-text', 'message A { string a = 1'],
      ['bad-type', 'syntax = "proto3"; message A { Missing m = 1; }'],
      ['bad-b64', 'AAAA'],
      ['no-message', 'syntax = "proto3"; package empty; enum E { A = 0; }'],
    ] as const) {
      const id = await env.register(topic, schema);
      await expect(env.ser().serialize(topic, {})).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR, message: expect.stringContaining(topic === 'no-message' ? 'declares no message' : 'protobuf: ') });
      await expect(env.de().deserialize(topic, frameWithId(id, Buffer.from([0])))).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR });
    }
  });
});
