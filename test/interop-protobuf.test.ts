/**
 * Interop of `@csfle/protobuf` with Confluent's real JS client (`@confluentinc/schemaregistry`
 * 1.10.1, whose Protobuf serde works on `@bufbuild/protobuf` v2 messages): one shared registry
 * (our test server over HTTP on 127.0.0.1), both directions (ours writes → Confluent reads,
 * Confluent writes → ours reads) for AES128_GCM, AES256_GCM, AES256_SIV (byte-for-byte equal
 * messages), DEK rotation, ENCRYPT_PAYLOAD, repeated fields, maps, oneofs, external tags,
 * Confluent's own `example.proto` registered in its serialized form, and the cases where
 * Confluent's JS client is wrong, which document the exact observed behaviour:
 * - tagged fields of nested messages (facts §8.5): Confluent leaves them in plaintext; ours are
 *   encrypted at every depth, and Confluent still reads every field it handles (the top level);
 * - tagged repeated scalar fields: Confluent replaces the list by one-character strings of a
 *   ciphertext of zero bytes (the values are lost) and cannot read such fields back;
 * - tagged map fields: Confluent refuses to write (`type MAP not supported for encryption`) and
 *   passes map values through unread;
 * - a nested message type as the written type: with field rules, Confluent fails both ways
 *   (`message descriptor not found`).
 *
 * Schemas are registered as `.proto` text. Confluent's client asks for schemas with
 * `?format=serialized` (a base64 FileDescriptorProto), which a Confluent Schema Registry
 * converts to; our test server stores schemas verbatim, so Confluent's client talks to it
 * through a small proxy doing that conversion with `toFileDescriptorProto`. Confluent's messages
 * are built from the same descriptors (`createFileRegistry`), from the same values as JSON.
 *
 * Confluent's serializer mutates its input (facts §8.1): it is always handed a fresh message.
 * Each case uses its own subject, topic and KEK name (Confluent caches process-wide).
 */
import http from 'node:http';
import path from 'node:path';
import { createLocalKms, type Metadata, type Rule, type RuleSet } from '@csfle/core';
import { createRegistryClients, type RegistryClients } from '@csfle/registry';
import { type RegistryServer, startRegistryServer } from '@csfle/registry/server';
import { createProtobufSerde, isSerializedSchema, parseProtoText, toFileDescriptorProto, type ProtobufSerde } from '@csfle/protobuf';

// Confluent's package is CommonJS with process-global registries: require it once here, and
// its own copy of @bufbuild/protobuf (the one its serde uses).
/* eslint-disable @typescript-eslint/no-require-imports */
const sr = require('@confluentinc/schemaregistry');
const srDir = path.dirname(require.resolve('@confluentinc/schemaregistry'));
const pb = require(require.resolve('@bufbuild/protobuf', { paths: [srDir] }));
const wkt = require(require.resolve('@bufbuild/protobuf/wkt', { paths: [srDir] }));
const metaPb = require(path.join(srDir, 'confluent/meta_pb.js'));
const examplePb = require(path.join(srDir, 'test/serde/test/example_pb.js'));
/* eslint-enable @typescript-eslint/no-require-imports */
const { SchemaRegistryClient, ProtobufSerializer, ProtobufDeserializer, SerdeType, FieldEncryptionExecutor, EncryptionExecutor, LocalKmsDriver } = sr;

const SECRET = 'mysecret';
type Obj = Record<string, unknown>;
/* eslint-disable @typescript-eslint/no-explicit-any */
type Desc = any;
type BufMessage = any;
/** Decoded views inspected field by field. */
type Loose = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

function rule(kek: string, extra: Record<string, string> = {}, over: Partial<Rule> = {}): Rule {
  return {
    name: 'encryptPII',
    kind: 'TRANSFORM',
    mode: 'WRITEREAD',
    type: 'ENCRYPT',
    tags: ['PII'],
    params: { 'encrypt.kek.name': kek, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'mykey', ...extra },
    ...over,
  };
}

const leaked = (bytes: Buffer, secrets: readonly string[]): string[] => secrets.filter((s) => bytes.includes(Buffer.from(s, 'utf8')));

/** Values as proto3 JSON (bytes as base64) for `fromJson`, and for comparing with `toJson`. */
function json(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(json);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (x === null || x === undefined ? [] : [[k, json(x)]])));
  }
  return v;
}

/** What our deserializer returns for `value` (protobufjs' own conversion, all defaults). */
function expected(proto: string, typeName: string, value: Obj): Obj {
  const T = parseProtoText(proto).root.lookupType(typeName);
  return T.toObject(T.fromObject(value), { longs: String, enums: String, defaults: true, arrays: true, objects: true });
}

/** Our body (after the schema id and message indexes) decoded with a plain protobufjs type. */
function rawBody(proto: string, typeName: string, bytes: Buffer, skip = 6): Obj {
  const T = parseProtoText(proto).root.lookupType(typeName);
  return T.toObject(T.decode(bytes.subarray(skip)), { longs: String, enums: String });
}

/** @bufbuild descriptors of `.proto` text, through the serialized form Confluent uses. */
function bufMessage(proto: string, typeName: string): Desc {
  const main = pb.fromBinary(wkt.FileDescriptorProtoSchema, toFileDescriptorProto(proto, {}, 'main.proto'));
  const registry = pb.createFileRegistry(main, (n: string) => {
    if (n === 'confluent/meta.proto') return metaPb.file_confluent_meta;
    const m = /^google\/protobuf\/(\w+)\.proto$/.exec(n);
    return m ? wkt[`file_google_protobuf_${m[1]}`] : undefined;
  });
  return registry.getMessage(typeName);
}

/**
 * A proxy in front of our registry server answering `?format=serialized` as a Confluent Schema
 * Registry does: a PROTOBUF schema's text becomes a base64 FileDescriptorProto.
 */
async function startSerializedProxy(server: RegistryServer): Promise<{ url: string; close(): Promise<void> }> {
  async function importsOf(refs: Array<{ name: string; subject: string; version: number }> | undefined, out: Record<string, string>): Promise<void> {
    for (const r of refs ?? []) {
      if (out[r.name] !== undefined) continue;
      const s = await server.schemas.getByVersion(r.subject, r.version);
      out[r.name] = s.schema;
      await importsOf(s.references, out);
    }
  }
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const headers: Record<string, string> = {};
        for (const h of ['content-type', 'accept', 'authorization']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
        const r = await fetch(server.url + (req.url ?? '/'), { method: req.method ?? 'GET', headers, ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}) });
        let text = await r.text();
        if (r.ok && /[?&]format=serialized\b/.test(req.url ?? '')) {
          const j = JSON.parse(text) as { schemaType?: string; schema?: string; references?: Array<{ name: string; subject: string; version: number }> };
          if (j.schemaType === 'PROTOBUF' && typeof j.schema === 'string' && !isSerializedSchema(j.schema)) {
            const imports: Record<string, string> = {};
            await importsOf(j.references, imports);
            j.schema = Buffer.from(toFileDescriptorProto(j.schema, imports, 'main.proto')).toString('base64');
            text = JSON.stringify(j);
          }
        }
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      })().catch((e: unknown) => {
        res.writeHead(502);
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  const { port } = proxy.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        proxy.closeAllConnections();
        proxy.close(() => ok());
      }),
  };
}

// ---- Schemas ---------------------------------------------------------------------------------

/** Tagged fields Confluent's JS client handles: the top level, a oneof member; untagged repeated and map fields. */
const DEMO = `syntax = "proto3";
package interop;

import "confluent/meta.proto";

message Demo {
  int32 int_field = 1;
  string string_field = 2 [(confluent.field_meta).tags = "PII"];
  bytes bytes_field = 3 [(confluent.field_meta).tags = "PII"];
  string plain_field = 4;
  repeated string list = 5;
  map<string, string> labels = 6;
  oneof choice {
    string oneof_string = 7 [(confluent.field_meta).tags = "PII"];
    int32 oneof_int = 8;
  }
  Color color = 9;
  int64 big = 10;
  repeated int32 numbers = 11;

  enum Color {
    COLOR_UNSPECIFIED = 0;
    RED = 1;
  }
}
`;
const demo = (over: Obj = {}): Obj => ({
  intField: 123,
  stringField: 'hello world secret',
  bytesField: Buffer.from('bytes-secret'),
  plainField: 'visible',
  list: ['one', 'two'],
  labels: { env: 'prod' },
  oneofString: 'oneof-string-secret',
  color: 'RED',
  big: '9007199254740993',
  numbers: [1, 2, 300],
  ...over,
});
const DEMO_SECRETS = ['hello world secret', 'bytes-secret', 'oneof-string-secret'];

/** Tagged fields in nested messages: singular, repeated, map values, a oneof member; depth 3. */
const NESTED = `syntax = "proto3";
package interop;

import "confluent/meta.proto";

message Customer {
  string name = 1 [(confluent.field_meta).tags = "PII"];
  Address address = 2;
  repeated Address history = 3;
  map<string, Address> others = 4;
  oneof contact {
    string email = 5 [(confluent.field_meta).tags = "PII"];
    Address mailing = 6;
  }
  string note = 7;

  message Address {
    string street = 1 [(confluent.field_meta).tags = "PII"];
    string city = 2;
    Geo geo = 3;
    message Geo {
      string hideout = 1 [(confluent.field_meta).tags = "PII"];
      double lat = 2;
    }
  }
}
`;
const NESTED_TOP_SECRETS = ['Alice Example', 'alice@example.com'];
const NESTED_INNER_SECRETS = ['1 Main Street', 'Secret Hideout Cave', '2 Old Road', 'Other Lane 77'];
const nestedValue = (): Obj => ({
  name: 'Alice Example',
  address: { street: '1 Main Street', city: 'Springfield', geo: { hideout: 'Secret Hideout Cave', lat: 1.5 } },
  history: [{ street: '2 Old Road', city: 'Shelbyville' }],
  others: { work: { street: 'Other Lane 77', city: 'Capital' } },
  email: 'alice@example.com',
  note: 'visible note',
});

// ---- Setup -----------------------------------------------------------------------------------

describe("@csfle/protobuf ⇄ Confluent's ProtobufSerializer/ProtobufDeserializer over one registry", () => {
  let server: RegistryServer;
  let proxy: { url: string; close(): Promise<void> };
  let ours: RegistryClients;
  let theirClient: InstanceType<typeof SchemaRegistryClient>;
  let serde: ProtobufSerde;
  const theirConfig = { useLatestVersion: true, ruleConfig: { secret: SECRET } };

  beforeAll(async () => {
    server = await startRegistryServer({ port: 0 });
    proxy = await startSerializedProxy(server);
    ours = createRegistryClients({ url: server.url, latestTtlMs: 0 });
    FieldEncryptionExecutor.register();
    EncryptionExecutor.register();
    LocalKmsDriver.register();
    theirClient = SchemaRegistryClient.newClient({ baseURLs: [proxy.url], cacheCapacity: 1000 });
    serde = createProtobufSerde({ registry: ours.schemas, deks: ours.deks, kms: [createLocalKms({ secret: SECRET })], useLatestVersion: true });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  const theirSer = (desc: Desc) => {
    const s = new ProtobufSerializer(theirClient, SerdeType.VALUE, theirConfig);
    s.registry.add(desc);
    return s;
  };
  const theirDe = () => new ProtobufDeserializer(theirClient, SerdeType.VALUE, { ruleConfig: { secret: SECRET } });
  const toBuf = (desc: Desc, v: Obj): BufMessage => pb.fromJson(desc, json(v));
  const fromBuf = (desc: Desc, m: BufMessage): unknown => json(pb.toJson(desc, m, { alwaysEmitImplicit: true }));

  async function register(topic: string, proto: string, ruleSet: RuleSet, metadata?: Metadata): Promise<number> {
    return ours.schemas.register(`${topic}-value`, { schema: proto, schemaType: 'PROTOBUF', ruleSet, ...(metadata ? { metadata } : {}) });
  }

  /** Both directions for one case; `confluentFirst` decides who creates the KEK/DEK. */
  async function bothWays(
    topic: string,
    proto: string,
    typeName: string,
    value: Obj,
    secrets: readonly string[],
    confluentFirst: boolean,
  ): Promise<{ oursBytes: Buffer; theirBytes: Buffer }> {
    const desc = bufMessage(proto, typeName);
    let oursBytes: Buffer;
    let theirBytes: Buffer;
    if (confluentFirst) {
      theirBytes = await theirSer(desc).serialize(topic, toBuf(desc, value));
      oursBytes = await serde.serialize(topic, value);
    } else {
      oursBytes = await serde.serialize(topic, value);
      theirBytes = await theirSer(desc).serialize(topic, toBuf(desc, value));
    }
    expect(leaked(oursBytes, secrets)).toEqual([]);
    expect(leaked(theirBytes, secrets)).toEqual([]);
    const want = expected(proto, typeName, value);
    // ours → Confluent
    expect(fromBuf(desc, await theirDe().deserialize(topic, oursBytes))).toEqual(json(want));
    // Confluent → ours
    const r = await serde.deserializeWithReport(topic, theirBytes);
    expect(r.value).toEqual(want);
    expect(r.outcomes.every((o) => o.outcome === 'decrypted')).toBe(true);
    // And each side reads its own.
    expect(await serde.deserialize(topic, oursBytes)).toEqual(want);
    expect(fromBuf(desc, await theirDe().deserialize(topic, theirBytes))).toEqual(json(want));
    return { oursBytes, theirBytes };
  }

  it.each([
    ['AES128_GCM', false],
    ['AES256_GCM', true],
  ])('%s field encryption, both directions', async (alg, confluentFirst) => {
    const topic = `pio-${alg.toLowerCase()}`;
    const kek = `kek-p-${alg.toLowerCase().replace('_', '-')}`;
    await register(topic, DEMO, { domainRules: [rule(kek, { 'encrypt.dek.algorithm': alg })] });
    const { oursBytes, theirBytes } = await bothWays(topic, DEMO, 'interop.Demo', demo(), DEMO_SECRETS, confluentFirst);
    for (const b of [oursBytes, theirBytes]) {
      expect(b[5]).toBe(0); // message indexes [0]
      const raw = rawBody(DEMO, 'interop.Demo', b);
      expect(Buffer.from(raw['stringField'] as string, 'base64')).toHaveLength('hello world secret'.length + 28);
      expect(raw['bytesField']).toHaveLength('bytes-secret'.length + 28);
      expect(Buffer.from(raw['oneofString'] as string, 'base64')).toHaveLength('oneof-string-secret'.length + 28);
      expect(raw['plainField']).toBe('visible');
      expect(raw['list']).toEqual(['one', 'two']);
    }
    expect(await ours.deks.listDekVersions(kek, `${topic}-value`, { algorithm: alg as 'AES128_GCM' })).toEqual([1]);
  });

  it('AES256_SIV: our message is byte-for-byte equal to Confluent’s (same DEK, deterministic), whoever created the DEK', async () => {
    for (const [topic, confluentFirst] of [
      ['pio-siv', false],
      ['pio-siv2', true],
    ] as const) {
      await register(topic, DEMO, { domainRules: [rule(`kek-${topic}`, { 'encrypt.dek.algorithm': 'AES256_SIV' })] });
      for (const v of [demo(), demo({ oneofString: undefined, oneofInt: 7, list: [], labels: {}, intField: 0 })]) {
        const { oursBytes, theirBytes } = await bothWays(topic, DEMO, 'interop.Demo', v, DEMO_SECRETS, confluentFirst);
        expect(oursBytes.toString('hex')).toBe(theirBytes.toString('hex'));
        expect(Buffer.from(rawBody(DEMO, 'interop.Demo', oursBytes)['stringField'] as string, 'base64')).toHaveLength('hello world secret'.length + 16);
      }
    }
  });

  it('rotation on (encrypt.dek.expiry.days): version prefix both ways; our rotated DEK v2 is read by Confluent', async () => {
    const topic = 'pio-rot';
    await register(topic, DEMO, { domainRules: [rule('kek-p-rot', { 'encrypt.dek.expiry.days': '1' })] });
    const { oursBytes, theirBytes } = await bothWays(topic, DEMO, 'interop.Demo', demo(), DEMO_SECRETS, true);
    for (const b of [oursBytes, theirBytes]) {
      const raw = rawBody(DEMO, 'interop.Demo', b);
      expect(Buffer.from(raw['stringField'] as string, 'base64').subarray(0, 5).toString('hex')).toBe('0000000001');
      expect((raw['bytesField'] as Buffer).subarray(0, 5).toString('hex')).toBe('0000000001');
    }
    const later = createProtobufSerde({
      registry: ours.schemas,
      deks: ours.deks,
      kms: [createLocalKms({ secret: SECRET })],
      useLatestVersion: true,
      now: () => Date.now() + 2 * 86_400_000,
    });
    const v2 = await later.serialize(topic, demo());
    expect(Buffer.from(rawBody(DEMO, 'interop.Demo', v2)['stringField'] as string, 'base64').subarray(0, 5).toString('hex')).toBe('0000000002');
    expect(await ours.deks.listDekVersions('kek-p-rot', `${topic}-value`)).toEqual([1, 2]);
    const desc = bufMessage(DEMO, 'interop.Demo');
    const want = json(expected(DEMO, 'interop.Demo', demo()));
    expect(fromBuf(desc, await theirDe().deserialize(topic, v2))).toEqual(want);
    expect(fromBuf(desc, await theirDe().deserialize(topic, oursBytes))).toEqual(want);
  });

  it('ENCRYPT_PAYLOAD both ways (with and without rotation); the id and message indexes stay clear', async () => {
    for (const [topic, extra, confluentFirst] of [
      ['pio-payload', {}, false],
      ['pio-payload-rot', { 'encrypt.dek.expiry.days': '1' }, true],
    ] as const) {
      await register(topic, DEMO, { encodingRules: [{ ...rule(`kek-${topic}`, extra), name: 'encryptPayload', type: 'ENCRYPT_PAYLOAD', tags: [] }] });
      const { oursBytes, theirBytes } = await bothWays(topic, DEMO, 'interop.Demo', demo(), [...DEMO_SECRETS, 'visible', 'prod'], confluentFirst);
      const T = parseProtoText(DEMO).root.lookupType('interop.Demo');
      const plainLen = T.encode(T.fromObject(demo())).finish().length;
      const prefix = 'encrypt.dek.expiry.days' in extra ? 5 : 0;
      expect(oursBytes.length).toBe(6 + prefix + plainLen + 28);
      expect(theirBytes.length).toBe(oursBytes.length);
    }
  });

  it('repeated fields, maps and a oneof (every member) at the top level, both directions', async () => {
    const topic = 'pio-shapes';
    await register(topic, DEMO, { domainRules: [rule('kek-p-shapes')] });
    const cases = [
      demo(),
      demo({ oneofString: undefined, oneofInt: 42 }),
      demo({ oneofString: undefined, list: [], labels: {}, numbers: [] }),
      demo({ list: ['a', 'b', 'c', 'd'], labels: { a: '1', b: '2' }, bytesField: Buffer.alloc(0), stringField: '' }),
    ];
    for (const [i, v] of cases.entries()) await bothWays(topic, DEMO, 'interop.Demo', v, i === 3 ? [] : DEMO_SECRETS.slice(0, 2), i % 2 === 0);
  });

  it('external tags (metadata.tags with wildcards) both directions', async () => {
    const topic = 'pio-ext';
    await register(topic, DEMO, { domainRules: [rule('kek-p-ext')] }, { tags: { '**.plain_field': ['PII'], 'interop.Demo.big': ['OTHER'] } });
    const { oursBytes, theirBytes } = await bothWays(topic, DEMO, 'interop.Demo', demo({ plainField: 'externally-tagged-secret' }), [...DEMO_SECRETS, 'externally-tagged-secret'], false);
    for (const b of [oursBytes, theirBytes]) expect(Buffer.from(rawBody(DEMO, 'interop.Demo', b)['plainField'] as string, 'base64')).toHaveLength(24 + 28);
  });

  it('Confluent’s own example.proto, registered by Confluent’s client in its serialized form (FileDescriptorProto): both directions', async () => {
    const topic = 'pio-example';
    const schema = Buffer.from(pb.toBinary(wkt.FileDescriptorProtoSchema, examplePb.file_test_schemaregistry_serde_example.proto)).toString('base64');
    await theirClient.register(`${topic}-value`, { schemaType: 'PROTOBUF', schema, ruleSet: { domainRules: [rule('kek-p-example')] } }, false);
    const value = { name: 'Kafka', id: 123, picture: Buffer.from([1, 2]), works: ['The Castle', 'The Trial'], oneofString: 'oneof' };
    const desc = examplePb.AuthorSchema;
    const s = new ProtobufSerializer(theirClient, SerdeType.VALUE, theirConfig);
    s.registry.add(desc);
    const theirBytes: Buffer = await s.serialize(topic, pb.fromJson(desc, json(value)));
    const oursBytes = await serde.serialize(topic, value);
    for (const b of [theirBytes, oursBytes]) expect(leaked(b, ['Kafka', 'oneof'])).toEqual([]);
    expect(await serde.deserialize(topic, theirBytes)).toEqual({ name: 'Kafka', id: 123, picture: Buffer.from([1, 2]), works: ['The Castle', 'The Trial'], oneofString: 'oneof' });
    expect(fromBuf(desc, await theirDe().deserialize(topic, oursBytes))).toEqual(json(value));
  });

  it('documented difference — nested messages: ours are encrypted at every depth; Confluent leaves them in plaintext and still reads every top-level field of ours', async () => {
    const topic = 'pio-nested';
    await register(topic, NESTED, { domainRules: [rule('kek-p-nested')] });
    const desc = bufMessage(NESTED, 'interop.Customer');
    const v = nestedValue();

    // Ours: a plain protobufjs decode of the body shows ciphertext in every tagged field, at depth 1..3,
    // in repeated messages and map values.
    const oursBytes = await serde.serialize(topic, v);
    expect(leaked(oursBytes, [...NESTED_TOP_SECRETS, ...NESTED_INNER_SECRETS])).toEqual([]);
    const raw: Loose = rawBody(NESTED, 'interop.Customer', oursBytes);
    const isCt = (s: unknown, plain: string) => Buffer.from(s as string, 'base64').length === Buffer.byteLength(plain) + 28;
    expect(isCt(raw['name'], 'Alice Example')).toBe(true);
    expect(isCt(raw['address']['street'], '1 Main Street')).toBe(true);
    expect(isCt(raw['address']['geo']['hideout'], 'Secret Hideout Cave')).toBe(true);
    expect(isCt(raw['history'][0]['street'], '2 Old Road')).toBe(true);
    expect(isCt(raw['others']['work']['street'], 'Other Lane 77')).toBe(true);
    expect(raw['address']['city']).toBe('Springfield');
    expect(raw['note']).toBe('visible note');

    // Confluent reads ours: every field it handles (the top level) decrypts; nested tagged fields
    // come back as our ciphertext (it does not look at them), everything else is equal.
    const theirView: Loose = fromBuf(desc, await theirDe().deserialize(topic, oursBytes));
    expect(theirView['name']).toBe('Alice Example');
    expect(theirView['email']).toBe('alice@example.com');
    expect(theirView['address']['street']).toBe(raw['address']['street']);
    expect(theirView['address']['geo']['hideout']).toBe(raw['address']['geo']['hideout']);
    expect(theirView['history'][0]['street']).toBe(raw['history'][0]['street']);
    expect(theirView['others']['work']['street']).toBe(raw['others']['work']['street']);
    const withOurCiphertext = json(
      expected(NESTED, 'interop.Customer', {
        ...v,
        address: { ...(v['address'] as Obj), street: raw['address']['street'], geo: { hideout: raw['address']['geo']['hideout'], lat: 1.5 } },
        history: [{ street: raw['history'][0]['street'], city: 'Shelbyville' }],
        others: { work: { street: raw['others']['work']['street'], city: 'Capital' } },
      }),
    );
    expect(theirView).toEqual(withOurCiphertext);

    // Confluent writes: top-level tagged fields encrypted, nested ones in plaintext (facts §8.5).
    const theirBytes: Buffer = await theirSer(desc).serialize(topic, toBuf(desc, v));
    expect(leaked(theirBytes, NESTED_TOP_SECRETS)).toEqual([]);
    expect(leaked(theirBytes, NESTED_INNER_SECRETS)).toEqual(NESTED_INNER_SECRETS);
    // Same for a message in the oneof.
    const viaOneof: Buffer = await theirSer(desc).serialize(topic, toBuf(desc, { mailing: { street: 'Oneof Street 5' } }));
    expect(leaked(viaOneof, ['Oneof Street 5'])).toEqual(['Oneof Street 5']);
    expect(leaked(await serde.serialize(topic, { mailing: { street: 'Oneof Street 5' } }), ['Oneof Street 5'])).toEqual([]);

    // We read Confluent's bytes: with onFailure ERROR the plaintext nested fields fail to decrypt;
    // with "ERROR,NONE" the top level decrypts and the nested plaintext passes through, reported.
    await expect(serde.deserialize(topic, theirBytes)).rejects.toMatchObject({ code: 'RULE_FAILED', fieldPath: 'interop.Customer.Address.street' });
    const topic2 = 'pio-nested-lenient';
    await register(topic2, NESTED, { domainRules: [rule('kek-p-nested2', {}, { onFailure: 'ERROR,NONE' })] });
    const theirs2: Buffer = await theirSer(desc).serialize(topic2, toBuf(desc, v));
    const r = await serde.deserializeWithReport(topic2, theirs2);
    expect(r.value).toEqual(expected(NESTED, 'interop.Customer', v));
    expect(r.outcomes.filter((o) => o.outcome === 'decrypted').map((o) => o.field)).toEqual(['interop.Customer.name', 'interop.Customer.email']);
    expect(new Set(r.outcomes.filter((o) => o.outcome === 'passed-through').map((o) => o.field))).toEqual(
      new Set(['interop.Customer.Address.street', 'interop.Customer.Address.Geo.hideout']),
    );
  });

  it('documented difference — tagged repeated scalars: Confluent replaces the list by characters of a ciphertext and cannot read it back; ours encrypts each element', async () => {
    const proto = `syntax = "proto3";
package interop;
import "confluent/meta.proto";
message Phones {
  string owner = 1;
  repeated string numbers = 2 [(confluent.field_meta).tags = "PII"];
}
`;
    const topic = 'pio-repeated-tagged';
    await register(topic, proto, { domainRules: [rule('kek-p-rep')] });
    const desc = bufMessage(proto, 'interop.Phones');
    const v = { owner: 'o', numbers: ['555-0100-secret', '555-0199-secret'] };
    // Ours: two elements, each the base64 ciphertext of its value; we read them back.
    const oursBytes = await serde.serialize(topic, v);
    const raw = rawBody(proto, 'interop.Phones', oursBytes) as { numbers: string[] };
    expect(raw.numbers.map((n) => Buffer.from(n, 'base64').length)).toEqual([15 + 28, 15 + 28]);
    expect(await serde.deserialize(topic, oursBytes)).toEqual(v);
    // Confluent reading ours fails (it decrypts each element, then tries the whole list again).
    await expect(theirDe().deserialize(topic, oursBytes)).rejects.toThrow(/ciphertext too short/);
    // Confluent writing: the values are gone; the field holds one-character strings of the
    // base64 ciphertext of a zero-filled buffer; neither side can read it.
    const theirBytes: Buffer = await theirSer(desc).serialize(topic, toBuf(desc, v));
    expect(leaked(theirBytes, v.numbers)).toEqual([]);
    const theirRaw = rawBody(proto, 'interop.Phones', theirBytes) as { numbers: string[] };
    expect(theirRaw.numbers.every((c) => c.length === 1)).toBe(true);
    expect(Buffer.from(theirRaw.numbers.join(''), 'base64')).toHaveLength(2 + 28);
    await expect(theirDe().deserialize(topic, theirBytes)).rejects.toThrow(/ciphertext too short/);
    await expect(serde.deserialize(topic, theirBytes)).rejects.toMatchObject({ code: 'RULE_FAILED' });
    // Even an empty list is written as the 40 characters of a 28-byte ciphertext.
    const empty: Buffer = await theirSer(desc).serialize(topic, toBuf(desc, { owner: 'o' }));
    expect((rawBody(proto, 'interop.Phones', empty) as { numbers: string[] }).numbers).toHaveLength(40);
  });

  it('documented difference — a nested message type as the written type: Confluent fails with rules on the schema; ours works', async () => {
    const topic = 'pio-nested-type';
    await register(topic, NESTED, { domainRules: [rule('kek-p-ntype')] });
    const desc = bufMessage(NESTED, 'interop.Customer.Address');
    const v = { street: 'Nested Type Street', city: 'C' };
    await expect(theirSer(desc).serialize(topic, toBuf(desc, v))).rejects.toThrow('message descriptor not found');
    const serNested = createProtobufSerde({
      registry: ours.schemas,
      deks: ours.deks,
      kms: [createLocalKms({ secret: SECRET })],
      useLatestVersion: true,
      messageName: 'interop.Customer.Address',
    });
    const oursBytes = await serNested.serialize(topic, v);
    expect(oursBytes.subarray(5, 8).toString('hex')).toBe('040000'); // indexes [0, 0]
    expect(leaked(oursBytes, ['Nested Type Street'])).toEqual([]);
    expect(await serde.deserialize(topic, oursBytes)).toEqual(expected(NESTED, 'interop.Customer.Address', v));
    await expect(theirDe().deserialize(topic, oursBytes)).rejects.toThrow('message descriptor not found');
  });

  it('documented difference — tagged map fields: Confluent refuses to write (type MAP) and passes values through unread; ours encrypts each value', async () => {
    const proto = `syntax = "proto3";
package interop;
import "confluent/meta.proto";
message Attrs {
  string name = 1 [(confluent.field_meta).tags = "PII"];
  map<string, string> attrs = 2 [(confluent.field_meta).tags = "PII"];
}
`;
    const topic = 'pio-map-tagged';
    await register(topic, proto, { domainRules: [rule('kek-p-map')] });
    const desc = bufMessage(proto, 'interop.Attrs');
    const v = { name: 'Map Owner Secret', attrs: { mother: 'mother-maiden-secret' } };
    await expect(theirSer(desc).serialize(topic, toBuf(desc, v))).rejects.toThrow(/type MAP not supported for encryption/);
    const oursBytes = await serde.serialize(topic, v);
    expect(leaked(oursBytes, ['Map Owner Secret', 'mother-maiden-secret'])).toEqual([]);
    const raw = rawBody(proto, 'interop.Attrs', oursBytes) as { attrs: { mother: string } };
    const theirView = fromBuf(desc, await theirDe().deserialize(topic, oursBytes));
    expect(theirView).toEqual({ name: 'Map Owner Secret', attrs: { mother: raw.attrs.mother } });
    expect(await serde.deserialize(topic, oursBytes)).toEqual(v);
  });
});
