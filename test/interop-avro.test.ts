/**
 * Interop of `@csfle/avro` with Confluent's real JS client (`@confluentinc/schemaregistry`
 * 1.10.1): one shared registry (our test server over HTTP on 127.0.0.1), both directions
 * (ours writes → Confluent reads, Confluent writes → ours reads) for AES128_GCM, AES256_GCM,
 * AES256_SIV (byte-for-byte equal messages), DEK rotation, ENCRYPT_PAYLOAD, nested records,
 * arrays, maps, unwrapped and wrapped unions, bytes fields and external wildcard tags; plus the
 * three fixed vectors of Confluent's own test suite (compatibility facts §6).
 *
 * Confluent's serializer mutates its input (facts §8.1): it is always handed a copy.
 * Each case uses its own subject, topic and KEK name (Confluent caches process-wide).
 */
import avsc from 'avsc';
import { createLocalKms, type Rule, type RuleSet, type Metadata } from '@csfle/core';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry, createRegistryClients, type RegistryClients } from '@csfle/registry';
import { type RegistryServer, startRegistryServer } from '@csfle/registry/server';
import { createAvroDeserializer, createAvroSerde, type AvroSerde } from '@csfle/avro';

// Confluent's package is CommonJS with process-global registries: require it once here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sr = require('@confluentinc/schemaregistry');
const { SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType, FieldEncryptionExecutor, EncryptionExecutor, LocalKmsDriver } = sr;

const SECRET = 'mysecret';

type Obj = Record<string, unknown>;

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

/** Deep copy keeping Buffers (Confluent mutates what it is given). */
function clone<T>(o: T): T {
  if (Buffer.isBuffer(o)) return Buffer.from(o) as T;
  if (Array.isArray(o)) return o.map(clone) as T;
  if (o && typeof o === 'object') return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, clone(v)])) as T;
  return o;
}

/** Plain view of an avsc value (record classes dropped) for comparisons. */
function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

const leaked = (bytes: Buffer, secrets: readonly string[]): string[] => secrets.filter((s) => bytes.includes(Buffer.from(s, 'utf8')));

// ---- Schemas ---------------------------------------------------------------------------------

const FIELDS_SCHEMA = {
  type: 'record',
  name: 'Demo',
  namespace: 'interop',
  fields: [
    { name: 'intField', type: 'int' },
    { name: 'stringField', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'bytesField', type: 'bytes', 'confluent:tags': ['PII'] },
    { name: 'plainField', type: 'string' },
  ],
};
const demo = (): Obj => ({ intField: 123, stringField: 'hello world secret', bytesField: Buffer.from('bytes-secret'), plainField: 'visible' });
const DEMO_SECRETS = ['hello world secret', 'bytes-secret'];

const RICH_SCHEMA = {
  type: 'record',
  name: 'Customer',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'ssn', type: 'string' }, // tagged externally: **.ssn
    { name: 'name', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'photo', type: ['null', 'bytes'], default: null, 'confluent:tags': ['PII'] },
    { name: 'email', type: ['null', 'string'], default: null, 'confluent:tags': ['PII'] },
    {
      name: 'address',
      type: {
        type: 'record',
        name: 'Address',
        fields: [
          { name: 'street', type: 'string', 'confluent:tags': ['PII'] },
          { name: 'city', type: 'string' },
          { name: 'ssn', type: ['null', 'string'], default: null },
        ],
      },
    },
    { name: 'phones', type: { type: 'array', items: 'string' }, 'confluent:tags': ['PII'] },
    { name: 'attrs', type: { type: 'map', values: 'string' }, 'confluent:tags': ['PII'] },
    { name: 'history', type: { type: 'array', items: 'Address' } },
    {
      name: 'contact',
      type: [
        'null',
        { type: 'record', name: 'Phone', fields: [{ name: 'number', type: 'string', 'confluent:tags': ['PII'] }] },
        { type: 'record', name: 'Mail', fields: [{ name: 'to', type: 'string', 'confluent:tags': ['PII'] }, { name: 'prio', type: 'int' }] },
      ],
      default: null,
    },
  ],
};
const RICH_METADATA: Metadata = { tags: { '**.ssn': ['PII'] } };
const rich = (contact: Obj | null): Obj => ({
  id: 42,
  ssn: '123-45-6789',
  name: 'Alice Example',
  photo: Buffer.from('photo-bytes-secret'),
  email: 'alice@example.com',
  address: { street: '1 Main Street', city: 'Springfield', ssn: '987-65-4321' },
  phones: ['555-0100', '555-0199'],
  attrs: { mother: 'Eve Maiden', pet: 'Rex the dog' },
  history: [{ street: '2 Old Road', city: 'Shelbyville', ssn: null }],
  contact,
});
const RICH_SECRETS = ['123-45-6789', 'Alice Example', 'photo-bytes-secret', 'alice@example.com', '1 Main Street', '987-65-4321', '555-0100', '555-0199', 'Eve Maiden', 'Rex the dog', '2 Old Road', '555-7777', 'bob@example.com'];

// ---- Setup -----------------------------------------------------------------------------------

describe("@csfle/avro ⇄ Confluent's AvroSerializer/AvroDeserializer over one registry", () => {
  let server: RegistryServer;
  let ours: RegistryClients;
  let theirClient: InstanceType<typeof SchemaRegistryClient>;
  let serde: AvroSerde;
  const theirConfig = { useLatestVersion: true, ruleConfig: { secret: SECRET } };

  beforeAll(async () => {
    server = await startRegistryServer({ port: 0 });
    ours = createRegistryClients({ url: server.url, latestTtlMs: 0 });
    FieldEncryptionExecutor.register();
    EncryptionExecutor.register();
    LocalKmsDriver.register();
    theirClient = SchemaRegistryClient.newClient({ baseURLs: [server.url], cacheCapacity: 1000 });
    serde = createAvroSerde({ registry: ours.schemas, deks: ours.deks, kms: [createLocalKms({ secret: SECRET })], useLatestVersion: true });
  });
  afterAll(async () => {
    await server.close();
  });

  const theirSer = () => new AvroSerializer(theirClient, SerdeType.VALUE, theirConfig);
  const theirDe = () => new AvroDeserializer(theirClient, SerdeType.VALUE, { ruleConfig: { secret: SECRET } });

  async function register(topic: string, schema: object, ruleSet: RuleSet, metadata?: Metadata): Promise<number> {
    return ours.schemas.register(`${topic}-value`, { schema: JSON.stringify(schema), ruleSet, ...(metadata ? { metadata } : {}) });
  }

  /** Both directions for one case; `confluentFirst` decides who creates the KEK/DEK. */
  async function bothWays(topic: string, value: Obj, secrets: readonly string[], confluentFirst: boolean): Promise<{ oursBytes: Buffer; theirBytes: Buffer }> {
    let oursBytes: Buffer;
    let theirBytes: Buffer;
    if (confluentFirst) {
      theirBytes = await theirSer().serialize(topic, clone(value));
      oursBytes = await serde.serialize(topic, value);
    } else {
      oursBytes = await serde.serialize(topic, value);
      theirBytes = await theirSer().serialize(topic, clone(value));
    }
    expect(leaked(oursBytes, secrets)).toEqual([]);
    expect(leaked(theirBytes, secrets)).toEqual([]);
    // ours → Confluent
    expect(plain(await theirDe().deserialize(topic, oursBytes))).toEqual(value);
    // Confluent → ours
    const r = await serde.deserializeWithReport(topic, theirBytes);
    expect(plain(r.value)).toEqual(value);
    expect(r.outcomes.every((o) => o.outcome === 'decrypted')).toBe(true);
    // And each side reads its own.
    expect(plain(await serde.deserialize(topic, oursBytes))).toEqual(value);
    expect(plain(await theirDe().deserialize(topic, theirBytes))).toEqual(value);
    return { oursBytes, theirBytes };
  }

  const body = (schema: object, bytes: Buffer): Obj => avsc.Type.forSchema(schema as avsc.Schema).fromBuffer(bytes.subarray(5)) as Obj;

  it.each([
    ['AES128_GCM', 28, false],
    ['AES256_GCM', 28, true],
  ])('%s field encryption, both directions', async (alg, overhead, confluentFirst) => {
    const topic = `io-${alg.toLowerCase()}`;
    await register(topic, FIELDS_SCHEMA, { domainRules: [rule(`kek-${alg.toLowerCase().replace('_', '-')}`, { 'encrypt.dek.algorithm': alg })] });
    const { oursBytes, theirBytes } = await bothWays(topic, demo(), DEMO_SECRETS, confluentFirst);
    for (const b of [oursBytes, theirBytes]) {
      const raw = body(FIELDS_SCHEMA, b);
      expect(Buffer.from(raw['stringField'] as string, 'base64')).toHaveLength('hello world secret'.length + overhead);
      expect(raw['bytesField']).toHaveLength('bytes-secret'.length + overhead);
      expect(raw['plainField']).toBe('visible');
    }
    // One DEK, version 1, of the rule's algorithm, whoever created it.
    const kek = `kek-${alg.toLowerCase().replace('_', '-')}`;
    expect(await ours.deks.listDekVersions(kek, `${topic}-value`, { algorithm: alg as 'AES128_GCM' })).toEqual([1]);
  });

  it('AES256_SIV: our message is byte-for-byte equal to Confluent’s (same DEK, deterministic)', async () => {
    const topic = 'io-siv';
    await register(topic, FIELDS_SCHEMA, { domainRules: [rule('kek-siv', { 'encrypt.dek.algorithm': 'AES256_SIV' })] });
    const { oursBytes, theirBytes } = await bothWays(topic, demo(), DEMO_SECRETS, false);
    expect(oursBytes.equals(theirBytes)).toBe(true);
    expect(Buffer.from(body(FIELDS_SCHEMA, oursBytes)['stringField'] as string, 'base64')).toHaveLength('hello world secret'.length + 16);
    // And when Confluent created the DEK.
    const topic2 = 'io-siv2';
    await register(topic2, RICH_SCHEMA, { domainRules: [rule('kek-siv2', { 'encrypt.dek.algorithm': 'AES256_SIV' })] }, RICH_METADATA);
    const v = rich({ 'bench.Mail': { to: 'bob@example.com', prio: 1 } });
    const both = await bothWays(topic2, v, RICH_SECRETS, true);
    expect(both.oursBytes.toString('hex')).toBe(both.theirBytes.toString('hex'));
  });

  it('rotation on (encrypt.dek.expiry.days): version prefix both ways; our rotated DEK v2 is read by Confluent', async () => {
    const topic = 'io-rot';
    await register(topic, FIELDS_SCHEMA, { domainRules: [rule('kek-rot', { 'encrypt.dek.expiry.days': '1' })] });
    const { oursBytes, theirBytes } = await bothWays(topic, demo(), DEMO_SECRETS, true);
    for (const b of [oursBytes, theirBytes]) {
      const raw = body(FIELDS_SCHEMA, b);
      expect(Buffer.from(raw['stringField'] as string, 'base64').subarray(0, 5).toString('hex')).toBe('0000000001');
      expect((raw['bytesField'] as Buffer).subarray(0, 5).toString('hex')).toBe('0000000001');
    }
    // Our writer, two days later, rotates to DEK version 2 on the shared server.
    const later = createAvroSerde({
      registry: ours.schemas,
      deks: ours.deks,
      kms: [createLocalKms({ secret: SECRET })],
      useLatestVersion: true,
      now: () => Date.now() + 2 * 86_400_000,
    });
    const v2 = await later.serialize(topic, demo());
    expect(Buffer.from(body(FIELDS_SCHEMA, v2)['stringField'] as string, 'base64').subarray(0, 5).toString('hex')).toBe('0000000002');
    expect(await ours.deks.listDekVersions('kek-rot', `${topic}-value`)).toEqual([1, 2]);
    expect(plain(await theirDe().deserialize(topic, v2))).toEqual(demo());
    expect(plain(await theirDe().deserialize(topic, oursBytes))).toEqual(demo());
    expect(plain(await serde.deserialize(topic, v2))).toEqual(demo());
  });

  it('ENCRYPT_PAYLOAD both ways (with and without rotation)', async () => {
    for (const [topic, extra, confluentFirst] of [
      ['io-payload', {}, false],
      ['io-payload-rot', { 'encrypt.dek.expiry.days': '1' }, true],
    ] as const) {
      await register(topic, FIELDS_SCHEMA, {
        encodingRules: [{ ...rule(`kek-${topic}`, extra), name: 'encryptPayload', type: 'ENCRYPT_PAYLOAD', tags: [] }],
      });
      const { oursBytes, theirBytes } = await bothWays(topic, demo(), DEMO_SECRETS.concat(['visible']), confluentFirst);
      const plainLen = avsc.Type.forSchema(FIELDS_SCHEMA as avsc.Schema).toBuffer(demo()).length;
      const prefix = 'encrypt.dek.expiry.days' in extra ? 5 : 0;
      expect(oursBytes.length).toBe(5 + prefix + plainLen + 28);
      expect(theirBytes.length).toBe(oursBytes.length);
    }
  });

  it('nested records, arrays, maps, unwrapped and wrapped unions, bytes and external tags (both directions)', async () => {
    const topic = 'io-rich';
    await register(topic, RICH_SCHEMA, { domainRules: [rule('kek-rich')] }, RICH_METADATA);
    const cases = [rich({ 'bench.Phone': { number: '555-7777' } }), rich({ 'bench.Mail': { to: 'bob@example.com', prio: 2 } }), { ...rich(null), photo: null, email: null, phones: [], attrs: {} }];
    for (const [i, v] of cases.entries()) {
      const { oursBytes } = await bothWays(topic, v, RICH_SECRETS, i % 2 === 1);
      // Externally tagged (**.ssn) fields are ciphertext, including the nested nullable one.
      const raw = body(RICH_SCHEMA, oursBytes) as { ssn: string; address: { ssn: string | null; city: string } };
      expect(raw.ssn).not.toBe('123-45-6789');
      expect(raw.address.ssn).not.toBe('987-65-4321');
      expect(raw.address.city).toBe('Springfield');
    }
  });

  it('wrapped unions (wrapUnions: true on both sides), both directions', async () => {
    const topic = 'io-wrapped';
    const schema = {
      type: 'record',
      name: 'Wrapped',
      namespace: 'w',
      fields: [
        { name: 'u', type: ['null', 'string', 'bytes'], 'confluent:tags': ['PII'] },
        { name: 'list', type: ['null', { type: 'array', items: 'string' }], 'confluent:tags': ['PII'] },
      ],
    };
    await register(topic, schema, { domainRules: [rule('kek-wrapped')] });
    const wrappedSerde = createAvroSerde({
      registry: ours.schemas,
      deks: ours.deks,
      kms: [createLocalKms({ secret: SECRET })],
      useLatestVersion: true,
      avroOptions: { wrapUnions: true },
    });
    const theirs = new AvroSerializer(theirClient, SerdeType.VALUE, { ...theirConfig, wrapUnions: true });
    const theirsDe = new AvroDeserializer(theirClient, SerdeType.VALUE, { ruleConfig: { secret: SECRET }, wrapUnions: true });
    for (const v of [
      { u: { string: 'wrapped-secret' }, list: { array: ['item-secret'] } },
      { u: { bytes: Buffer.from('wrapped-bytes-secret') }, list: null },
    ]) {
      const oursBytes = await wrappedSerde.serialize(topic, v);
      const theirBytes: Buffer = await theirs.serialize(topic, clone(v));
      for (const b of [oursBytes, theirBytes]) expect(leaked(b, ['wrapped-secret', 'item-secret', 'wrapped-bytes-secret'])).toEqual([]);
      expect(plain(await theirsDe.deserialize(topic, oursBytes))).toEqual(v);
      expect(plain(await wrappedSerde.deserialize(topic, theirBytes))).toEqual(v);
    }
  });

  it('a second rule with its own tag and KEK, plus a field rule and a payload rule together', async () => {
    const topic = 'io-multi';
    const schema = {
      type: 'record',
      name: 'Multi',
      fields: [
        { name: 'a', type: 'string', 'confluent:tags': ['PII'] },
        { name: 'b', type: 'string', 'confluent:tags': ['PHI'] },
      ],
    };
    await register(topic, schema, {
      domainRules: [rule('kek-multi-a'), { ...rule('kek-multi-b', { 'encrypt.dek.algorithm': 'AES128_GCM' }), name: 'encryptPHI', tags: ['PHI'] }],
      encodingRules: [{ ...rule('kek-multi-p'), name: 'encryptPayload', type: 'ENCRYPT_PAYLOAD', tags: [] }],
    });
    await bothWays(topic, { a: 'alpha-secret', b: 'beta-secret' }, ['alpha-secret', 'beta-secret'], true);
  });

  it('documented difference: Confluent misses inline tags of some record names; we follow the Avro spec (and encrypt)', async () => {
    // Confluent's inline-tag collector qualifies record names itself: it skips the namespace when
    // the simple name starts with the namespace text, and prefixes it to already-dotted names.
    // Its field walk uses avsc's (correct) full names, so those inline tags are never found and
    // Confluent writes the field in plaintext. External tags (metadata.tags) are not affected.
    const cases = {
      'io-quirk-prefix': { type: 'record', name: 'userRecord', namespace: 'user', fields: [{ name: 'f', type: 'string', 'confluent:tags': ['PII'] }] },
      'io-quirk-dotted': { type: 'record', name: 'a.b.C', namespace: 'x', fields: [{ name: 'f', type: 'string', 'confluent:tags': ['PII'] }] },
    };
    for (const [topic, schema] of Object.entries(cases)) {
      await register(topic, schema, { domainRules: [rule(`kek-${topic}`)] });
      const theirs: Buffer = await theirSer().serialize(topic, { f: 'quirk-secret' });
      const mine = await serde.serialize(topic, { f: 'quirk-secret' });
      expect(leaked(theirs, ['quirk-secret'])).toEqual(['quirk-secret']); // Confluent: plaintext
      expect(leaked(mine, ['quirk-secret'])).toEqual([]); // ours: encrypted
      // Confluent then hands our ciphertext through unchanged (it does not see a tagged field).
      const read = (await theirDe().deserialize(topic, mine)) as { f: string };
      expect(read.f).not.toBe('quirk-secret');
      expect(plain(await serde.deserialize(topic, mine))).toEqual({ f: 'quirk-secret' });
    }
  });

  describe("the fixed vectors of Confluent's test suite (facts §6) decrypt with our deserializer", () => {
    const F1 = JSON.stringify({ name: 'F1Schema', type: 'record', fields: [{ name: 'f1', type: 'string', 'confluent:tags': ['PII'] }] });
    it.each([
      [
        'AES256_GCM',
        {},
        '07V2ndh02DA73p+dTybwZFm7DKQSZN1tEwQh+FoX1DZLk4Yj2LLu4omYjp/84tAg3BYlkfGSz+zZacJHIE4=',
        '0000000001687a67792f6a464e4d562f6546696c6148724d796542676461567a725230756447656f74573863412f4a616c37756b722b4d2f797a',
      ],
      [
        'AES256_SIV',
        { 'encrypt.dek.algorithm': 'AES256_SIV' },
        'YSx3DTlAHrmpoDChquJMifmPntBzxgRVdMzgYL82rgWBKn7aUSnG+WIu9ozBNS3y2vXd++mBtK07w4/W/G6w0da39X9hfOVZsGnkSvry/QRht84V8yz3dqKxGMOK5A==',
        '0000000001484436597478726c426e6b545757394e3656626b3349496e6a57483831786d5968336b3464',
      ],
      [
        'AES256_GCM with expiry days 1',
        { 'encrypt.dek.expiry.days': '1' },
        'W/v6hOQYq1idVAcs1pPWz9UUONMVZW4IrglTnG88TsWjeCjxmtRQ4VaNe/I5dCfm2zyY9Cu0nqdvqImtUk4=',
        '000000000178414141414141473448493662316e585058714c79473863494933354e4851736571715543642b49654c65465641654e705353336678506e4a3332413d',
      ],
    ])('%s', async (_name, params, encryptedKeyMaterial, messageHex) => {
      const registry = createInMemorySchemaRegistry();
      const deks = createInMemoryDekRegistry();
      const id = await registry.register('topic1-value', { schema: F1, ruleSet: { domainRules: [rule('kek1', params, { onFailure: 'ERROR,ERROR' })] } });
      expect(id).toBe(1);
      await deks.createKek({ name: 'kek1', kmsType: 'local-kms', kmsKeyId: 'mykey', shared: false });
      const algorithm = (params as Record<string, string>)['encrypt.dek.algorithm'] ?? 'AES256_GCM';
      await deks.createDek('kek1', { subject: 'topic1-value', version: 1, algorithm: algorithm as 'AES256_GCM', encryptedKeyMaterial });
      const de = createAvroDeserializer({ registry, deks, kms: [createLocalKms({ secret: SECRET })] });
      const r = await de.deserializeWithReport('topic1', Buffer.from(messageHex, 'hex'));
      expect(plain(r.value)).toEqual({ f1: 'hello world' });
      expect(r.outcomes).toEqual([{ rule: 'encryptPII', field: 'F1Schema.f1', outcome: 'decrypted', kek: 'kek1', dekVersion: 1 }]);
    });
  });
});
