/**
 * JSON Schema serde: framing, round trips, schema selection, and the field walk over every
 * JSON Schema shape (nested objects, arrays, tuples, `$ref`/`$defs`/`definitions`, `$id`
 * resources and anchors, type arrays, allOf/anyOf/oneOf, if/then/else, additional and pattern
 * properties, recursion, schema references, external wildcard tags), payload encryption,
 * validation options and subject strategies.
 */
import { ErrorCodes, SubjectNameStrategies, createLocalKms, type FieldOutcome } from '@csfle/core';
import { createJsonSchemaDeserializer, createJsonSchemaSerde, createJsonSchemaSerializer } from '@csfle/json-schema';
import { body, clone, deepFreeze, encryptRule, failure, isBase64, leaked, makeEnv, payloadRule } from './helpers.js';

const CUSTOMER = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Customer',
  type: 'object',
  definitions: {
    Address: {
      type: 'object',
      properties: { street: { type: 'string', 'confluent:tags': ['PII'] }, zip: { type: 'string' } },
      required: ['street'],
    },
  },
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    ssn: { type: 'string', 'confluent:tags': ['PII'] },
    email: { type: ['string', 'null'], format: 'email', 'confluent:tags': ['PII'] },
    address: { $ref: '#/definitions/Address' },
    phones: { type: 'array', items: { type: 'string' }, 'confluent:tags': ['PII'] },
    previous: { type: 'array', items: { $ref: '#/definitions/Address' } },
    work: { oneOf: [{ type: 'null' }, { $ref: '#/definitions/Address' }] },
    labels: { type: 'array', items: { type: 'string' } },
    score: { type: 'number' },
    vip: { type: 'boolean' },
  },
  required: ['id', 'ssn'],
};

const customer = () => ({
  id: 7,
  name: 'Alice',
  ssn: '123-45-6789',
  email: 'alice@example.com',
  address: { street: '1 Main St', zip: '94105' },
  phones: ['555-0100', '555-0101'],
  previous: [{ street: '2 Old Rd', zip: '10001' }],
  work: { street: '3 Office Pk', zip: '20002' },
  labels: ['vip-customer'],
  score: 1.5,
  vip: true,
});

const PLAINTEXTS = ['123-45-6789', 'alice@example.com', '1 Main St', '555-0100', '555-0101', '2 Old Rd', '3 Office Pk'];

describe('framing and plain round trips', () => {
  it('writes 0x00 + int32 id + JSON.stringify(value) as UTF-8, and reads it back', async () => {
    const env = makeEnv();
    const id = await env.register('plain', CUSTOMER);
    const v = { ...customer(), name: 'Zoë ✓ 日本' };
    const bytes = await env.ser().serialize('plain', v);
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(id);
    expect(bytes.subarray(5).toString('utf8')).toBe(JSON.stringify(v));
    expect(await env.de().deserialize('plain', bytes)).toEqual(v);
    const r = await env.de().deserializeWithReport('plain', bytes);
    expect(r.schemaId).toBe(id);
    expect(r.outcomes).toEqual([]);
  });

  it('reads the 0x01 GUID form and the __value_schema_id / __key_schema_id headers', async () => {
    const env = makeEnv();
    const id = await env.register('guid', CUSTOMER, { ruleSet: { domainRules: [encryptRule()] } });
    const { guid } = await env.registry.getById(id);
    expect(guid).toBeDefined();
    const bytes = await env.ser().serialize('guid', customer());
    const guidBytes = Buffer.from(String(guid).replace(/-/g, ''), 'hex');
    const payload = bytes.subarray(5);
    const de = env.de();
    expect(await de.deserialize('guid', Buffer.concat([Buffer.from([1]), guidBytes, payload]))).toEqual(customer());
    const header = Buffer.concat([Buffer.from([1]), guidBytes]);
    expect(await de.deserialize('guid', payload, { __value_schema_id: header })).toEqual(customer());
    expect((await de.deserializeWithReport('guid', payload, { __value_schema_id: [header] })).schemaId).toBe(id);

    // Keys use `<topic>-key` (and their own DEK subject) and the key header.
    const keySchema = { type: 'object', properties: { k: { type: 'string', 'confluent:tags': ['PII'] } } };
    const kid = await env.register('guid', keySchema, { ruleSet: { domainRules: [encryptRule()] } }, 'guid-key');
    const kbytes = await env.ser({ isKey: true }).serialize('guid', { k: 'secret-key' });
    expect(kbytes.readInt32BE(1)).toBe(kid);
    expect(await env.deks.listDekSubjects('kek1')).toEqual(expect.arrayContaining(['guid-key', 'guid-value']));
    expect(await env.de({ isKey: true }).deserialize('guid', kbytes.subarray(5), { __key_schema_id: kbytes.subarray(0, 5) })).toEqual({ k: 'secret-key' });
  });

  it('autoRegisterSchemas, lookup and useSchemaId; rules and tags come from the registry copy', async () => {
    const env = makeEnv();
    const ser = env.ser({
      useLatestVersion: false,
      autoRegisterSchemas: true,
      schema: { schema: JSON.stringify(CUSTOMER), ruleSet: { domainRules: [encryptRule()] } },
    });
    const bytes = await ser.serialize('auto', customer());
    expect(leaked(bytes, PLAINTEXTS)).toEqual([]);
    const latest = await env.registry.getLatest('auto-value');
    expect(latest.id).toBe(bytes.readInt32BE(1));
    expect(latest.schemaType).toBe('JSON'); // a SchemaInfo without schemaType is registered as JSON
    expect(await env.de().deserialize('auto', bytes)).toEqual(customer());

    // lookup (the default), with the schema as a value or as text
    const id = await env.register('lookup', CUSTOMER);
    expect((await env.ser({ useLatestVersion: false, schema: CUSTOMER }).serialize('lookup', customer())).readInt32BE(1)).toBe(id);
    expect((await env.ser({ useLatestVersion: false, schema: JSON.stringify(CUSTOMER) }).serialize('lookup', customer())).readInt32BE(1)).toBe(id);
    await expect(env.ser({ useLatestVersion: false, schema: { ...CUSTOMER, title: 'Other' } }).serialize('lookup', customer())).rejects.toMatchObject({
      code: ErrorCodes.REGISTRY_NOT_FOUND,
    });
    const byId = env.ser({ useLatestVersion: false, useSchemaId: id });
    expect((await byId.serialize('whatever-topic', customer())).readInt32BE(1)).toBe(id);
  });

  it('record subject-name strategies use the schema title (as Confluent), also for DEK subjects', async () => {
    const env = makeEnv();
    await env.register('t', CUSTOMER, { ruleSet: { domainRules: [encryptRule()] } }, 'Customer');
    await env.register('t', CUSTOMER, { ruleSet: { domainRules: [encryptRule()] } }, 't-Customer');
    const rec = createJsonSchemaSerde({
      registry: env.registry,
      deks: env.deks,
      kms: [createLocalKms({ secret: 'mysecret' })],
      useLatestVersion: true,
      schema: CUSTOMER,
      subjectNameStrategy: SubjectNameStrategies.record,
    });
    const b1 = await rec.serialize('t', customer());
    expect(await rec.deserialize('t', b1)).toEqual(customer());
    const b2 = await env.ser({ schema: CUSTOMER, subjectNameStrategy: SubjectNameStrategies.topicRecord }).serialize('t', customer());
    expect(await env.de({ subjectNameStrategy: SubjectNameStrategies.topicRecord }).deserialize('t', b2)).toEqual(customer());
    expect((await env.deks.listDekSubjects('kek1')).sort()).toEqual(['Customer', 't-Customer']);
  });

  it('passes JSON values of every kind through unchanged when no rule applies', async () => {
    const env = makeEnv();
    await env.register('any', true);
    for (const v of [null, 0, -1.25, 'text', true, [], [1, 'a', null], {}, { nested: { deep: [{ x: 1 }] } }]) {
      const bytes = await env.ser().serialize('any', v);
      expect(bytes.subarray(5).toString('utf8')).toBe(JSON.stringify(v));
      expect(await env.de().deserialize('any', bytes)).toEqual(v);
    }
  });
});

describe('field encryption across JSON Schema shapes', () => {
  it('encrypts tagged fields in nested objects, arrays, $ref, type arrays and oneOf; never mutates the input', async () => {
    const env = makeEnv();
    await env.register('c', CUSTOMER, { ruleSet: { domainRules: [encryptRule()] } });
    const input = deepFreeze(customer());
    const before = clone(input);
    const bytes = await env.ser().serialize('c', input);
    expect(input).toEqual(before);
    expect(leaked(bytes, PLAINTEXTS)).toEqual([]);

    const raw = body(bytes) as ReturnType<typeof customer>;
    for (const s of [raw.ssn, raw.email, raw.address.street, ...raw.phones, raw.previous[0]?.street, raw.work.street]) expect(isBase64(s)).toBe(true);
    expect(Buffer.from(raw.ssn, 'base64')).toHaveLength('123-45-6789'.length + 28);
    expect(raw.name).toBe('Alice');
    expect(raw.address.zip).toBe('94105');
    expect(raw.labels).toEqual(['vip-customer']);
    expect([raw.id, raw.score, raw.vip]).toEqual([7, 1.5, true]);

    const r = await env.de().deserializeWithReport('c', bytes);
    expect(r.value).toEqual(customer());
    expect(r.outcomes.map((o: FieldOutcome) => o.field).sort()).toEqual(
      ['$.ssn', '$.email', '$.address.street', '$.phones', '$.phones', '$.previous.street', '$.work.street'].sort(),
    );
    expect(r.outcomes.every((o) => o.outcome === 'decrypted')).toBe(true);
  });

  it('untouched sub-trees keep their identity (copy on write only along encrypted paths)', async () => {
    const env = makeEnv();
    const schema = { type: 'object', properties: { a: { type: 'object', properties: { s: { type: 'string', 'confluent:tags': ['PII'] } } }, b: { type: 'object' } } };
    await env.register('cow', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const b = { big: [1, 2, 3] };
    const input = { a: { s: 'cow-secret' }, b };
    const bytes = await env.ser().serialize('cow', input);
    expect(input.a.s).toBe('cow-secret');
    expect(leaked(bytes, ['cow-secret'])).toEqual([]);
  });

  it('passes nulls and missing values through and leaves empty containers alone', async () => {
    const env = makeEnv();
    await env.register('n', CUSTOMER, { ruleSet: { domainRules: [encryptRule()] } });
    const v = { id: 1, ssn: 'ssn-secret', email: null, phones: [], previous: [], work: null };
    const bytes = await env.ser().serialize('n', v);
    const raw = body(bytes);
    expect([raw['email'], raw['phones'], raw['previous'], raw['work']]).toEqual([null, [], [], null]);
    expect('address' in raw).toBe(false);
    expect(await env.de().deserialize('n', bytes)).toEqual(v);
  });

  it('draft 2020-12: $defs, prefixItems by position and items for the rest; $anchor and $id resources', async () => {
    const env = makeEnv();
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://example.com/schemas/person.json',
      type: 'object',
      $defs: {
        Secret: { $anchor: 'secret', type: 'string', 'confluent:tags': ['PII'] },
        Geo: { $id: 'geo.json', type: 'object', properties: { lat: { type: 'number' }, place: { type: 'string', 'confluent:tags': ['PII'] } } },
      },
      properties: {
        byPointer: { $ref: '#/$defs/Secret' },
        byAnchor: { $ref: '#secret' },
        byId: { $ref: 'https://example.com/schemas/geo.json' },
        byRelativeId: { $ref: 'geo.json' },
        row: {
          type: 'array',
          prefixItems: [{ type: 'string' }, { type: 'object', properties: { n: { type: 'integer' } } }],
          items: { type: 'object', properties: { note: { type: 'string', 'confluent:tags': ['PII'] } } },
          'confluent:tags': ['PII'],
        },
      },
    };
    await env.register('d2020', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const v = {
      byPointer: 'pointer-secret',
      byAnchor: 'anchor-secret',
      byId: { lat: 1.5, place: 'place-secret-1' },
      byRelativeId: { lat: 2, place: 'place-secret-2' },
      row: ['tuple-secret', { n: 1 }, { note: 'rest-secret-1' }, { note: 'rest-secret-2' }],
    };
    const bytes = await env.ser().serialize('d2020', v);
    expect(leaked(bytes, ['pointer-secret', 'anchor-secret', 'place-secret-1', 'place-secret-2', 'tuple-secret', 'rest-secret-1', 'rest-secret-2'])).toEqual([]);
    expect((body(bytes)['row'] as unknown[])[1]).toEqual({ n: 1 });
    const r = await env.de().deserializeWithReport('d2020', bytes);
    expect(r.value).toEqual(v);
    expect(r.outcomes.map((o) => o.field).sort()).toEqual(['$.byAnchor', '$.byId.place', '$.byPointer', '$.byRelativeId.place', '$.row', '$.row.note', '$.row.note'].sort());
  });

  it('draft-07: tuple items with additionalItems, draft-07 "$id": "#anchor", dependencies and if/then/else', async () => {
    const env = makeEnv();
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      definitions: { S: { $id: '#S', type: 'string', 'confluent:tags': ['PII'] } },
      properties: {
        pair: { type: 'array', items: [{ type: 'string' }, { type: 'object', properties: { b: { type: 'boolean' } } }], additionalItems: { type: 'string' }, 'confluent:tags': ['PII'] },
        anchored: { $ref: '#S' },
        kind: { type: 'string' },
        card: { type: 'object' },
      },
      if: { properties: { kind: { const: 'card' } } },
      then: { properties: { card: { type: 'object', properties: { number: { type: 'string', 'confluent:tags': ['PII'] } } } } },
      else: { properties: { card: { type: 'object', properties: { iban: { type: 'string', 'confluent:tags': ['PII'] } } } } },
      dependencies: { kind: { properties: { extra: { type: 'string', 'confluent:tags': ['PII'] } } } },
    };
    await env.register('d7', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const a = { pair: ['first-secret', { b: true }, 'third-secret'], anchored: 'anchored-secret', kind: 'card', card: { number: '4111-secret', iban: 'not-tagged-here' }, extra: 'extra-secret' };
    const ba = await env.ser().serialize('d7', a);
    expect(leaked(ba, ['first-secret', 'third-secret', 'anchored-secret', '4111-secret', 'extra-secret'])).toEqual([]);
    expect((body(ba)['card'] as Record<string, unknown>)['iban']).toBe('not-tagged-here');
    expect(await env.de().deserialize('d7', ba)).toEqual(a);
    const b = { kind: 'bank', card: { iban: 'DE-iban-secret', number: 'not-tagged-here' } };
    const bb = await env.ser().serialize('d7', b);
    expect(leaked(bb, ['DE-iban-secret'])).toEqual([]);
    expect((body(bb)['card'] as Record<string, unknown>)['number']).toBe('not-tagged-here');
    expect(await env.de().deserialize('d7', bb)).toEqual(b);
  });

  it('type arrays pick the branch of the value: string, object, array or null', async () => {
    const env = makeEnv();
    const schema = {
      type: 'object',
      properties: {
        multi: {
          type: ['string', 'object', 'array', 'null'],
          properties: { inner: { type: 'string', 'confluent:tags': ['PII'] } },
          items: { type: 'string' },
          'confluent:tags': ['PII'],
        },
      },
    };
    await env.register('ta', schema, { ruleSet: { domainRules: [encryptRule()] } });
    for (const [v, secrets] of [
      [{ multi: 'string-secret' }, ['string-secret']],
      [{ multi: { inner: 'inner-secret' } }, ['inner-secret']],
      [{ multi: ['item-secret-1', 'item-secret-2'] }, ['item-secret-1', 'item-secret-2']],
      [{ multi: null }, []],
    ] as const) {
      const bytes = await env.ser().serialize('ta', v);
      expect(leaked(bytes, secrets)).toEqual([]);
      expect(await env.de().deserialize('ta', bytes)).toEqual(v);
    }
  });

  it('oneOf picks the first valid branch; anyOf walks every valid branch; allOf walks all', async () => {
    const env = makeEnv();
    const phone = { type: 'object', properties: { kind: { const: 'phone' }, number: { type: 'string', 'confluent:tags': ['PII'] } }, required: ['kind'] };
    const mail = { type: 'object', properties: { kind: { const: 'mail' }, to: { type: 'string', 'confluent:tags': ['PII'] }, number: { type: 'string' } }, required: ['kind'] };
    const schema = {
      type: 'object',
      properties: {
        one: { oneOf: [phone, mail] },
        any: { anyOf: [{ type: 'object', properties: { a: { type: 'string', 'confluent:tags': ['PII'] } } }, { type: 'object', properties: { b: { type: 'string', 'confluent:tags': ['PII'] } } }] },
        all: { allOf: [{ type: 'object', properties: { x: { type: 'string', 'confluent:tags': ['PII'] } } }, { properties: { y: { type: 'string', 'confluent:tags': ['PII'] } } }] },
      },
    };
    await env.register('comb', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const v1 = { one: { kind: 'mail', to: 'to-secret', number: 'untagged-in-mail' }, any: { a: 'a-secret', b: 'b-secret' }, all: { x: 'x-secret', y: 'y-secret' } };
    const b1 = await env.ser().serialize('comb', v1);
    expect(leaked(b1, ['to-secret', 'a-secret', 'b-secret', 'x-secret', 'y-secret'])).toEqual([]);
    expect((body(b1)['one'] as Record<string, unknown>)['number']).toBe('untagged-in-mail');
    expect(await env.de().deserialize('comb', b1)).toEqual(v1);
    const v2 = { one: { kind: 'phone', number: 'phone-secret' } };
    const b2 = await env.ser().serialize('comb', v2);
    expect(leaked(b2, ['phone-secret'])).toEqual([]);
    expect(await env.de().deserialize('comb', b2)).toEqual(v2);
  });

  it('a scalar-typed property with combinators: oneOf decides the leaf (as Confluent), the anyOf Confluent ignores adds none', async () => {
    const env = makeEnv();
    const schema = { type: 'object', properties: { s: { type: 'string', 'confluent:tags': ['PII'], oneOf: [{ type: 'string', minLength: 1 }, { type: 'string', maxLength: 0 }], anyOf: [{ type: 'string' }, { type: 'string' }] } } };
    await env.register('once', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('once', { s: 'once-secret' });
    expect(Buffer.from(body(bytes)['s'] as string, 'base64')).toHaveLength('once-secret'.length + 28);
    expect(await env.de().deserialize('once', bytes)).toEqual({ s: 'once-secret' });
  });

  it('additionalProperties and patternProperties values keep the enclosing field', async () => {
    const env = makeEnv();
    const schema = {
      type: 'object',
      properties: {
        attrs: {
          type: 'object',
          properties: { fixed: { type: 'string' } },
          patternProperties: { '^x-': { type: 'string', maxLength: 64 } },
          additionalProperties: { type: 'string' },
          'confluent:tags': ['PII'],
        },
        people: { type: 'object', additionalProperties: { type: 'object', properties: { name: { type: 'string', 'confluent:tags': ['PII'] } } } },
      },
    };
    await env.register('ap', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const v = { attrs: { fixed: 'fixed-visible', mother: 'mother-secret', 'x-code': 'pattern-secret' }, people: { p1: { name: 'name-secret-1' }, p2: { name: 'name-secret-2' } } };
    const bytes = await env.ser().serialize('ap', v);
    expect(leaked(bytes, ['mother-secret', 'pattern-secret', 'name-secret-1', 'name-secret-2'])).toEqual([]);
    expect(leaked(bytes, ['fixed-visible'])).toEqual(['fixed-visible']);
    const r = await env.de().deserializeWithReport('ap', bytes);
    expect(r.value).toEqual(v);
    expect(r.outcomes.map((o) => o.field).sort()).toEqual(['$.attrs', '$.attrs', '$.people.name', '$.people.name']);
  });

  it('recursive schemas: tagged fields at every depth, with exact full names', async () => {
    const env = makeEnv();
    const schema = {
      $ref: '#/definitions/Node',
      definitions: {
        Node: {
          type: 'object',
          properties: {
            name: { type: 'string', 'confluent:tags': ['PII'] },
            next: { oneOf: [{ type: 'null' }, { $ref: '#/definitions/Node' }] },
            kids: { type: 'array', items: { $ref: '#/definitions/Node' } },
          },
        },
      },
    };
    await env.register('rec', schema, { ruleSet: { domainRules: [encryptRule()] }, metadata: { tags: { '$.next.next.name': ['DEEP'] } } });
    const v = { name: 'n0-secret', next: { name: 'n1-secret', next: { name: 'n2-secret', next: null, kids: [{ name: 'k-secret' }] } } };
    const bytes = await env.ser().serialize('rec', v);
    expect(leaked(bytes, ['n0-secret', 'n1-secret', 'n2-secret', 'k-secret'])).toEqual([]);
    const r = await env.de().deserializeWithReport('rec', bytes);
    expect(r.value).toEqual(v);
    expect(r.outcomes.map((o) => o.field)).toEqual(['$.name', '$.next.name', '$.next.next.name', '$.next.next.kids.name']);
    // An external tag on one exact depth: only that depth matches a DEEP rule.
    await env.register('rec2', schema, { ruleSet: { domainRules: [encryptRule({ tags: ['DEEP'] })] }, metadata: { tags: { '$.next.next.name': ['DEEP'] } } });
    const b2 = await env.ser().serialize('rec2', v);
    expect(leaked(b2, ['n0-secret', 'n1-secret', 'n2-secret', 'k-secret'])).toEqual(['n0-secret', 'n1-secret', 'k-secret']);
  });

  it('a schema without any matched tag skips the walk (no KEK or DEK is created)', async () => {
    const env = makeEnv();
    const schema = { type: 'object', properties: { a: { type: 'string', 'confluent:tags': ['OTHER'] }, self: { $ref: '#' } } };
    await env.register('skip', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('skip', { a: 'x', self: { a: 'y' } });
    expect(body(bytes)).toEqual({ a: 'x', self: { a: 'y' } });
    expect(await env.deks.listKeks()).toEqual([]);
  });

  it('schema references: referenced subjects are fetched (depth first), $ref by name, their inline tags apply', async () => {
    const env = makeEnv();
    const geo = { type: 'object', properties: { city: { type: 'string', 'confluent:tags': ['PII'] } } };
    await env.registry.register('geo', { schemaType: 'JSON', schema: JSON.stringify(geo) });
    const address = { type: 'object', properties: { street: { type: 'string', 'confluent:tags': ['PII'] }, geo: { $ref: 'geo.json' } }, definitions: { Zip: { type: 'string', 'confluent:tags': ['PII'] } } };
    await env.registry.register('address', { schemaType: 'JSON', schema: JSON.stringify(address), references: [{ name: 'geo.json', subject: 'geo', version: 1 }] });
    const schema = {
      $id: 'https://example.com/order.json',
      type: 'object',
      properties: { ship: { $ref: 'address.json' }, zip: { $ref: 'address.json#/definitions/Zip' } },
    };
    await env.register('refs', schema, { ruleSet: { domainRules: [encryptRule()] }, references: [{ name: 'address.json', subject: 'address', version: 1 }] });
    const v = { ship: { street: 'street-secret', geo: { city: 'city-secret' } }, zip: 'zip-secret' };
    const bytes = await env.ser().serialize('refs', v);
    expect(leaked(bytes, ['street-secret', 'city-secret', 'zip-secret'])).toEqual([]);
    const r = await env.de({ validate: true }).deserializeWithReport('refs', bytes);
    expect(r.value).toEqual(v);
    expect(r.outcomes.map((o) => o.field).sort()).toEqual(['$.ship.geo.city', '$.ship.street', '$.zip']);
  });

  it('external tags with wildcards (metadata.tags) merge with inline tags', async () => {
    const env = makeEnv();
    const schema = {
      type: 'object',
      properties: {
        ssn: { type: 'string' },
        nested: { type: 'object', properties: { ssn: { type: 'string' }, city: { type: 'string' }, list: { type: 'array', items: { type: 'object', properties: { ssn: { type: 'string' } } } } } },
        other: { type: 'string', 'confluent:tags': ['PII'] },
        code: { type: 'string' },
      },
    };
    await env.register('ext', schema, { ruleSet: { domainRules: [encryptRule()] }, metadata: { tags: { '$.**.ssn': ['PII'], '$.ssn': ['PII'], '$.c?de': ['PII'] } } });
    const v = { ssn: 'top-ssn', nested: { ssn: 'nested-ssn', city: 'city-visible', list: [{ ssn: 'list-ssn' }] }, other: 'other-secret', code: 'code-secret' };
    const bytes = await env.ser().serialize('ext', v);
    expect(leaked(bytes, ['top-ssn', 'nested-ssn', 'list-ssn', 'other-secret', 'code-secret'])).toEqual([]);
    expect(leaked(bytes, ['city-visible'])).toEqual(['city-visible']);
    expect(await env.de().deserialize('ext', bytes)).toEqual(v);
  });

  it('contentEncoding base64 strings are encrypted as strings (the base64 text is the plaintext)', async () => {
    const env = makeEnv();
    const schema = { type: 'object', properties: { blob: { type: 'string', contentEncoding: 'base64', 'confluent:tags': ['PII'] } } };
    await env.register('b64', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const text = Buffer.from('raw binary secret').toString('base64');
    const bytes = await env.ser().serialize('b64', { blob: text });
    expect(Buffer.from(body(bytes)['blob'] as string, 'base64')).toHaveLength(text.length + 28);
    expect(await env.de().deserialize('b64', bytes)).toEqual({ blob: text });
  });

  it('an untagged rule encrypts every string field and fails on the first other scalar', async () => {
    const env = makeEnv();
    await env.register('all', { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } }, { ruleSet: { domainRules: [encryptRule({ tags: [] })] } });
    const bytes = await env.ser().serialize('all', { a: 'first-secret', b: 'second-secret' });
    expect(leaked(bytes, ['first-secret', 'second-secret'])).toEqual([]);
    await env.register('allint', { type: 'object', properties: { a: { type: 'string' }, n: { type: 'integer' } } }, { ruleSet: { domainRules: [encryptRule({ tags: [] })] } });
    const e = await failure(env.ser().serialize('allint', { a: 'x', n: 1 }));
    expect(e).toMatchObject({ code: ErrorCodes.RULE_FAILED });
  });

  it('payload encryption (ENCRYPT_PAYLOAD): the whole JSON body is ciphertext, framing stays clear', async () => {
    const env = makeEnv();
    const id = await env.register('pay', CUSTOMER, { ruleSet: { encodingRules: [payloadRule()] } });
    const bytes = await env.ser().serialize('pay', customer());
    expect(bytes.readInt32BE(1)).toBe(id);
    expect(bytes.length).toBe(5 + Buffer.byteLength(JSON.stringify(customer())) + 28);
    expect(leaked(bytes, [...PLAINTEXTS, 'Alice', 'vip-customer'])).toEqual([]);
    const r = await env.de().deserializeWithReport('pay', bytes);
    expect(r.value).toEqual(customer());
    expect(r.outcomes).toEqual([{ rule: 'encryptPayload', field: '$payload', outcome: 'decrypted', kek: 'kek1', dekVersion: 1 }]);
  });

  it('payload and field rules together', async () => {
    const env = makeEnv();
    await env.register('both', CUSTOMER, { ruleSet: { domainRules: [encryptRule()], encodingRules: [payloadRule()] } });
    const bytes = await env.ser().serialize('both', customer());
    const r = await env.de().deserializeWithReport('both', bytes);
    expect(r.value).toEqual(customer());
    expect(r.outcomes[0]).toEqual({ rule: 'encryptPayload', field: '$payload', outcome: 'decrypted', kek: 'kek1', dekVersion: 1 });
    expect(r.outcomes.length).toBe(8);
  });
});

describe('validation', () => {
  const SCHEMA = { type: 'object', properties: { email: { type: 'string', format: 'email', maxLength: 40, 'confluent:tags': ['PII'] }, n: { type: 'integer' } }, required: ['email'] };

  it('writes validate the plaintext before any rule (format / maxLength on an encrypted field work)', async () => {
    const env = makeEnv();
    await env.register('val', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('val', { email: 'ok@example.com', n: 1 });
    expect(leaked(bytes, ['ok@example.com'])).toEqual([]);
    for (const [v, where, keyword] of [
      [{ email: 'not-an-email-secret' }, '/email', 'format'],
      [{ email: `${'a'.repeat(40)}@example.com` }, '/email', 'maxLength'],
      [{ email: 'ok@example.com', n: 'NaN-secret' }, '/n', 'type'],
      [{ n: 1 }, '<root>', 'required'],
    ] as const) {
      const e = await failure(env.ser().serialize('val', v));
      expect(e).toMatchObject({ name: 'SerdeError', code: ErrorCodes.SERIALIZATION_FAILED });
      expect((e as Error).message).toContain(`value at ${where} does not match the schema (keyword "${keyword}"`);
      expect(JSON.stringify(e)).not.toMatch(/secret|aaaa/);
    }
    // Invalid values never reach the KMS: one KEK/DEK from the valid write only.
    expect(await env.deks.listDekVersions('kek1', 'val-value')).toEqual([1]);
  });

  it('validate: false writes anything JSON; reads validate only when asked (after decryption)', async () => {
    const env = makeEnv();
    await env.register('val2', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser({ validate: false }).serialize('val2', { email: 'not-an-email', extra: 1 });
    expect(await env.de().deserialize('val2', bytes)).toEqual({ email: 'not-an-email', extra: 1 });
    const e = await failure(env.de({ validate: true }).deserialize('val2', bytes));
    expect(e).toMatchObject({ code: ErrorCodes.DESERIALIZATION_FAILED });
    expect((e as Error).message).toContain('value at /email does not match the schema (keyword "format"');
    await expect(env.de({ validate: true }).deserializeWithReport('val2', bytes)).rejects.toMatchObject({ code: ErrorCodes.DESERIALIZATION_FAILED });
    // A valid message passes read validation after decryption (the ciphertext itself would fail `format`).
    const good = await env.ser().serialize('val2', { email: 'ok@example.com' });
    expect(await env.de({ validate: true }).deserialize('val2', good)).toEqual({ email: 'ok@example.com' });
  });

  it('createJsonSchemaSerde: `validate` applies to both sides; by default writes validate and reads do not', async () => {
    const env = makeEnv();
    await env.register('val3', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const base = { registry: env.registry, deks: env.deks, kms: [createLocalKms({ secret: 'mysecret' })], useLatestVersion: true };
    const loose = createJsonSchemaSerde({ ...base, validate: false });
    const bad = await loose.serialize('val3', { email: 'bad' });
    expect(await createJsonSchemaSerde(base).deserialize('val3', bad)).toEqual({ email: 'bad' });
    await expect(createJsonSchemaSerde(base).serialize('val3', { email: 'bad' })).rejects.toMatchObject({ code: ErrorCodes.SERIALIZATION_FAILED });
    await expect(createJsonSchemaSerde({ ...base, validate: true }).deserialize('val3', bad)).rejects.toMatchObject({ code: ErrorCodes.DESERIALIZATION_FAILED });
  });

  it('ajvOptions pass through: custom formats, allErrors, strict', async () => {
    const env = makeEnv();
    await env.register('ajv', { type: 'object', properties: { code: { type: 'string', format: 'acme-code' } } });
    const strictSer = env.ser({ ajvOptions: { formats: { 'acme-code': /^AC-\d+$/ } } });
    expect(body(await strictSer.serialize('ajv', { code: 'AC-1' }))).toEqual({ code: 'AC-1' });
    await expect(strictSer.serialize('ajv', { code: 'nope' })).rejects.toMatchObject({ code: ErrorCodes.SERIALIZATION_FAILED });
    // Unknown format with strict mode on: the schema cannot be compiled → SCHEMA_ERROR.
    await expect(env.ser({ ajvOptions: { strict: true } }).serialize('ajv', { code: 'AC-1' })).rejects.toMatchObject({ code: ErrorCodes.SCHEMA_ERROR });
    // Default (strict off): unknown formats and vendor keywords are ignored.
    await env.register('vendor', { type: 'object', 'x-vendor': { any: 1 }, properties: { a: { type: 'string', javaType: 'java.lang.String' } } });
    expect(body(await env.ser().serialize('vendor', { a: 'x' }))).toEqual({ a: 'x' });
  });

  it('draft-06, draft-07, 2019-09 and 2020-12 are validated with their own rules', async () => {
    const env = makeEnv();
    const cases: Array<[string, object, unknown, unknown]> = [
      ['draft-06', { $schema: 'http://json-schema.org/draft-06/schema#', type: 'object', properties: { n: { type: 'integer', exclusiveMaximum: 5 } } }, { n: 4 }, { n: 5 }],
      ['draft-07', { $schema: 'http://json-schema.org/draft-07/schema#', if: { type: 'string' }, then: { minLength: 2 } }, 'ab', 'a'],
      ['2019-09', { $schema: 'https://json-schema.org/draft/2019-09/schema', type: 'object', dependentRequired: { a: ['b'] } }, { a: 1, b: 2 }, { a: 1 }],
      ['2020-12', { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'integer' }], items: false }, [1], [1, 2]],
    ];
    for (const [name, schema, good, bad] of cases) {
      await env.register(`dr-${name}`, schema);
      expect(JSON.parse((await env.ser().serialize(`dr-${name}`, good)).subarray(5).toString())).toEqual(good);
      await expect(env.ser().serialize(`dr-${name}`, bad)).rejects.toMatchObject({ code: ErrorCodes.SERIALIZATION_FAILED });
    }
  });
});

describe('options', () => {
  it('bad options are rejected eagerly with TypeErrors', () => {
    const env = makeEnv();
    const base = { registry: env.registry };
    expect(() => createJsonSchemaSerializer(undefined as never)).toThrow(TypeError);
    expect(() => createJsonSchemaSerializer({} as never)).toThrow(TypeError);
    expect(() => createJsonSchemaSerializer({ ...base, schema: '{not json' })).toThrow(/expected JSON Schema text/);
    expect(() => createJsonSchemaSerializer({ ...base, schema: '[1,2]' })).toThrow(TypeError);
    expect(() => createJsonSchemaSerializer({ ...base, schema: { type: 'object', properties: { a: { $ref: '#/nowhere' } } } })).toThrow(/cannot be resolved/);
    expect(() => createJsonSchemaSerializer({ ...base, schema: { type: 12 } })).toThrow(/valid JSON Schema/);
    expect(() => createJsonSchemaSerializer({ ...base, schema: { schema: '{}', schemaType: 'AVRO' } })).toThrow(/schemaType/);
    expect(() => createJsonSchemaSerializer({ ...base, validate: 'yes' as never })).toThrow(/validate/);
    expect(() => createJsonSchemaDeserializer({ ...base, ajvOptions: 3 as never })).toThrow(/ajvOptions/);
    expect(() => createJsonSchemaSerializer({ ...base, schema: 42 as never })).toThrow(TypeError);
    // ajv compiles the local schema eagerly only when writes validate (draft-04 has no ajv dialect here).
    const draft04 = { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' };
    expect(() => createJsonSchemaSerializer({ ...base, schema: draft04 })).toThrow(/valid JSON Schema/);
    expect(() => createJsonSchemaSerializer({ ...base, schema: draft04, validate: false })).not.toThrow();
    // A schema with references is checked when first used (it needs the registry).
    expect(() => createJsonSchemaSerializer({ ...base, schema: { schema: '{"$ref":"x.json"}', references: [{ name: 'x.json', subject: 'x', version: 1 }] } })).not.toThrow();
  });
});
