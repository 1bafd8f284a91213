/**
 * Interop of `@csfle/json-schema` with Confluent's real JS client (`@confluentinc/schemaregistry`
 * 1.10.1): one shared registry (our test server over HTTP on 127.0.0.1), both directions
 * (ours writes → Confluent reads, Confluent writes → ours reads) for AES128_GCM, AES256_GCM,
 * AES256_SIV (byte-for-byte equal messages), DEK rotation, ENCRYPT_PAYLOAD, nested objects,
 * arrays, `$ref`/`$defs`, type arrays, anyOf/oneOf/allOf, schema references to other subjects,
 * draft 2020-12 and external wildcard tags; plus the documented cases where Confluent leaves a
 * tagged value in plaintext and we do not.
 *
 * Confluent's serializer mutates its input (facts §8.1): it is always handed a copy.
 * Each case uses its own subject, topic and KEK name (Confluent caches process-wide).
 */
import { createLocalKms, type Metadata, type Rule, type RuleSet, type SchemaReference } from '@csfle/core';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry, createRegistryClients, type RegistryClients } from '@csfle/registry';
import { type RegistryServer, startRegistryServer } from '@csfle/registry/server';
import { createJsonSchemaDeserializer, createJsonSchemaSerde, type JsonSchemaSerde } from '@csfle/json-schema';

// Confluent's package is CommonJS with process-global registries: require it once here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sr = require('@confluentinc/schemaregistry');
const { SchemaRegistryClient, JsonSerializer, JsonDeserializer, SerdeType, FieldEncryptionExecutor, EncryptionExecutor, LocalKmsDriver } = sr;

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

const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
const leaked = (bytes: Buffer, secrets: readonly string[]): string[] => secrets.filter((s) => bytes.includes(Buffer.from(s, 'utf8')));
const body = (bytes: Buffer): Obj => JSON.parse(bytes.subarray(5).toString('utf8')) as Obj;
const b64len = (s: unknown): number => Buffer.from(String(s), 'base64').length;

// ---- Schemas ---------------------------------------------------------------------------------

const FIELDS_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Demo',
  type: 'object',
  properties: {
    intField: { type: 'integer' },
    stringField: { type: 'string', 'confluent:tags': ['PII'] },
    base64Field: { type: 'string', contentEncoding: 'base64', 'confluent:tags': ['PII'] },
    plainField: { type: 'string' },
  },
  required: ['intField', 'stringField'],
};
const demo = (): Obj => ({ intField: 123, stringField: 'hello world secret', base64Field: Buffer.from('bytes-secret').toString('base64'), plainField: 'visible' });
const DEMO_SECRETS = ['hello world secret', Buffer.from('bytes-secret').toString('base64')];

const RICH_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Customer',
  type: 'object',
  definitions: {
    Address: {
      type: 'object',
      properties: {
        street: { type: 'string', 'confluent:tags': ['PII'] },
        city: { type: 'string' },
        ssn: { type: ['string', 'null'] }, // tagged externally: $.**.ssn
      },
    },
    Secret: { type: 'string', 'confluent:tags': ['PII'] },
  },
  properties: {
    id: { type: 'integer' },
    ssn: { type: 'string' }, // tagged externally
    name: { type: 'string', 'confluent:tags': ['PII'] },
    email: { type: ['null', 'string'], 'confluent:tags': ['PII'] },
    address: { $ref: '#/definitions/Address' },
    phones: { type: 'array', items: { type: 'string' }, 'confluent:tags': ['PII'] },
    history: { type: 'array', items: { $ref: '#/definitions/Address' } },
    nickname: { $ref: '#/definitions/Secret' },
    contact: {
      oneOf: [
        { type: 'null' },
        { type: 'object', properties: { kind: { const: 'phone' }, number: { type: 'string', 'confluent:tags': ['PII'] } }, required: ['kind', 'number'] },
        { type: 'object', properties: { kind: { const: 'mail' }, to: { type: 'string', 'confluent:tags': ['PII'] }, prio: { type: 'integer' } }, required: ['kind', 'to'] },
      ],
    },
    note: { anyOf: [{ type: 'string', maxLength: 100 }, { type: 'null' }], 'confluent:tags': ['PII'] },
    extra: { allOf: [{ type: 'object', properties: { a: { type: 'string', 'confluent:tags': ['PII'] } } }, { type: 'object', properties: { b: { type: 'string' } } }] },
  },
};
const RICH_METADATA: Metadata = { tags: { '$.**.ssn': ['PII'], '$.ssn': ['PII'] } };
const rich = (contact: Obj | null): Obj => ({
  id: 42,
  ssn: '123-45-6789',
  name: 'Alice Example',
  email: 'alice@example.com',
  address: { street: '1 Main Street', city: 'Springfield', ssn: '987-65-4321' },
  phones: ['555-0100', '555-0199'],
  history: [{ street: '2 Old Road', city: 'Shelbyville', ssn: null }],
  nickname: 'Ally the Great',
  contact,
  note: 'a secret note',
  extra: { a: 'allof-secret', b: 'plain-b' },
});
const RICH_SECRETS = ['123-45-6789', 'Alice Example', 'alice@example.com', '1 Main Street', '987-65-4321', '555-0100', '555-0199', '2 Old Road', 'Ally the Great', '555-7777', 'bob@example.com', 'a secret note', 'allof-secret'];

// ---- Setup -----------------------------------------------------------------------------------

describe("@csfle/json-schema ⇄ Confluent's JsonSerializer/JsonDeserializer over one registry", () => {
  let server: RegistryServer;
  let ours: RegistryClients;
  let theirClient: InstanceType<typeof SchemaRegistryClient>;
  let serde: JsonSchemaSerde;
  const theirConfig = { useLatestVersion: true, ruleConfig: { secret: SECRET } };

  beforeAll(async () => {
    server = await startRegistryServer({ port: 0 });
    ours = createRegistryClients({ url: server.url, latestTtlMs: 0 });
    FieldEncryptionExecutor.register();
    EncryptionExecutor.register();
    LocalKmsDriver.register();
    theirClient = SchemaRegistryClient.newClient({ baseURLs: [server.url], cacheCapacity: 1000 });
    serde = createJsonSchemaSerde({ registry: ours.schemas, deks: ours.deks, kms: [createLocalKms({ secret: SECRET })], useLatestVersion: true });
  });
  afterAll(async () => {
    await server.close();
  });

  const theirSer = (extra: Obj = {}) => new JsonSerializer(theirClient, SerdeType.VALUE, { ...theirConfig, ...extra });
  const theirDe = (extra: Obj = {}) => new JsonDeserializer(theirClient, SerdeType.VALUE, { ruleConfig: { secret: SECRET }, ...extra });

  async function register(topic: string, schema: unknown, ruleSet: RuleSet, metadata?: Metadata, references?: SchemaReference[]): Promise<number> {
    return ours.schemas.register(`${topic}-value`, {
      schemaType: 'JSON',
      schema: JSON.stringify(schema),
      ruleSet,
      ...(metadata ? { metadata } : {}),
      ...(references ? { references } : {}),
    });
  }

  /** Both directions for one case; `confluentFirst` decides who creates the KEK/DEK. */
  async function bothWays(topic: string, value: unknown, secrets: readonly string[], confluentFirst: boolean, s: JsonSchemaSerde = serde): Promise<{ oursBytes: Buffer; theirBytes: Buffer }> {
    let oursBytes: Buffer;
    let theirBytes: Buffer;
    if (confluentFirst) {
      theirBytes = await theirSer().serialize(topic, clone(value));
      oursBytes = await s.serialize(topic, value);
    } else {
      oursBytes = await s.serialize(topic, value);
      theirBytes = await theirSer().serialize(topic, clone(value));
    }
    expect(leaked(oursBytes, secrets)).toEqual([]);
    expect(leaked(theirBytes, secrets)).toEqual([]);
    // ours → Confluent
    expect(await theirDe().deserialize(topic, oursBytes)).toEqual(value);
    // Confluent → ours
    const r = await s.deserializeWithReport(topic, theirBytes);
    expect(r.value).toEqual(value);
    expect(r.outcomes.every((o) => o.outcome === 'decrypted')).toBe(true);
    // And each side reads its own.
    expect(await s.deserialize(topic, oursBytes)).toEqual(value);
    expect(await theirDe().deserialize(topic, theirBytes)).toEqual(value);
    return { oursBytes, theirBytes };
  }

  it('plain (no rules): the same bytes as Confluent (JSON.stringify, no whitespace)', async () => {
    const topic = 'ij-plain';
    await register(topic, FIELDS_SCHEMA, {});
    const v = { ...demo(), nested: { 'ü-key': 'ünïcödé ✓', list: [1, 2.5, true, null] } };
    const oursBytes = await serde.serialize(topic, v);
    const theirBytes: Buffer = await theirSer().serialize(topic, clone(v));
    expect(oursBytes.equals(theirBytes)).toBe(true);
    expect(oursBytes.subarray(5).toString('utf8')).toBe(JSON.stringify(v));
    expect(await theirDe().deserialize(topic, oursBytes)).toEqual(v);
    expect(await serde.deserialize(topic, theirBytes)).toEqual(v);
  });

  it.each([
    ['AES128_GCM', false],
    ['AES256_GCM', true],
  ])('%s field encryption, both directions', async (alg, confluentFirst) => {
    const topic = `ij-${alg.toLowerCase()}`;
    const kek = `kek-json-${alg.toLowerCase().replace('_', '-')}`;
    await register(topic, FIELDS_SCHEMA, { domainRules: [rule(kek, { 'encrypt.dek.algorithm': alg })] });
    const { oursBytes, theirBytes } = await bothWays(topic, demo(), DEMO_SECRETS, confluentFirst);
    for (const b of [oursBytes, theirBytes]) {
      const raw = body(b);
      expect(b64len(raw['stringField'])).toBe('hello world secret'.length + 28);
      // contentEncoding base64: the base64 text is encrypted as a string (facts §3.4).
      expect(b64len(raw['base64Field'])).toBe(Buffer.from('bytes-secret').toString('base64').length + 28);
      expect(raw['plainField']).toBe('visible');
      expect(raw['intField']).toBe(123);
    }
    expect(await ours.deks.listDekVersions(kek, `${topic}-value`, { algorithm: alg as 'AES128_GCM' })).toEqual([1]);
  });

  it('AES256_SIV: our message is byte-for-byte equal to Confluent’s (same DEK, deterministic)', async () => {
    const topic = 'ij-siv';
    await register(topic, FIELDS_SCHEMA, { domainRules: [rule('kek-json-siv', { 'encrypt.dek.algorithm': 'AES256_SIV' })] });
    const { oursBytes, theirBytes } = await bothWays(topic, demo(), DEMO_SECRETS, false);
    expect(oursBytes.equals(theirBytes)).toBe(true);
    expect(b64len(body(oursBytes)['stringField'])).toBe('hello world secret'.length + 16);
    // And on the rich schema, when Confluent created the DEK.
    const topic2 = 'ij-siv2';
    await register(topic2, RICH_SCHEMA, { domainRules: [rule('kek-json-siv2', { 'encrypt.dek.algorithm': 'AES256_SIV' })] }, RICH_METADATA);
    const v = rich({ kind: 'mail', to: 'bob@example.com', prio: 1 });
    const both = await bothWays(topic2, v, RICH_SECRETS, true);
    expect(both.oursBytes.toString('hex')).toBe(both.theirBytes.toString('hex'));
  });

  it('rotation on (encrypt.dek.expiry.days): version prefix both ways; our rotated DEK v2 is read by Confluent', async () => {
    const topic = 'ij-rot';
    await register(topic, FIELDS_SCHEMA, { domainRules: [rule('kek-json-rot', { 'encrypt.dek.expiry.days': '1' })] });
    const { oursBytes, theirBytes } = await bothWays(topic, demo(), DEMO_SECRETS, true);
    for (const b of [oursBytes, theirBytes]) {
      expect(Buffer.from(body(b)['stringField'] as string, 'base64').subarray(0, 5).toString('hex')).toBe('0000000001');
    }
    const later = createJsonSchemaSerde({
      registry: ours.schemas,
      deks: ours.deks,
      kms: [createLocalKms({ secret: SECRET })],
      useLatestVersion: true,
      now: () => Date.now() + 2 * 86_400_000,
    });
    const v2 = await later.serialize(topic, demo());
    expect(Buffer.from(body(v2)['stringField'] as string, 'base64').subarray(0, 5).toString('hex')).toBe('0000000002');
    expect(await ours.deks.listDekVersions('kek-json-rot', `${topic}-value`)).toEqual([1, 2]);
    expect(await theirDe().deserialize(topic, v2)).toEqual(demo());
    expect(await theirDe().deserialize(topic, oursBytes)).toEqual(demo());
    expect(await serde.deserialize(topic, v2)).toEqual(demo());
  });

  it('ENCRYPT_PAYLOAD both ways (with and without rotation): the JSON bytes are encrypted', async () => {
    for (const [topic, extra, confluentFirst] of [
      ['ij-payload', {}, false],
      ['ij-payload-rot', { 'encrypt.dek.expiry.days': '1' }, true],
    ] as const) {
      await register(topic, FIELDS_SCHEMA, {
        encodingRules: [{ ...rule(`kek-json-${topic}`, extra), name: 'encryptPayload', type: 'ENCRYPT_PAYLOAD', tags: [] }],
      });
      const { oursBytes, theirBytes } = await bothWays(topic, demo(), DEMO_SECRETS.concat(['visible', 'intField']), confluentFirst);
      const prefix = 'encrypt.dek.expiry.days' in extra ? 5 : 0;
      expect(oursBytes.length).toBe(5 + prefix + Buffer.byteLength(JSON.stringify(demo())) + 28);
      expect(theirBytes.length).toBe(oursBytes.length);
    }
  });

  it('nested objects, arrays, $ref/definitions, type arrays, oneOf/anyOf/allOf and external tags (both directions)', async () => {
    const topic = 'ij-rich';
    await register(topic, RICH_SCHEMA, { domainRules: [rule('kek-json-rich')] }, RICH_METADATA);
    const cases = [
      rich({ kind: 'phone', number: '555-7777' }),
      rich({ kind: 'mail', to: 'bob@example.com', prio: 2 }),
      { ...rich(null), email: null, phones: [], note: null },
    ];
    for (const [i, v] of cases.entries()) {
      const { oursBytes } = await bothWays(topic, v, RICH_SECRETS, i % 2 === 1);
      const raw = body(oursBytes) as { ssn: string; address: { ssn: string | null; city: string }; extra: { b: string }; id: number };
      expect(raw.ssn).not.toBe('123-45-6789');
      expect(raw.address.ssn).not.toBe('987-65-4321');
      expect(raw.address.city).toBe('Springfield');
      expect(raw.extra.b).toBe('plain-b');
      expect(raw.id).toBe(42);
    }
    // Field full names are Confluent's `$.a.b` paths.
    const r = await serde.deserializeWithReport(topic, await serde.serialize(topic, cases[0]));
    expect([...new Set(r.outcomes.map((o) => o.field))].sort()).toEqual(
      ['$.address.ssn', '$.address.street', '$.contact.number', '$.email', '$.extra.a', '$.history.street', '$.name', '$.nickname', '$.note', '$.phones', '$.ssn'].sort(),
    );
  });

  it('draft 2020-12 schema with $defs, both directions', async () => {
    const topic = 'ij-2020';
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'Person2020',
      type: 'object',
      $defs: { Name: { type: 'string', 'confluent:tags': ['PII'] } },
      properties: {
        name: { $ref: '#/$defs/Name' },
        tags: { type: 'array', items: { type: 'object', properties: { label: { type: 'string', 'confluent:tags': ['PII'] }, n: { type: 'number' } } } },
      },
    };
    await register(topic, schema, { domainRules: [rule('kek-json-2020')] });
    const v = { name: 'Zed Secretname', tags: [{ label: 'label-secret-1', n: 1.5 }, { label: 'label-secret-2', n: 2 }] };
    await bothWays(topic, v, ['Zed Secretname', 'label-secret-1', 'label-secret-2'], false);
  });

  it('schema references to another subject ($ref to the reference name), both directions', async () => {
    const topic = 'ij-refs';
    const address = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { street: { type: 'string', 'confluent:tags': ['PII'] }, zip: { type: 'string' } },
    };
    await ours.schemas.register('ij-address', { schemaType: 'JSON', schema: JSON.stringify(address) });
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { owner: { type: 'string', 'confluent:tags': ['PII'] }, home: { $ref: 'address.json' }, work: { $ref: 'address.json' } },
    };
    await register(topic, schema, { domainRules: [rule('kek-json-refs')] }, undefined, [{ name: 'address.json', subject: 'ij-address', version: 1 }]);
    const v = { owner: 'Owner Secret', home: { street: 'Home Street 1', zip: '111' }, work: { street: 'Work Street 2', zip: '222' } };
    const { oursBytes } = await bothWays(topic, v, ['Owner Secret', 'Home Street 1', 'Work Street 2'], true);
    expect((body(oursBytes)['home'] as Obj)['zip']).toBe('111');
  });

  it('recursive schemas ($ref cycles), tags next to a $ref, anyOf of objects: byte-equal under AES256_SIV', async () => {
    const topic = 'ij-recursive';
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Tree',
      $ref: '#/definitions/Node',
      definitions: {
        Plain: { type: 'string' },
        Node: {
          type: 'object',
          properties: {
            label: { $ref: '#/definitions/Plain', 'confluent:tags': ['PII'] },
            children: { type: 'array', items: { $ref: '#/definitions/Node' } },
            owner: {
              anyOf: [
                { type: 'object', properties: { person: { type: 'string', 'confluent:tags': ['PII'] } }, required: ['person'] },
                { type: 'object', properties: { team: { type: 'string', 'confluent:tags': ['PII'] } }, required: ['team'] },
              ],
            },
          },
        },
      },
    };
    await register(topic, schema, { domainRules: [rule('kek-json-recursive', { 'encrypt.dek.algorithm': 'AES256_SIV' })] });
    const v = {
      label: 'root-secret',
      owner: { person: 'person-secret', team: 'team-secret' },
      children: [{ label: 'child-secret', children: [{ label: 'grandchild-secret', children: [], owner: { team: 'deep-team-secret' } }] }],
    };
    const { oursBytes, theirBytes } = await bothWays(topic, v, ['root-secret', 'person-secret', 'team-secret', 'child-secret', 'grandchild-secret', 'deep-team-secret'], false);
    expect(oursBytes.equals(theirBytes)).toBe(true);
    const r = await serde.deserializeWithReport(topic, oursBytes);
    expect(r.outcomes.map((o) => o.field).sort()).toEqual(
      ['$.label', '$.owner.person', '$.owner.team', '$.children.label', '$.children.children.label', '$.children.children.owner.team'].sort(),
    );
  });

  it('combinators on a tagged scalar: the same number of encryptions as Confluent (byte-equal under AES256_SIV)', async () => {
    // Confluent walks one combinator kind (allOf, else oneOf, else anyOf) and encrypts once per
    // branch that reaches a leaf: two valid anyOf branches or two allOf branches encrypt twice.
    const topic = 'ij-comb-count';
    const schema = {
      type: 'object',
      properties: {
        twiceAny: { anyOf: [{ type: 'string' }, { type: 'string', minLength: 1 }], 'confluent:tags': ['PII'] },
        twiceAll: { allOf: [{ type: 'string' }, { type: 'string' }], 'confluent:tags': ['PII'] },
        onceOneOf: { type: 'string', oneOf: [{ type: 'string', maxLength: 100 }, { type: 'string', minLength: 101 }], anyOf: [{ type: 'string' }, { type: 'string' }], 'confluent:tags': ['PII'] },
        onceRef: { $ref: '#/definitions/S', 'confluent:tags': ['PII'] },
      },
      definitions: { S: { type: 'string' } },
    };
    await register(topic, schema, { domainRules: [rule('kek-json-comb', { 'encrypt.dek.algorithm': 'AES256_SIV' })] });
    const v = { twiceAny: 'any-secret', twiceAll: 'all-secret', onceOneOf: 'oneof-secret', onceRef: 'ref-secret' };
    const { oursBytes, theirBytes } = await bothWays(topic, v, ['any-secret', 'all-secret', 'oneof-secret', 'ref-secret'], false);
    expect(oursBytes.equals(theirBytes)).toBe(true);
    const raw = body(oursBytes);
    expect(b64len(raw['twiceAny'])).toBe(Math.ceil(('any-secret'.length + 16) / 3) * 4 + 16);
    expect(b64len(raw['onceOneOf'])).toBe('oneof-secret'.length + 16);
  });

  it('a second rule with its own tag and KEK, plus a field rule and a payload rule together', async () => {
    const topic = 'ij-multi';
    const schema = {
      type: 'object',
      properties: { a: { type: 'string', 'confluent:tags': ['PII'] }, b: { type: 'string', 'confluent:tags': ['PHI'] } },
    };
    await register(topic, schema, {
      domainRules: [rule('kek-json-multi-a'), { ...rule('kek-json-multi-b', { 'encrypt.dek.algorithm': 'AES128_GCM' }), name: 'encryptPHI', tags: ['PHI'] }],
      encodingRules: [{ ...rule('kek-json-multi-p'), name: 'encryptPayload', type: 'ENCRYPT_PAYLOAD', tags: [] }],
    });
    await bothWays(topic, { a: 'alpha-secret', b: 'beta-secret' }, ['alpha-secret', 'beta-secret'], true);
  });

  it('validation: Confluent validates the ciphertext (and its strict ajv rejects `format`); we validate the plaintext', async () => {
    const topic = 'ij-validate';
    const schema = { type: 'object', properties: { code: { type: 'string', maxLength: 12, 'confluent:tags': ['PII'] } } };
    await register(topic, schema, { domainRules: [rule('kek-json-validate')] });
    // Ours: the plaintext fits maxLength 12 → written; Confluent validating after encryption refuses.
    const mine = await createJsonSchemaSerde({ registry: ours.schemas, deks: ours.deks, kms: [createLocalKms({ secret: SECRET })], useLatestVersion: true, validate: true }).serialize(topic, { code: 'short-secret' });
    expect(leaked(mine, ['short-secret'])).toEqual([]);
    await expect(theirSer({ validate: true }).serialize(topic, { code: 'short-secret' })).rejects.toThrow(/Invalid message/);
    // Confluent reads our bytes (without validation) fine.
    expect(await theirDe().deserialize(topic, mine)).toEqual({ code: 'short-secret' });
    // `format` (with ajv-formats here; Confluent's strict ajv has no formats and fails to compile).
    const topic2 = 'ij-validate-format';
    await register(topic2, { type: 'object', properties: { email: { type: 'string', format: 'email' } } }, {});
    expect(await serde.deserialize(topic2, await serde.serialize(topic2, { email: 'a@b.example' }))).toEqual({ email: 'a@b.example' });
    await expect(serde.serialize(topic2, { email: 'not-an-email' })).rejects.toMatchObject({ code: 'SERIALIZATION_FAILED' });
    await expect(theirSer({ validate: true }).serialize(topic2, { email: 'a@b.example' })).rejects.toThrow(/unknown format/);
  });

  describe('documented differences: where Confluent writes a tagged value in plaintext, we encrypt', () => {
    // Each schema below makes Confluent's walk miss a tagged value (docs/json-schema.md). Our
    // bytes carry ciphertext there; Confluent reading them hands that ciphertext through, and
    // every field both walks agree on still round-trips.
    const cases: Array<[string, object, Obj, string]> = [
      [
        'prefixItems (2020-12 tuple)',
        { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'string' }], 'confluent:tags': ['PII'] } } },
        { pair: ['tuple-secret', 'second-secret'] },
        'tuple-secret',
      ],
      [
        'scalar type next to a typeless allOf constraint',
        { type: 'object', properties: { s: { type: 'string', allOf: [{ maxLength: 40 }], 'confluent:tags': ['PII'] } } },
        { s: 'allof-constrained-secret' },
        'allof-constrained-secret',
      ],
      [
        'if/then/else',
        { type: 'object', properties: { kind: { type: 'string' } }, if: { properties: { kind: { const: 'card' } } }, then: { properties: { number: { type: 'string', 'confluent:tags': ['PII'] } } } },
        { kind: 'card', number: 'then-branch-secret' },
        'then-branch-secret',
      ],
      [
        'oneOf next to allOf (Confluent walks only the allOf)',
        {
          type: 'object',
          properties: {
            pay: {
              allOf: [{ type: 'object', properties: { amount: { type: 'integer' } } }],
              oneOf: [{ type: 'object', properties: { card: { type: 'string', 'confluent:tags': ['PII'] } }, required: ['card'] }, { type: 'object', properties: { iban: { type: 'string' } }, required: ['iban'] }],
            },
          },
        },
        { pay: { amount: 5, card: 'card-number-secret' } },
        'card-number-secret',
      ],
      [
        '$ref next to properties (draft-07: Confluent keeps only the sibling properties)',
        {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          definitions: { Base: { type: 'object', properties: { ssn: { type: 'string', 'confluent:tags': ['PII'] } } } },
          properties: { person: { $ref: '#/definitions/Base', properties: { nick: { type: 'string' } } } },
        },
        { person: { ssn: 'ref-sibling-secret', nick: 'nick' } },
        'ref-sibling-secret',
      ],
      [
        'additionalProperties values of a tagged map',
        { type: 'object', properties: { attrs: { type: 'object', additionalProperties: { type: 'string' }, 'confluent:tags': ['PII'] } } },
        { attrs: { mother: 'map-value-secret' } },
        'map-value-secret',
      ],
    ];
    it.each(cases)('%s', async (name, schema, value, secret) => {
      const topic = `ij-diff-${name.replace(/[^a-z]+/gi, '-').toLowerCase()}`;
      await register(topic, schema, { domainRules: [rule(`kek-${topic}`.slice(0, 60))] });
      const theirs: Buffer = await theirSer().serialize(topic, clone(value));
      const mine = await serde.serialize(topic, value);
      expect(leaked(theirs, [secret])).toEqual([secret]); // Confluent: plaintext
      expect(leaked(mine, [secret])).toEqual([]); // ours: encrypted
      expect(await serde.deserialize(topic, mine)).toEqual(value);
      const read = JSON.stringify(await theirDe().deserialize(topic, mine));
      expect(read).not.toContain(secret); // Confluent hands our ciphertext through
    });

    it('a nullable string with maxLength: Confluent cannot read back its own ciphertext (the subtype check fails on it); we read both', async () => {
      const topic = 'ij-diff-maxlength';
      await register(topic, { type: 'object', properties: { t: { type: ['string', 'null'], maxLength: 30, 'confluent:tags': ['PII'] } } }, { domainRules: [rule('kek-json-maxlength')] });
      const theirs: Buffer = await theirSer().serialize(topic, { t: 'short-secret' });
      const mine = await serde.serialize(topic, { t: 'short-secret' });
      expect(leaked(theirs, ['short-secret'])).toEqual([]);
      expect(leaked(mine, ['short-secret'])).toEqual([]);
      expect(((await theirDe().deserialize(topic, theirs)) as Obj)['t']).not.toBe('short-secret'); // ciphertext handed back
      expect(await serde.deserialize(topic, theirs)).toEqual({ t: 'short-secret' });
      expect(await serde.deserialize(topic, mine)).toEqual({ t: 'short-secret' });
    });

    it('a tagged property without a type: Confluent writes plaintext, we refuse the write and read values through', async () => {
      const topic = 'ij-diff-typeless';
      await register(topic, { type: 'object', properties: { any: { 'confluent:tags': ['PII'] } } }, { domainRules: [rule('kek-json-typeless')] });
      const theirs: Buffer = await theirSer().serialize(topic, { any: 'typeless-secret' });
      expect(leaked(theirs, ['typeless-secret'])).toEqual(['typeless-secret']);
      await expect(serde.serialize(topic, { any: 'typeless-secret' })).rejects.toMatchObject({ code: 'RULE_FAILED' });
      expect(await serde.deserialize(topic, theirs)).toEqual({ any: 'typeless-secret' });
    });
  });

  it("Confluent's fixed AES256_GCM vector, carried in a JSON body, decrypts with our deserializer", async () => {
    // The ciphertext of facts §6 vector 1 (field f1 = "hello world"), placed in a JSON message.
    const registry = createInMemorySchemaRegistry();
    const deks = createInMemoryDekRegistry();
    const schema = { type: 'object', properties: { f1: { type: 'string', 'confluent:tags': ['PII'] } } };
    const id = await registry.register('topic1-value', { schemaType: 'JSON', schema: JSON.stringify(schema), ruleSet: { domainRules: [rule('kek1', {}, { onFailure: 'ERROR,ERROR' })] } });
    await deks.createKek({ name: 'kek1', kmsType: 'local-kms', kmsKeyId: 'mykey', shared: false });
    await deks.createDek('kek1', {
      subject: 'topic1-value',
      version: 1,
      algorithm: 'AES256_GCM',
      encryptedKeyMaterial: '07V2ndh02DA73p+dTybwZFm7DKQSZN1tEwQh+FoX1DZLk4Yj2LLu4omYjp/84tAg3BYlkfGSz+zZacJHIE4=',
    });
    const msg = Buffer.concat([Buffer.from([0, 0, 0, 0, id]), Buffer.from(JSON.stringify({ f1: 'zgy/jFNMV/eFilaHrMyeBgdaVzrR0udGeotW8cA/Jal7ukr+M/yz' }))]);
    const de = createJsonSchemaDeserializer({ registry, deks, kms: [createLocalKms({ secret: SECRET })] });
    const r = await de.deserializeWithReport('topic1', msg);
    expect(r.value).toEqual({ f1: 'hello world' });
    expect(r.outcomes).toEqual([{ rule: 'encryptPII', field: '$.f1', outcome: 'decrypted', kek: 'kek1', dekVersion: 1 }]);
  });
});
