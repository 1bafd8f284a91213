/**
 * Avro serde: framing, round trips and the field walk over every Avro shape (nested records,
 * arrays, maps, wrapped and unwrapped unions, named type references, recursion, schema
 * references, external wildcard tags, logical types), payload encryption, subject strategies.
 */
import avsc from 'avsc';
import { ErrorCodes, SubjectNameStrategies, isCsfleError, type FieldOutcome } from '@csfle/core';
import { createAvroSerde, createAvroSerializer } from '@csfle/avro';
import { clone, deepFreeze, encryptRule, isBase64, makeEnv, payloadRule, plain } from './helpers.js';

const CUSTOMER = {
  type: 'record',
  name: 'Customer',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'name', type: 'string' },
    { name: 'ssn', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'photo', type: 'bytes', 'confluent:tags': ['PII'] },
    { name: 'email', type: ['null', 'string'], default: null, 'confluent:tags': ['PII'] },
    {
      name: 'address',
      type: {
        type: 'record',
        name: 'Address',
        fields: [
          { name: 'street', type: 'string', 'confluent:tags': ['PII'] },
          { name: 'zip', type: 'string' },
        ],
      },
    },
    { name: 'phones', type: { type: 'array', items: 'string' }, 'confluent:tags': ['PII'] },
    { name: 'attrs', type: { type: 'map', values: 'string' }, 'confluent:tags': ['PII'] },
    { name: 'previous', type: { type: 'array', items: 'Address' } },
    { name: 'work', type: ['null', 'Address'], default: null },
    { name: 'labels', type: { type: 'array', items: 'string' } },
  ],
};

const customer = () => ({
  id: 7,
  name: 'Alice',
  ssn: '123-45-6789',
  photo: Buffer.from('raw-photo-bytes'),
  email: 'alice@example.com',
  address: { street: '1 Main St', zip: '94105' },
  phones: ['555-0100', '555-0101'],
  attrs: { mother: 'Eve Maiden-Name', pet: 'Rex the dog' },
  previous: [{ street: '2 Old Rd', zip: '10001' }],
  work: { street: '3 Office Pk', zip: '20002' },
  labels: ['vip'],
});

// Every value has a space or a hyphen and at least 8 bytes: none can turn up by chance in base64
// ciphertext (3-letter values such as 'Eve' did, about once in a thousand runs).
const PLAINTEXTS = ['123-45-6789', 'raw-photo-bytes', 'alice@example.com', '1 Main St', '555-0100', '555-0101', 'Eve Maiden-Name', 'Rex the dog', '2 Old Rd', '3 Office Pk'];

function containsAny(buf: Buffer, needles: readonly string[]): string[] {
  return needles.filter((n) => buf.includes(Buffer.from(n, 'utf8')));
}

/** Decodes a framed message's body with the plain schema (to look at ciphertext). */
function rawBody(schema: object, bytes: Buffer, opts: Parameters<typeof avsc.Type.forSchema>[1] = {}): Record<string, unknown> {
  return avsc.Type.forSchema(schema as avsc.Schema, opts).fromBuffer(bytes.subarray(5)) as Record<string, unknown>;
}

describe('framing and plain round trips', () => {
  it('writes 0x00 + int32 id + the avsc encoding, and reads it back', async () => {
    const env = makeEnv();
    const id = await env.register('plain', CUSTOMER);
    const bytes = await env.ser().serialize('plain', customer());
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(id);
    expect(bytes.subarray(5)).toEqual(avsc.Type.forSchema(CUSTOMER as avsc.Schema).toBuffer(customer()));
    expect(plain(await env.de().deserialize('plain', bytes))).toEqual(customer());
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
    const body = bytes.subarray(5);
    const de = env.de();
    expect(plain(await de.deserialize('guid', Buffer.concat([Buffer.from([1]), guidBytes, body])))).toEqual(customer());
    // Header mode: the payload carries no prefix at all.
    const header = Buffer.concat([Buffer.from([1]), guidBytes]);
    expect(plain(await de.deserialize('guid', body, { __value_schema_id: header }))).toEqual(customer());
    const r = await de.deserializeWithReport('guid', body, { __value_schema_id: [header] });
    expect(r.schemaId).toBe(id);
    // The id form in the header works too.
    const idHeader = bytes.subarray(0, 5);
    expect(plain(await de.deserialize('guid', body, { __value_schema_id: idHeader }))).toEqual(customer());

    // Keys use `<topic>-key` and the key header.
    const keySchema = { type: 'record', name: 'Key', fields: [{ name: 'k', type: 'string', 'confluent:tags': ['PII'] }] };
    const kid = await env.register('guid', keySchema, { ruleSet: { domainRules: [encryptRule()] } }, 'guid-key');
    const kser = env.ser({ isKey: true });
    const kbytes = await kser.serialize('guid', { k: 'secret-key' });
    expect(kbytes.readInt32BE(1)).toBe(kid);
    expect(await env.deks.listDekSubjects('kek1')).toEqual(expect.arrayContaining(['guid-key', 'guid-value']));
    const kde = env.de({ isKey: true });
    expect(plain(await kde.deserialize('guid', kbytes.subarray(5), { __key_schema_id: kbytes.subarray(0, 5) }))).toEqual({ k: 'secret-key' });
  });

  it('autoRegisterSchemas and lookup take rules and tags from the registry copy', async () => {
    const env = makeEnv();
    // auto-register: the local schema (with inline tags and rules in SchemaInfo) is registered.
    const ser = env.ser({
      useLatestVersion: false,
      autoRegisterSchemas: true,
      schema: { schema: JSON.stringify(CUSTOMER), ruleSet: { domainRules: [encryptRule()] } },
    });
    const bytes = await ser.serialize('auto', customer());
    expect(containsAny(bytes, PLAINTEXTS)).toEqual([]);
    expect((await env.registry.getLatest('auto-value')).id).toBe(bytes.readInt32BE(1));
    expect(plain(await env.de().deserialize('auto', bytes))).toEqual(customer());

    // lookup (the default): the registered copy carries the rule; the local one does not.
    const id = await env.register('lookup', CUSTOMER);
    const lookupSer = env.ser({ useLatestVersion: false, schema: CUSTOMER });
    expect((await lookupSer.serialize('lookup', customer())).readInt32BE(1)).toBe(id);
    await expect(env.ser({ useLatestVersion: false, schema: JSON.stringify({ ...CUSTOMER, name: 'Other' }) }).serialize('lookup', customer())).rejects.toMatchObject({
      code: ErrorCodes.REGISTRY_NOT_FOUND,
    });
    // useSchemaId
    const byId = env.ser({ useLatestVersion: false, useSchemaId: id });
    expect((await byId.serialize('whatever-topic', customer())).readInt32BE(1)).toBe(id);
  });

  it('subject name strategies: record and topicRecord use the record full name (also for DEKs)', async () => {
    const env = makeEnv();
    await env.register('t', CUSTOMER, { ruleSet: { domainRules: [encryptRule()] } }, 'bench.Customer');
    await env.register('t', CUSTOMER, { ruleSet: { domainRules: [encryptRule()] } }, 't-bench.Customer');
    const rec = createAvroSerde({
      registry: env.registry,
      deks: env.deks,
      kms: [(await import('@csfle/core')).createLocalKms({ secret: 'mysecret' })],
      useLatestVersion: true,
      schema: CUSTOMER,
      subjectNameStrategy: SubjectNameStrategies.record,
    });
    const b1 = await rec.serialize('t', customer());
    expect(plain(await rec.deserialize('t', b1))).toEqual(customer());
    const tr = env.ser({ schema: CUSTOMER, subjectNameStrategy: SubjectNameStrategies.topicRecord });
    const b2 = await tr.serialize('t', customer());
    expect(plain(await env.de({ subjectNameStrategy: SubjectNameStrategies.topicRecord }).deserialize('t', b2))).toEqual(customer());
    expect((await env.deks.listDekSubjects('kek1')).sort()).toEqual(['bench.Customer', 't-bench.Customer']);
    // Without a local schema the record strategies cannot name the subject.
    await expect(env.ser({ subjectNameStrategy: SubjectNameStrategies.record }).serialize('t', customer())).rejects.toMatchObject({
      code: ErrorCodes.SCHEMA_ERROR,
    });
  });
});

describe('field encryption across Avro shapes', () => {
  it('encrypts tagged fields in nested records, arrays, maps, unions and named type references', async () => {
    const env = makeEnv();
    await env.register('c', CUSTOMER, { ruleSet: { domainRules: [encryptRule()] } });
    const input = deepFreeze(customer());
    const before = clone(input);
    const bytes = await env.ser().serialize('c', input);
    expect(input).toEqual(before); // never mutated (it is also deep-frozen)
    expect(containsAny(bytes, PLAINTEXTS)).toEqual([]);

    const raw = rawBody(CUSTOMER, bytes);
    for (const s of [raw['ssn'], raw['email'], (raw['address'] as Record<string, unknown>)['street'], ...(raw['phones'] as string[]), ...Object.values(raw['attrs'] as object)]) {
      expect(isBase64(s)).toBe(true);
    }
    expect(Buffer.from(raw['ssn'] as string, 'base64')).toHaveLength('123-45-6789'.length + 28);
    // bytes: raw ciphertext, no base64
    expect(Buffer.isBuffer(raw['photo'])).toBe(true);
    expect(raw['photo']).toHaveLength('raw-photo-bytes'.length + 28);
    // untagged fields stay
    expect(raw['name']).toBe('Alice');
    expect((raw['address'] as Record<string, unknown>)['zip']).toBe('94105');
    expect(raw['labels']).toEqual(['vip']);
    // the named type Address is encrypted wherever it is used
    expect((raw['previous'] as Array<Record<string, unknown>>)[0]?.['street']).not.toBe('2 Old Rd');
    expect((raw['work'] as Record<string, unknown>)['street']).not.toBe('3 Office Pk');

    const r = await env.de().deserializeWithReport('c', bytes);
    expect(plain(r.value)).toEqual(customer());
    const fields = r.outcomes.map((o: FieldOutcome) => o.field).sort();
    expect(fields).toEqual(
      [
        'bench.Address.street',
        'bench.Address.street',
        'bench.Address.street',
        'bench.Customer.attrs',
        'bench.Customer.attrs',
        'bench.Customer.email',
        'bench.Customer.phones',
        'bench.Customer.phones',
        'bench.Customer.photo',
        'bench.Customer.ssn',
      ].sort(),
    );
    expect(new Set(r.outcomes.map((o) => o.outcome))).toEqual(new Set(['decrypted']));
  });

  it('passes nulls through and leaves empty containers alone', async () => {
    const env = makeEnv();
    // No kms type: creating the KEK would fail, so this proves nothing needed a key.
    const nullable = {
      type: 'record',
      name: 'N',
      fields: [
        { name: 'a', type: ['null', 'string'], 'confluent:tags': ['PII'] },
        { name: 'b', type: { type: 'array', items: 'string' }, 'confluent:tags': ['PII'] },
        { name: 'c', type: { type: 'map', values: ['null', 'bytes'] }, 'confluent:tags': ['PII'] },
      ],
    };
    await env.register('nulls', nullable, { ruleSet: { domainRules: [encryptRule({ params: { 'encrypt.kek.name': 'never-created' } })] } });
    const nv = { a: null, b: [], c: { k: null } };
    expect(plain(await env.de().deserialize('nulls', await env.ser().serialize('nulls', nv)))).toEqual(nv);
    expect(await env.deks.listKeks()).toEqual([]);

    await env.register('n', CUSTOMER, { ruleSet: { domainRules: [encryptRule()] } });
    const v = { ...customer(), ssn: '', photo: Buffer.alloc(0), email: null, phones: [], attrs: {}, previous: [], work: null };
    const bytes = await env.ser().serialize('n', v);
    const raw = rawBody(CUSTOMER, bytes);
    expect(raw['email']).toBeNull();
    expect(raw['work']).toBeNull();
    expect(Buffer.from(raw['ssn'] as string, 'base64')).toHaveLength(28); // an empty string is still encrypted
    expect(raw['photo']).toHaveLength(28);
    expect(plain(await env.de().deserialize('n', bytes))).toEqual(v);
  });

  it('wrapped unions (wrapUnions: true): values shaped { branch: value } are re-wrapped', async () => {
    const env = makeEnv();
    const schema = {
      type: 'record',
      name: 'W',
      namespace: 'ns',
      fields: [
        { name: 'a', type: ['null', 'string', 'bytes'], 'confluent:tags': ['PII'] },
        { name: 'b', type: ['null', 'string'], 'confluent:tags': ['PII'] },
        { name: 'c', type: ['null', { type: 'array', items: 'string' }], 'confluent:tags': ['PII'] },
      ],
    };
    await env.register('w', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const opts = { avroOptions: { wrapUnions: true } as const };
    const v = deepFreeze({ a: { bytes: Buffer.from('bin-secret') }, b: { string: 'str-secret' }, c: { array: ['x-secret', 'y-secret'] } });
    const bytes = await env.ser(opts).serialize('w', v);
    expect(containsAny(bytes, ['bin-secret', 'str-secret', 'x-secret', 'y-secret'])).toEqual([]);
    const raw = rawBody(schema, bytes, { wrapUnions: true });
    expect(Buffer.isBuffer((raw['a'] as Record<string, unknown>)['bytes'])).toBe(true);
    expect(isBase64((raw['b'] as Record<string, unknown>)['string'])).toBe(true);
    expect(plain(await env.de(opts).deserialize('w', bytes))).toEqual(v);
    const nulls = { a: null, b: null, c: null };
    expect(plain(await env.de(opts).deserialize('w', await env.ser(opts).serialize('w', nulls)))).toEqual(nulls);
  });

  it('ambiguous unions (two records) are wrapped by avsc default; each record branch is walked', async () => {
    const env = makeEnv();
    const schema = {
      type: 'record',
      name: 'Holder',
      namespace: 'ns',
      fields: [
        {
          name: 'pet',
          type: [
            'null',
            { type: 'record', name: 'Cat', fields: [{ name: 'name', type: 'string', 'confluent:tags': ['PII'] }] },
            { type: 'record', name: 'Dog', fields: [{ name: 'owner', type: 'string', 'confluent:tags': ['PII'] }, { name: 'age', type: 'int' }] },
          ],
        },
      ],
    };
    await env.register('amb', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const cat = { pet: { 'ns.Cat': { name: 'Tom' } } };
    const dog = { pet: { 'ns.Dog': { owner: 'Bob-the-owner', age: 3 } } };
    for (const v of [cat, dog]) {
      const bytes = await env.ser().serialize('amb', deepFreeze(v));
      expect(containsAny(bytes, ['Tom', 'Bob-the-owner'])).toEqual([]);
      expect(plain(await env.de().deserialize('amb', bytes))).toEqual(v);
    }
  });

  it('unwrapped unions pick the branch of the value (string vs record vs map vs array)', async () => {
    const env = makeEnv();
    const schema = {
      type: 'record',
      name: 'U',
      fields: [
        {
          name: 'u',
          type: ['null', 'string', 'int', { type: 'record', name: 'Inner', fields: [{ name: 's', type: 'string', 'confluent:tags': ['PII'] }] }, { type: 'array', items: 'string' }],
          'confluent:tags': ['PII'],
        },
      ],
    };
    await env.register('uu', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const cases = [{ u: 'top-secret' }, { u: { s: 'inner-secret' } }, { u: ['arr-secret'] }, { u: null }];
    for (const v of cases) {
      const bytes = await env.ser().serialize('uu', v);
      expect(containsAny(bytes, ['top-secret', 'inner-secret', 'arr-secret'])).toEqual([]);
      expect(plain(await env.de().deserialize('uu', bytes))).toEqual(v);
    }
    // The int branch is matched by the tag too: an int value cannot be encrypted.
    await expect(env.ser().serialize('uu', { u: 5 })).rejects.toMatchObject({ code: ErrorCodes.RULE_FAILED, fieldPath: 'U.u' });
  });

  it('recursive schemas: tagged fields at every depth', async () => {
    const env = makeEnv();
    const schema = {
      type: 'record',
      name: 'Node',
      namespace: 'tree',
      fields: [
        { name: 'label', type: 'string', 'confluent:tags': ['PII'] },
        { name: 'next', type: ['null', 'Node'], default: null },
        { name: 'children', type: { type: 'array', items: 'Node' }, default: [] },
      ],
    };
    await env.register('rec', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const v = {
      label: 'root-secret',
      next: { label: 'next-secret', next: { label: 'deep-secret', next: null, children: [] }, children: [] },
      children: [{ label: 'child-secret', next: null, children: [{ label: 'grandchild-secret', next: null, children: [] }] }],
    };
    const bytes = await env.ser().serialize('rec', deepFreeze(v));
    expect(containsAny(bytes, ['root-secret', 'next-secret', 'deep-secret', 'child-secret', 'grandchild-secret'])).toEqual([]);
    const r = await env.de().deserializeWithReport('rec', bytes);
    expect(plain(r.value)).toEqual(v);
    expect(r.outcomes).toHaveLength(5);
  });

  it('recursive schema without any matched field skips the walk (no DEK is created)', async () => {
    const env = makeEnv();
    const schema = {
      type: 'record',
      name: 'L',
      fields: [
        { name: 'v', type: 'string' },
        { name: 'next', type: ['null', 'L'] },
      ],
    };
    await env.register('norec', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const v = { v: 'a', next: { v: 'b', next: null } };
    expect(plain(await env.de().deserialize('norec', await env.ser().serialize('norec', v)))).toEqual(v);
    expect(await env.deks.listKeks()).toEqual([]);
  });

  it('schema references: referenced types are resolved and their inline tags apply', async () => {
    const env = makeEnv();
    const address = {
      type: 'record',
      name: 'Address',
      namespace: 'common',
      fields: [
        { name: 'street', type: 'string', 'confluent:tags': ['PII'] },
        { name: 'geo', type: { type: 'record', name: 'Geo', fields: [{ name: 'lat', type: 'string', 'confluent:tags': ['PII'] }] } },
      ],
    };
    await env.registry.register('common.Geo-holder', { schema: JSON.stringify({ type: 'enum', name: 'Kind', namespace: 'common', symbols: ['HOME', 'WORK'] }) });
    await env.registry.register('common.Address', { schema: JSON.stringify(address) });
    const person = {
      type: 'record',
      name: 'Person',
      namespace: 'app',
      fields: [
        { name: 'name', type: 'string', 'confluent:tags': ['PII'] },
        { name: 'home', type: 'common.Address' },
        { name: 'kind', type: 'common.Kind' },
        { name: 'others', type: { type: 'array', items: 'common.Address' } },
      ],
    };
    await env.register('refs', person, {
      ruleSet: { domainRules: [encryptRule()] },
      references: [
        { name: 'common.Address', subject: 'common.Address', version: 1 },
        { name: 'common.Kind', subject: 'common.Geo-holder', version: 1 },
      ],
    });
    const v = { name: 'Pat', home: { street: 'Ref St', geo: { lat: '37.7' } }, kind: 'HOME', others: [{ street: 'Other St', geo: { lat: '40.1' } }] };
    const bytes = await env.ser().serialize('refs', v);
    expect(containsAny(bytes, ['Pat', 'Ref St', '37.7', 'Other St', '40.1'])).toEqual([]);
    const r = await env.de().deserializeWithReport('refs', bytes);
    expect(plain(r.value)).toEqual(v);
    expect(r.outcomes.map((o) => o.field).sort()).toEqual(
      ['app.Person.name', 'common.Address.street', 'common.Address.street', 'common.Geo.lat', 'common.Geo.lat'].sort(),
    );
  });

  it('external tags with wildcards (metadata.tags) merge with inline tags', async () => {
    const env = makeEnv();
    const schema = {
      type: 'record',
      name: 'Customer',
      namespace: 'bench',
      fields: [
        { name: 'ssn', type: 'string' },
        { name: 'note', type: 'string' },
        { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 'ssn', type: 'string' }, { name: 'x', type: 'string' }] } },
        { name: 'tagged', type: 'string', 'confluent:tags': ['OTHER'] },
      ],
    };
    const v = { ssn: 'ssn-top', note: 'note-top', inner: { ssn: 'ssn-inner', x: 'x-inner' }, tagged: 'tagged-field' };

    // `**.ssn`: every field named ssn at any depth.
    await env.register('ext1', schema, { ruleSet: { domainRules: [encryptRule()] }, metadata: { tags: { '**.ssn': ['PII'] } } });
    let bytes = await env.ser().serialize('ext1', v);
    expect(containsAny(bytes, ['ssn-top', 'note-top', 'ssn-inner', 'x-inner', 'tagged-field'])).toEqual(['note-top', 'x-inner', 'tagged-field']);
    expect(plain(await env.de().deserialize('ext1', bytes))).toEqual(v);

    // `bench.Customer.*`: every direct field of Customer (one segment only); inline OTHER + rule on OTHER.
    await env.register('ext2', schema, {
      ruleSet: { domainRules: [encryptRule({ name: 'r1' }), encryptRule({ name: 'r2', tags: ['OTHER'] })] },
      metadata: { tags: { 'bench.Customer.*': ['PII'] } },
    });
    bytes = await env.ser().serialize('ext2', { ...v, inner: { ssn: 'ssn-inner', x: 'x-inner' } });
    expect(containsAny(bytes, ['ssn-top', 'note-top', 'ssn-inner', 'x-inner', 'tagged-field'])).toEqual(['ssn-inner', 'x-inner']);
    const r = await env.de().deserializeWithReport('ext2', bytes);
    expect(plain(r.value)).toEqual(v);
    // `tagged` has PII (external) and OTHER (inline): both rules encrypt it, in order, and both decrypt.
    expect(r.outcomes.filter((o) => o.field === 'bench.Customer.tagged').map((o) => o.rule)).toEqual(['r2', 'r1']);
  });

  it('logical type uuid on string is encrypted as a string', async () => {
    const env = makeEnv();
    const schema = { type: 'record', name: 'L', fields: [{ name: 'u', type: { type: 'string', logicalType: 'uuid' }, 'confluent:tags': ['PII'] }] };
    await env.register('uuid', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const v = { u: '8a1f0d0e-5d1b-4d5c-9a55-2f8cbd2c1c11' };
    const bytes = await env.ser().serialize('uuid', v);
    expect(isBase64(rawBody(schema, bytes)['u'])).toBe(true);
    expect(plain(await env.de().deserialize('uuid', bytes))).toEqual(v);
  });

  it('custom logical types (avroOptions.logicalTypes): dynamic union branches, non-string logical leaves refuse encryption', async () => {
    class DateType extends avsc.types.LogicalType {
      override _fromValue(val: number): Date {
        return new Date(val);
      }
      override _toValue(date: unknown): number | undefined {
        return date instanceof Date ? +date : undefined;
      }
      override _resolve(type: avsc.Type): ((x: number) => number) | undefined {
        return avsc.Type.isType(type, 'long', 'logical:timestamp-millis') ? (x) => x : undefined;
      }
    }
    const avroOptions = { logicalTypes: { 'timestamp-millis': DateType as never } };
    const env = makeEnv();
    const schema = {
      type: 'record',
      name: 'Ev',
      fields: [
        { name: 'at', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }, 'string'], 'confluent:tags': ['PII'] },
        { name: 'seen', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    };
    await env.register('logical', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const ser = env.ser({ avroOptions });
    const de = env.de({ avroOptions });
    const when = new Date(Date.UTC(2024, 1, 2));
    // A string in the union: the string branch is encrypted.
    const v = { at: 'string-secret', seen: when };
    const bytes = await ser.serialize('logical', v);
    expect(bytes.includes(Buffer.from('string-secret'))).toBe(false);
    expect(plain(await de.deserialize('logical', bytes))).toEqual({ at: 'string-secret', seen: {} });
    expect(((await de.deserialize('logical', bytes)) as { seen: Date }).seen.getTime()).toBe(when.getTime());
    // A Date in the union picks the logical (LONG) branch: it cannot be encrypted.
    await expect(ser.serialize('logical', { at: when, seen: when })).rejects.toMatchObject({ code: ErrorCodes.RULE_FAILED, fieldPath: 'Ev.at' });
  });

  it('top-level arrays and unions of records are walked', async () => {
    const env = makeEnv();
    const schema = { type: 'array', items: { type: 'record', name: 'Item', fields: [{ name: 's', type: 'string', 'confluent:tags': ['PII'] }] } };
    await env.register('arr', schema, { ruleSet: { domainRules: [encryptRule()] } });
    const v = [{ s: 'one-secret' }, { s: 'two-secret' }];
    const bytes = await env.ser().serialize('arr', v);
    expect(containsAny(bytes, ['one-secret', 'two-secret'])).toEqual([]);
    expect(plain(await env.de().deserialize('arr', bytes))).toEqual(v);
  });

  it('an untagged rule encrypts every string/bytes field and fails on the first other primitive', async () => {
    const env = makeEnv();
    const strings = { type: 'record', name: 'S', fields: [{ name: 'a', type: 'string' }, { name: 'b', type: 'bytes' }, { name: 'c', type: ['null', 'string'] }] };
    await env.register('untagged', strings, { ruleSet: { domainRules: [encryptRule({ tags: [] })] } });
    const v = { a: 'aaa-secret', b: Buffer.from('bbb-secret'), c: 'ccc-secret' };
    const bytes = await env.ser().serialize('untagged', v);
    expect(containsAny(bytes, ['aaa-secret', 'bbb-secret', 'ccc-secret'])).toEqual([]);
    expect(plain(await env.de().deserialize('untagged', bytes))).toEqual(v);

    const withInt = { type: 'record', name: 'I', fields: [{ name: 'a', type: 'string' }, { name: 'n', type: 'int' }] };
    await env.register('untagged-int', withInt, { ruleSet: { domainRules: [{ ...encryptRule(), tags: undefined } as never] } });
    const err = await env.ser().serialize('untagged-int', { a: 'plain-a', n: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.RULE_FAILED, fieldPath: 'I.n' });
    expect((err as Error).message).toContain('type INT not supported for encryption');
    expect((err as Error).message).not.toContain('plain-a');
  });

  it('a tagged field of another type goes through onFailure', async () => {
    const env = makeEnv();
    const schema = {
      type: 'record',
      name: 'T',
      fields: [
        { name: 'n', type: 'int', 'confluent:tags': ['PII'] },
        { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } },
        { name: 's', type: 'string', 'confluent:tags': ['PII'] },
      ],
    };
    await env.register('int-err', schema, { ruleSet: { domainRules: [encryptRule()] } });
    await expect(env.ser().serialize('int-err', { n: 42, e: 'A', s: 'str' })).rejects.toMatchObject({ code: ErrorCodes.RULE_FAILED, action: 'ERROR', fieldPath: 'T.n' });
    // onFailure NONE: refused by default (would write plaintext), allowed with the explicit opt-in.
    await env.register('int-none', schema, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' })] } });
    await expect(env.ser().serialize('int-none', { n: 42, e: 'A', s: 'str-secret' })).rejects.toMatchObject({ code: ErrorCodes.PLAINTEXT_REFUSED });
    const bytes = await env.ser({ unsafeAllowPlaintextOnWriteFailure: true }).serialize('int-none', { n: 42, e: 'A', s: 'str-secret' });
    // The whole rule failed, so the string field is in plaintext too (Confluent's behaviour).
    expect(containsAny(bytes, ['str-secret'])).toEqual(['str-secret']);
    expect(plain(await env.de().deserialize('int-none', bytes))).toMatchObject({ n: 42, e: 'A' });
    // Tagged enum
    const enumTagged = { ...schema, name: 'T2', fields: [{ name: 'e', type: { type: 'enum', name: 'E2', symbols: ['A'] }, 'confluent:tags': ['PII'] }] };
    await env.register('enum-err', enumTagged, { ruleSet: { domainRules: [encryptRule()] } });
    const e = await env.ser().serialize('enum-err', { e: 'A' }).catch((x: unknown) => x);
    expect(isCsfleError(e) && e.message).toContain('type ENUM not supported for encryption');
  });

  it('payload encryption (ENCRYPT_PAYLOAD): the whole body is ciphertext, framing stays clear', async () => {
    const env = makeEnv();
    const id = await env.register('payload', CUSTOMER, { ruleSet: { encodingRules: [payloadRule()] } });
    const bytes = await env.ser().serialize('payload', customer());
    expect(bytes.readInt32BE(1)).toBe(id);
    const plainBody = avsc.Type.forSchema(CUSTOMER as avsc.Schema).toBuffer(customer());
    expect(bytes.length).toBe(5 + plainBody.length + 28);
    expect(containsAny(bytes, PLAINTEXTS.concat(['Alice']))).toEqual([]);
    const r = await env.de().deserializeWithReport('payload', bytes);
    expect(plain(r.value)).toEqual(customer());
    expect(r.outcomes).toEqual([{ rule: 'encryptPayload', field: '$payload', outcome: 'decrypted', kek: 'kek1', dekVersion: 1 }]);
  });

  it('payload and field rules together', async () => {
    const env = makeEnv();
    await env.register('both', CUSTOMER, { ruleSet: { domainRules: [encryptRule()], encodingRules: [payloadRule({}, { 'encrypt.kek.name': 'kek-payload' })] } });
    const bytes = await env.ser().serialize('both', customer());
    const r = await env.de().deserializeWithReport('both', bytes);
    expect(plain(r.value)).toEqual(customer());
    expect(r.outcomes[0]).toEqual({ rule: 'encryptPayload', field: '$payload', outcome: 'decrypted', kek: 'kek-payload', dekVersion: 1 });
    expect(r.outcomes.length).toBe(11);
  });

  it('the serializer value never changes identity of untouched sub-trees and works on avsc record instances', async () => {
    const env = makeEnv();
    await env.register('inst', CUSTOMER, { ruleSet: { domainRules: [encryptRule()] } });
    const de = env.de();
    const ser = env.ser();
    const decoded = await de.deserialize('inst', await ser.serialize('inst', customer()));
    // Re-serialize the decoded avsc record instance (class with prototype) and read it again.
    const again = await de.deserialize('inst', await ser.serialize('inst', decoded));
    expect(plain(again)).toEqual(customer());
  });

  it('createAvroSerializer rejects bad options eagerly', () => {
    const env = makeEnv();
    expect(() => createAvroSerializer({ registry: undefined as never })).toThrow(TypeError);
    expect(() => env.ser({ schema: '{not json' })).toThrow(/"schema" expected Avro schema JSON/);
    expect(() => env.ser({ schema: { type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] } })).toThrow(/"schema" expected a valid Avro schema/);
    expect(() => env.ser({ schema: { schema: '{}', schemaType: 'JSON' } })).toThrow(/schemaType/);
    expect(() => env.ser({ avroOptions: 5 as never })).toThrow(TypeError);
  });
});
