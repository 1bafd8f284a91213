/**
 * The Protobuf serde end to end over in-memory registries: framing and message indexes, message
 * selection, field encryption across every Protobuf shape (nested messages at any depth,
 * repeated fields, maps, oneofs, optional fields, well-known types), schema references,
 * external tags, serialized (FileDescriptorProto) schemas, protobufjs message instances,
 * copy-on-write, read options and option validation.
 */
import { createLocalKms, frameWithId, SubjectNameStrategies } from '@csfle/core';
import { createInMemorySchemaRegistry } from '@csfle/registry';
import { createProtobufDeserializer, createProtobufSerde, createProtobufSerializer, parseProtoText, toFileDescriptorProto } from '@csfle/protobuf';
import {
  CUSTOMER_PROTO,
  CUSTOMER_SECRETS,
  SECRET,
  body,
  clone,
  customer,
  deepFreeze,
  encryptRule,
  expected,
  isBase64,
  leaked,
  makeEnv,
  payloadRule,
  rootOf,
} from './helpers.js';

const SIMPLE = `syntax = "proto3";
package demo;
message Greeting {
  int32 id = 1;
  string text = 2;
  repeated int64 counts = 3;
}
message Other {
  string a = 1;
}`;

describe('framing and plain round trips', () => {
  it('writes 0x00 + int32 id + message index 0x00 + the protobufjs encoding, and reads it back', async () => {
    const env = makeEnv();
    const id = await env.register('plain', SIMPLE);
    const v = { id: 7, text: 'hello', counts: ['1', '9007199254740993'] };
    const bytes = await env.ser().serialize('plain', v);
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(id);
    expect(bytes[5]).toBe(0); // message indexes [0], the one-byte shortcut
    const T = rootOf(SIMPLE).lookupType('demo.Greeting');
    expect(bytes.subarray(6)).toEqual(Buffer.from(T.encode(T.fromObject(v)).finish()));
    expect(await env.de().deserialize('plain', bytes)).toEqual(v);
  });

  it('encodes canonically: fields with implicit presence holding their default are not written (as protoc / protobuf-es)', async () => {
    const env = makeEnv();
    await env.register('canon', SIMPLE);
    const bytes = await env.ser().serialize('canon', { id: 0, text: '', counts: [] });
    expect(bytes.subarray(6)).toHaveLength(0);
    const withValues = await env.ser().serialize('canon', { id: 1, text: 'x', counts: ['0'] });
    expect(withValues.subarray(6).toString('hex')).toBe('08011201781a0100');
  });

  it('message selection: messageName, a protobufjs instance’s type, else the first message; indexes [1] and nested [1, 0]', async () => {
    const env = makeEnv();
    await env.register('sel', CUSTOMER_PROTO);
    const order = { orderId: 'o-1', card: '4111', lines: [{ sku: 's', giftMessage: 'hi' }] };
    const byName = await env.ser({ messageName: 'shop.Order' }).serialize('sel', order);
    expect(byName.subarray(5, 7).toString('hex')).toBe('0202'); // count 1, index 1 (zig-zag)
    expect(await env.de().deserialize('sel', byName)).toEqual(expected(CUSTOMER_PROTO, 'shop.Order', order));
    // Relative to the package, and a nested message: indexes [1, 0].
    const line = { sku: 'x-1', giftMessage: 'for you' };
    const nested = await env.ser({ messageName: 'Order.Line' }).serialize('sel', line);
    expect(nested.subarray(5, 8).toString('hex')).toBe('040200');
    expect(await env.de().deserialize('sel', nested)).toEqual(expected(CUSTOMER_PROTO, 'shop.Order.Line', line));
    // A protobufjs message instance (of the caller's own root) picks its own type.
    const userOrder = rootOf(CUSTOMER_PROTO).lookupType('shop.Order');
    const viaInstance = await env.ser().serialize('sel', userOrder.fromObject(order));
    expect(viaInstance).toEqual(byName);
    // Default: the first message of the file, [0].
    const first = await env.ser().serialize('sel', { name: 'n' });
    expect(first[5]).toBe(0);
    // A type the schema does not declare.
    await expect(env.ser({ messageName: 'shop.Nope' }).serialize('sel', order)).rejects.toMatchObject({ code: 'SERIALIZATION_FAILED' });
    const alien = rootOf('syntax = "proto3"; package x; message Alien { string a = 1; }').lookupType('x.Alien');
    await expect(env.ser().serialize('sel', alien.fromObject({ a: 'b' }))).rejects.toMatchObject({ code: 'SERIALIZATION_FAILED' });
  });

  it('reads the message-index forms other writers use: [0] as the long form 02 00, and nested indexes', async () => {
    const env = makeEnv();
    const id = await env.register('idx', CUSTOMER_PROTO);
    const T = rootOf(CUSTOMER_PROTO).lookupType('shop.Customer');
    const bodyBytes = Buffer.from(T.encode(T.fromObject({ plainNote: 'x' })).finish());
    const long = frameWithId(id, bodyBytes, Buffer.from([0x02, 0x00]));
    expect(await env.de().deserialize('idx', long)).toEqual(expected(CUSTOMER_PROTO, 'shop.Customer', { plainNote: 'x' }));
    const Geo = rootOf(CUSTOMER_PROTO).lookupType('shop.Customer.Address.Geo');
    // Customer is [0]; its nested messages: Address [0, 0] (Geo [0, 0, 0]), Phone [0, 1].
    const geo = frameWithId(id, Buffer.from(Geo.encode({ lat: 2 }).finish()), Buffer.from([0x06, 0x00, 0x00, 0x00]));
    expect(await env.de().deserialize('idx', geo)).toEqual({ hideout: '', lat: 2 });
  });

  it('reads the 0x01 GUID prefix form (GUID, then message indexes, then the body)', async () => {
    const env = makeEnv();
    const id = await env.register('guid', CUSTOMER_PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    const { guid } = await env.registry.getById(id);
    const bytes = await env.ser({ messageName: 'shop.Order' }).serialize('guid', { orderId: 'o', card: 'guid-card-secret' });
    const guidBytes = Buffer.from(String(guid).replace(/-/g, ''), 'hex');
    const r = await env.de().deserializeWithReport('guid', Buffer.concat([Buffer.from([1]), guidBytes, bytes.subarray(5)]));
    expect(r.value).toEqual(expected(CUSTOMER_PROTO, 'shop.Order', { orderId: 'o', card: 'guid-card-secret' }));
    expect(r.schemaId).toBe(id);
  });

  it('autoRegisterSchemas and lookup use the .proto text; the record strategies use the first message’s full name', async () => {
    const registry = createInMemorySchemaRegistry();
    const kms = [createLocalKms({ secret: SECRET })];
    const ser = createProtobufSerializer({ registry, kms, schema: SIMPLE, autoRegisterSchemas: true });
    const bytes = await ser.serialize('auto', { id: 1, text: 't' });
    const latest = await registry.getLatest('auto-value');
    expect(latest).toMatchObject({ schemaType: 'PROTOBUF', schema: SIMPLE });
    expect(bytes.readInt32BE(1)).toBe(latest.id);
    // Lookup (no auto-register) finds the same id.
    const lookedUp = await createProtobufSerializer({ registry, schema: { schema: SIMPLE } }).serialize('auto', { id: 2 });
    expect(lookedUp.readInt32BE(1)).toBe(latest.id);
    // Record name strategy: subject = first message full name.
    const rec = createProtobufSerializer({ registry, schema: SIMPLE, autoRegisterSchemas: true, subjectNameStrategy: SubjectNameStrategies.record });
    await rec.serialize('any-topic', { id: 3 });
    expect(await registry.getSubjects()).toContain('demo.Greeting');
    const de = createProtobufDeserializer({ registry, subjectNameStrategy: SubjectNameStrategies.topicRecord });
    expect(await de.deserialize('t', bytes)).toEqual({ id: 1, text: 't', counts: [] });
  });
});

describe('field encryption across Protobuf shapes', () => {
  it('encrypts tagged fields at every depth, in repeated fields, maps and oneofs; strings as base64, bytes raw', async () => {
    const env = makeEnv();
    await env.register('rich', CUSTOMER_PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    const v = customer();
    const bytes = await env.ser().serialize('rich', v);
    expect(leaked(bytes, CUSTOMER_SECRETS)).toEqual([]);
    // A plain protobufjs decode of our body: every tagged field holds ciphertext.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const raw: any = body(CUSTOMER_PROTO, 'shop.Customer', bytes);
    const ct = (s: unknown, plain: string) => {
      expect(isBase64(s)).toBe(true);
      expect(Buffer.from(s as string, 'base64')).toHaveLength(Buffer.byteLength(plain) + 28);
    };
    ct(raw['name'], 'Alice Example');
    expect(raw['photo']).toHaveLength('photo-bytes-secret'.length + 28);
    ct(raw['address']['street'], '1 Main Street');
    expect(raw['address']['city']).toBe('Springfield');
    ct(raw['address']['geo']['hideout'], 'Secret Hideout Cave'); // depth 3
    expect(raw['address']['geo']['lat']).toBe(1.5);
    (raw['phones'] as string[]).forEach((p, i) => ct(p, ['555-0100', '555-0199'][i] as string));
    ct(raw['history'][0]['street'], '2 Old Road Street');
    ct(raw['others']['work']['street'], 'Other Lane 77');
    ct(raw['attrs']['mother'], 'mother-maiden-secret');
    ct(raw['email'], 'alice@example.com');
    ct(raw['nickname'], 'Ally the nickname');
    expect(raw['plainNote']).toBe('visible note');
    expect(raw['level']).toBe('GOLD');
    // Round trip, with one outcome per protected value.
    const r = await env.de().deserializeWithReport('rich', bytes);
    expect(r.value).toEqual(expected(CUSTOMER_PROTO, 'shop.Customer', v));
    expect(r.outcomes.every((o) => o.outcome === 'decrypted')).toBe(true);
    expect(new Set(r.outcomes.map((o) => o.field))).toEqual(
      new Set([
        'shop.Customer.name',
        'shop.Customer.photo',
        'shop.Customer.Address.street',
        'shop.Customer.Address.Geo.hideout',
        'shop.Customer.phones',
        'shop.Customer.attrs',
        'shop.Customer.email',
        'shop.Customer.nickname',
      ]),
    );
    expect(r.outcomes).toHaveLength(11); // two phones, three streets
  });

  it('oneof: only the member that is set is transformed, a message member at depth too', async () => {
    const env = makeEnv();
    await env.register('oneof', CUSTOMER_PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    const ser = env.ser();
    for (const v of [{ phone: { number: '555-7777-secret' } }, { extension: 42 }, { email: 'bob@example.com' }, {}]) {
      const bytes = await ser.serialize('oneof', v);
      expect(leaked(bytes, ['555-7777-secret', 'bob@example.com'])).toEqual([]);
      const raw = body(CUSTOMER_PROTO, 'shop.Customer', bytes);
      expect(Object.keys(raw).filter((k) => ['email', 'phone', 'extension'].includes(k))).toEqual(Object.keys(v));
      const back = (await env.de({ readOptions: { oneofs: true } }).deserialize('oneof', bytes)) as Record<string, unknown>;
      expect(back['contact']).toBe(Object.keys(v)[0]);
      expect(back).toMatchObject(v);
    }
  });

  it('nested messages at depth 3+ and recursive types, repeated messages with tagged fields, map<string, Msg>', async () => {
    const proto = `syntax = "proto3";
package tree;
import "confluent/meta.proto";
message Node {
  string secret = 1 [(confluent.field_meta).tags = "PII"];
  string label = 2;
  Node child = 3;
  repeated Node kids = 4;
  map<string, Node> named = 5;
}`;
    const env = makeEnv();
    await env.register('tree', proto, { ruleSet: { domainRules: [encryptRule()] } });
    const v = {
      secret: 'level-0-secret',
      label: 'root',
      child: { secret: 'level-1-secret', child: { secret: 'level-2-secret', child: { secret: 'level-3-secret', label: 'deep' } } },
      kids: [{ secret: 'kid-0-secret' }, { secret: 'kid-1-secret', kids: [{ secret: 'grandkid-secret' }] }],
      named: { a: { secret: 'named-a-secret', named: { b: { secret: 'named-b-secret' } } } },
    };
    const secrets = JSON.stringify(v).match(/[a-z0-9-]+-secret/g) as string[];
    expect(secrets).toHaveLength(9);
    const bytes = await env.ser().serialize('tree', deepFreeze(clone(v)));
    expect(leaked(bytes, secrets)).toEqual([]);
    const raw = body(proto, 'tree.Node', bytes) as { child: { child: { child: { secret: string; label: string } } } };
    expect(isBase64(raw.child.child.child.secret)).toBe(true);
    expect(raw.child.child.child.label).toBe('deep');
    expect(await env.de().deserialize('tree', bytes)).toEqual(expected(proto, 'tree.Node', v));
  });

  it('implicit presence: an absent tagged string/bytes field is the empty value and is encrypted (as Confluent does); optional ones stay absent', async () => {
    const env = makeEnv();
    await env.register('presence', CUSTOMER_PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('presence', { plainNote: 'only this' });
    const raw = body(CUSTOMER_PROTO, 'shop.Customer', bytes);
    expect(Buffer.from(raw['name'] as string, 'base64')).toHaveLength(28); // "" encrypted
    expect(raw['photo']).toHaveLength(28);
    expect(raw['nickname']).toBeUndefined(); // proto3 optional: absent
    expect(raw['email']).toBeUndefined(); // oneof member: absent
    expect(raw['address']).toBeUndefined(); // messages are not created
    expect(await env.de().deserialize('presence', bytes)).toEqual(expected(CUSTOMER_PROTO, 'shop.Customer', { plainNote: 'only this' }));
  });

  it('protobufjs message instances are read by their own fields; inputs are never mutated; untouched sub-trees keep identity', async () => {
    const env = makeEnv();
    await env.register('inst', CUSTOMER_PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    const T = rootOf(CUSTOMER_PROTO).lookupType('shop.Customer');
    const v = customer({ email: undefined, extension: 9 });
    const instance = T.fromObject(v);
    const before = JSON.stringify(T.toObject(instance));
    const fromInstance = await env.ser().serialize('inst', instance);
    expect(JSON.stringify(T.toObject(instance))).toBe(before);
    expect(leaked(fromInstance, CUSTOMER_SECRETS)).toEqual([]);
    const raw = body(CUSTOMER_PROTO, 'shop.Customer', fromInstance);
    // The instance inherits '' for the unset `email` member: not mistaken for a value.
    expect(raw['extension']).toBe(9);
    expect(raw['email']).toBeUndefined();
    const back = await env.de().deserialize('inst', fromInstance);
    expect(back).toEqual(expected(CUSTOMER_PROTO, 'shop.Customer', { ...v, email: undefined }));
    // Deep-frozen plain input: no TypeError, nothing changed.
    const frozen = deepFreeze(customer());
    const snapshot = clone(frozen);
    await env.ser().serialize('inst', frozen);
    expect(frozen).toEqual(snapshot);
  });

  it('schema references: imports resolve through the registry, their inline tags and nested types apply', async () => {
    const env = makeEnv();
    const common = `syntax = "proto3";
package common;
import "confluent/meta.proto";
message Address {
  string street = 1 [(confluent.field_meta).tags = "PII"];
  string city = 2;
}`;
    const main = `syntax = "proto3";
package app;
import "common/address.proto";
import "confluent/meta.proto";
message Person {
  string name = 1 [(confluent.field_meta).tags = "PII"];
  common.Address home = 2;
  repeated common.Address past = 3;
}`;
    await env.registry.register('common-address', { schema: common, schemaType: 'PROTOBUF' });
    await env.register('ref', main, {
      ruleSet: { domainRules: [encryptRule()] },
      references: [{ name: 'common/address.proto', subject: 'common-address', version: 1 }],
    });
    const v = { name: 'Ref Person', home: { street: 'Ref Street 1', city: 'Refcity' }, past: [{ street: 'Ref Street 2', city: 'Old' }] };
    const bytes = await env.ser().serialize('ref', v);
    expect(leaked(bytes, ['Ref Person', 'Ref Street 1', 'Ref Street 2'])).toEqual([]);
    expect(leaked(bytes, ['Refcity'])).toEqual(['Refcity']);
    expect(await env.de().deserialize('ref', bytes)).toEqual(expected(main, 'app.Person', v, { 'common/address.proto': common }));
    // An import that is neither a reference nor built in.
    await env.register('ref-missing', main);
    await expect(env.ser().serialize('ref-missing', v)).rejects.toMatchObject({ code: 'SCHEMA_ERROR' });
  });

  it('external tags (metadata.tags, wildcards) merge with inline tags', async () => {
    const env = makeEnv();
    await env.register('ext', CUSTOMER_PROTO, {
      ruleSet: { domainRules: [encryptRule()] },
      metadata: { tags: { '**.city': ['PII'], 'shop.Customer.plain_note': ['PII'], 'shop.Order.*': ['OTHER'] } },
    });
    const bytes = await env.ser().serialize('ext', customer());
    expect(leaked(bytes, [...CUSTOMER_SECRETS, 'Springfield', 'Shelbyville', 'Capital', 'visible note'])).toEqual([]);
    expect(await env.de().deserialize('ext', bytes)).toEqual(expected(CUSTOMER_PROTO, 'shop.Customer', customer()));
  });

  it('keepCase: plain objects use the .proto field names; full names are the same', async () => {
    const env = makeEnv();
    await env.register('keep', CUSTOMER_PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    const v = { name: 'Keep Case Name', plain_note: 'keep note', address: { street: 'Keep Street 9' } };
    const bytes = await env.ser({ parseOptions: { keepCase: true } }).serialize('keep', v);
    expect(leaked(bytes, ['Keep Case Name', 'Keep Street 9'])).toEqual([]);
    const r = await env.de({ parseOptions: { keepCase: true }, readOptions: { defaults: false } }).deserializeWithReport('keep', bytes);
    expect(r.value).toMatchObject(v);
    expect(r.outcomes.map((o) => o.field)).toContain('shop.Customer.Address.street');
  });

  it('readOptions: longs, enums, defaults, oneofs', async () => {
    const env = makeEnv();
    await env.register('ro', CUSTOMER_PROTO);
    const bytes = await env.ser().serialize('ro', { id: '9007199254740993', level: 'GOLD', email: 'e' });
    expect(await env.de({ readOptions: { longs: 'number', enums: 'number', defaults: false, oneofs: true } }).deserialize('ro', bytes)).toEqual({
      id: 9007199254740992,
      level: 1,
      email: 'e',
      contact: 'email',
    });
    const longs = (await env.de({ readOptions: { longs: 'long' } }).deserialize('ro', bytes)) as { id: { low: number; high: number } };
    expect(longs.id).toMatchObject({ low: 1, high: 2097152 });
  });

  it('a schema registered as a base64 FileDescriptorProto (as Confluent’s JS client registers it) reads and writes the same', async () => {
    const env = makeEnv();
    const serialized = Buffer.from(toFileDescriptorProto(CUSTOMER_PROTO)).toString('base64');
    await env.register('fdp', serialized, { ruleSet: { domainRules: [encryptRule()] } });
    await env.register('txt', CUSTOMER_PROTO, { ruleSet: { domainRules: [encryptRule({}, { 'encrypt.kek.name': 'kek2' })] } });
    const a = await env.ser().serialize('fdp', customer());
    expect(leaked(a, CUSTOMER_SECRETS)).toEqual([]);
    expect(await env.de().deserialize('fdp', a)).toEqual(expected(CUSTOMER_PROTO, 'shop.Customer', customer()));
    // Same message indexes and the same body layout as from the text.
    const nested = await env.ser({ messageName: 'shop.Order.Line' }).serialize('fdp', { sku: 'k' });
    expect(nested.subarray(5, 8).toString('hex')).toBe('040200');
  });

  it('an untagged rule encrypts every string/bytes field and fails on the first other primitive', async () => {
    const env = makeEnv();
    const proto = 'syntax = "proto3"; package u; message S { string a = 1; bytes b = 2; repeated string c = 3; }';
    await env.register('untagged', proto, { ruleSet: { domainRules: [encryptRule({ tags: [] })] } });
    const bytes = await env.ser().serialize('untagged', { a: 'aaa-secret', b: Buffer.from('bbb-secret'), c: ['ccc-secret'] });
    expect(leaked(bytes, ['aaa-secret', 'bbb-secret', 'ccc-secret'])).toEqual([]);
    expect(await env.de().deserialize('untagged', bytes)).toEqual({ a: 'aaa-secret', b: Buffer.from('bbb-secret'), c: ['ccc-secret'] });
    await env.register('untagged2', SIMPLE, { ruleSet: { domainRules: [encryptRule({ tags: [] })] } });
    await expect(env.ser().serialize('untagged2', { id: 1, text: 'x' })).rejects.toMatchObject({ code: 'RULE_FAILED' });
  });

  it('a rule whose tags match nothing skips the walk (no KEK or DEK is created)', async () => {
    const env = makeEnv();
    await env.register('nomatch', CUSTOMER_PROTO, { ruleSet: { domainRules: [encryptRule({ tags: ['NOT_THERE'] })] } });
    const bytes = await env.ser().serialize('nomatch', customer());
    expect(leaked(bytes, ['Alice Example'])).toEqual(['Alice Example']);
    expect(await env.deks.listKeks()).toEqual([]);
  });

  it('payload encryption (ENCRYPT_PAYLOAD): the body is ciphertext, the id and message indexes stay clear; with field rules too', async () => {
    const env = makeEnv();
    await env.register('payload', CUSTOMER_PROTO, { ruleSet: { encodingRules: [payloadRule()] } });
    const order = { orderId: 'visible-order-id', card: '4111-1111', lines: [] };
    const bytes = await env.ser({ messageName: 'shop.Order' }).serialize('payload', order);
    expect(bytes.subarray(5, 7).toString('hex')).toBe('0202');
    expect(leaked(bytes, ['visible-order-id', '4111-1111'])).toEqual([]);
    const T = rootOf(CUSTOMER_PROTO).lookupType('shop.Order');
    expect(bytes.length).toBe(7 + T.encode(T.fromObject(order)).finish().length + 28);
    expect(await env.de().deserialize('payload', bytes)).toEqual(expected(CUSTOMER_PROTO, 'shop.Order', order));
    await env.register('both', CUSTOMER_PROTO, { ruleSet: { domainRules: [encryptRule()], encodingRules: [payloadRule()] } });
    const both = await env.ser().serialize('both', customer());
    const r = await env.de().deserializeWithReport('both', both);
    expect(r.value).toEqual(expected(CUSTOMER_PROTO, 'shop.Customer', customer()));
    expect(r.outcomes[0]).toMatchObject({ field: '$payload', outcome: 'decrypted' });
  });

  it('one serde object serializes and deserializes, sharing caches', async () => {
    const env = makeEnv();
    await env.register('serde', CUSTOMER_PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    const serde = createProtobufSerde({ registry: env.registry, deks: env.deks, kms: [createLocalKms({ secret: SECRET })], useLatestVersion: true });
    expect(await serde.deserialize('serde', await serde.serialize('serde', customer()))).toEqual(expected(CUSTOMER_PROTO, 'shop.Customer', customer()));
  });

  it('parseProtoText exposes message indexes and inline tags', () => {
    const parsed = parseProtoText(CUSTOMER_PROTO);
    expect(parsed.topLevel.map((m) => [m.fullName, m.indexes])).toEqual([
      ['shop.Customer', [0]],
      ['shop.Order', [1]],
    ]);
    expect([...parsed.byName.keys()]).toEqual(['shop.Customer', 'shop.Customer.Address', 'shop.Customer.Address.Geo', 'shop.Customer.Phone', 'shop.Order', 'shop.Order.Line']);
    expect(parsed.byName.get('shop.Customer.Phone')?.indexes).toEqual([0, 1]);
    const T = parsed.root.lookupType('shop.Customer');
    expect(parsed.fieldMeta(T.fields['plainNote'] as never)).toEqual({ protoName: 'plain_note', tags: [] });
    expect(parsed.fieldMeta(T.fields['phones'] as never)).toEqual({ protoName: 'phones', tags: ['PII'] });
  });
});

describe('options', () => {
  it('createProtobufSerializer rejects bad options eagerly', () => {
    const registry = createInMemorySchemaRegistry();
    expect(() => createProtobufSerializer({} as never)).toThrow(TypeError);
    expect(() => createProtobufSerializer({ registry, schema: 'message {' })).toThrow(/valid \.proto/);
    expect(() => createProtobufSerializer({ registry, schema: 42 as never })).toThrow(TypeError);
    expect(() => createProtobufSerializer({ registry, schema: { schema: SIMPLE, schemaType: 'AVRO' } })).toThrow(/PROTOBUF/);
    expect(() => createProtobufSerializer({ registry, schema: 'syntax = "proto3"; message A { Missing m = 1; }' })).toThrow(/valid \.proto/);
    expect(() => createProtobufSerializer({ registry, messageName: '' })).toThrow(TypeError);
    expect(() => createProtobufSerializer({ registry, parseOptions: { keepCase: 'yes' as never } })).toThrow(TypeError);
    expect(() => createProtobufDeserializer({ registry, readOptions: { longs: 'bigint' as never } })).toThrow(TypeError);
    expect(() => createProtobufDeserializer({ registry, readOptions: { defaults: 1 as never } })).toThrow(TypeError);
    // Imports that need the registry are checked when the schema is used, not here.
    expect(() => createProtobufSerializer({ registry, schema: 'syntax = "proto3"; import "x.proto"; message A { x.B b = 1; }' })).not.toThrow();
  });
});
