/**
 * The registry contract suite, written once and run against every implementation
 * (conventions §5): the in-memory registries (packages/registry/test/memory.test.ts) and the
 * HTTP clients talking to the test server over 127.0.0.1 (test/registry-http.test.ts).
 *
 * Semantics follow Confluent's server (docs/confluent-csfle-format.md §4 and the Java
 * schema-registry / dek-registry sources).
 */
import type { DekAlgorithm, Kek, RegistryError, RuleSet, SchemaInfo } from '@csfle/core';
import { isRegistryError } from '@csfle/core';
import type { DekRegistryAdminClient, GeneratedDek, SchemaRegistryAdminClient } from '@csfle/registry';

/** What a test gets from the implementation under test. */
export interface RegistryUnderTest {
  readonly schemas: SchemaRegistryAdminClient;
  readonly deks: DekRegistryAdminClient;
  close(): Promise<void>;
}

/** Server-side knobs the suite needs to control. */
export interface RegistrySetup {
  readonly clock: () => number;
  readonly generateDek?: (kek: Kek, algorithm: DekAlgorithm) => Promise<GeneratedDek>;
}

export type MakeRegistry = (setup: RegistrySetup) => Promise<RegistryUnderTest>;

const AVRO_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Customer',
  namespace: 'com.example',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'ssn', type: 'string', 'confluent:tags': ['PII'] },
  ],
});

const AVRO_SCHEMA_V2 = JSON.stringify({
  type: 'record',
  name: 'Customer',
  namespace: 'com.example',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'ssn', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'email', type: ['null', 'string'], default: null },
  ],
});

const RULE_SET: RuleSet = {
  domainRules: [
    {
      name: 'encryptPII',
      kind: 'TRANSFORM',
      mode: 'WRITEREAD',
      type: 'ENCRYPT',
      tags: ['PII'],
      params: {
        'encrypt.kek.name': 'kek1',
        'encrypt.kms.type': 'local-kms',
        'encrypt.kms.key.id': 'mykey',
        'encrypt.dek.algorithm': 'AES256_GCM',
      },
      onFailure: 'ERROR,NONE',
    },
  ],
  encodingRules: [{ name: 'payload', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT_PAYLOAD', params: { 'encrypt.kek.name': 'kek1' } }],
};

const METADATA = {
  tags: { 'com.example.Customer.id': ['PRIVATE'] },
  properties: { owner: 'team-a', 'encrypt.kek.name': 'kek1' },
  sensitive: ['ssn'],
};

/** Asserts a rejection is a RegistryError with the given status / error code. */
export async function expectRegistryError(
  promise: Promise<unknown>,
  status: number,
  registryErrorCode: number,
  code?: string,
): Promise<RegistryError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  expect(isRegistryError(caught)).toBe(true);
  const err = caught as RegistryError;
  expect({ status: err.status, registryErrorCode: err.registryErrorCode }).toEqual({ status, registryErrorCode });
  if (code !== undefined) expect(err.code).toBe(code);
  return err;
}

/** A fake server-side KMS: "wraps" by base64-ing a marker + the key (never use for real). */
export function fakeGenerateDek(): (kek: Kek, algorithm: DekAlgorithm) => Promise<GeneratedDek> {
  let n = 0;
  return async (kek, algorithm) => {
    n++;
    const raw = Buffer.from(`raw-${algorithm}-${n}`);
    return {
      keyMaterial: raw.toString('base64'),
      encryptedKeyMaterial: Buffer.concat([Buffer.from(`wrapped-by-${kek.kmsKeyId}:`), raw]).toString('base64'),
    };
  };
}

/**
 * Defines the contract tests for one implementation.
 *
 * @param name - implementation name for the describe block.
 * @param make - builds a fresh, empty registry pair for each test.
 */
export function registryContract(name: string, make: MakeRegistry): void {
  describe(`registry contract: ${name}`, () => {
    let now = 1_700_000_000_000;
    const clock = (): number => now;
    let reg: RegistryUnderTest;
    let generateDek: ReturnType<typeof fakeGenerateDek>;

    beforeEach(async () => {
      now = 1_700_000_000_000;
      generateDek = fakeGenerateDek();
      reg = await make({ clock, generateDek });
    });
    afterEach(async () => {
      await reg.close();
    });

    describe('schemas', () => {
      it('register returns a global id that is stable per identical schema', async () => {
        const info: SchemaInfo = { schema: AVRO_SCHEMA };
        const id = await reg.schemas.register('customers-value', info);
        expect(id).toBeGreaterThan(0);
        expect(await reg.schemas.register('customers-value', info)).toBe(id);
        // Same schema under another subject: same id, version 1 there.
        expect(await reg.schemas.register('other-value', info)).toBe(id);
        const full = await reg.schemas.registerFull('other-value', info);
        expect(full).toMatchObject({ id, version: 1 });
        // A different schema gets a new id; AVRO given explicitly equals absent schemaType.
        const id2 = await reg.schemas.register('customers-value', { schema: AVRO_SCHEMA_V2, schemaType: 'AVRO' });
        expect(id2).not.toBe(id);
        expect(await reg.schemas.register('customers-value', { schema: AVRO_SCHEMA_V2 })).toBe(id2);
        expect(await reg.schemas.getVersions('customers-value')).toEqual([1, 2]);
        expect(await reg.schemas.getSubjects()).toEqual(['customers-value', 'other-value']);
      });

      it('registerFull answers id, version and guid', async () => {
        const full = await reg.schemas.registerFull('s-value', { schema: AVRO_SCHEMA });
        expect(full).toMatchObject({ id: expect.any(Number), version: 1, schema: AVRO_SCHEMA });
        expect(typeof full.guid).toBe('string');
        const byGuid = await reg.schemas.getByGuid(full.guid as string);
        expect(byGuid.schema).toBe(AVRO_SCHEMA);
        expect(byGuid.guid).toBe(full.guid);
      });

      it('metadata and ruleSet change the identity and round-trip exactly', async () => {
        const plain = await reg.schemas.register('c-value', { schema: AVRO_SCHEMA });
        const info: SchemaInfo = { schema: AVRO_SCHEMA, schemaType: 'AVRO', metadata: METADATA, ruleSet: RULE_SET };
        const id = await reg.schemas.register('c-value', info);
        expect(id).not.toBe(plain);
        const byId = await reg.schemas.getById(id);
        expect(byId).toMatchObject({ id, schema: AVRO_SCHEMA, metadata: METADATA, ruleSet: RULE_SET });
        expect(byId.metadata).toEqual(METADATA);
        expect(byId.ruleSet).toEqual(RULE_SET);
        // Like Confluent's server, AVRO is the absent schemaType.
        expect(byId.schemaType).toBeUndefined();
        const latest = await reg.schemas.getLatest('c-value');
        expect(latest).toMatchObject({ subject: 'c-value', version: 2, id });
        expect(latest.ruleSet).toEqual(RULE_SET);
        expect(latest.metadata).toEqual(METADATA);
        // Lookup needs the same metadata/ruleSet to find the same version.
        expect(await reg.schemas.lookup('c-value', info)).toMatchObject({ id, version: 2, subject: 'c-value' });
        expect(await reg.schemas.lookup('c-value', { schema: AVRO_SCHEMA })).toMatchObject({ id: plain, version: 1 });
      });

      it('a new version registered without metadata or ruleSet keeps the previous version\'s (as Confluent\'s server does)', async () => {
        await reg.schemas.register('inh-value', { schema: AVRO_SCHEMA, metadata: METADATA, ruleSet: RULE_SET });
        // A developer evolves the schema and registers only the schema text: the rules stay.
        const v2 = await reg.schemas.registerFull('inh-value', { schema: AVRO_SCHEMA_V2 });
        expect(v2.version).toBe(2);
        const latest = await reg.schemas.getLatest('inh-value');
        expect(latest.ruleSet).toEqual(RULE_SET);
        expect(latest.metadata).toEqual(METADATA);
        // What is given wins, field by field: an explicit (empty) ruleSet replaces, metadata still inherited.
        const v3 = await reg.schemas.registerFull('inh-value', { schema: AVRO_SCHEMA_V2, ruleSet: {} });
        expect(v3.version).toBe(3);
        const third = await reg.schemas.getByVersion('inh-value', 3); // (not getLatest: clients may cache "latest")
        expect(third.ruleSet).toEqual({});
        expect(third.metadata).toEqual(METADATA);
        // The first version of a subject has nothing to inherit.
        await reg.schemas.register('fresh-value', { schema: AVRO_SCHEMA });
        expect((await reg.schemas.getLatest('fresh-value')).ruleSet).toBeUndefined();
      });

      it('keeps JSON and PROTOBUF schema types', async () => {
        const json = JSON.stringify({ type: 'object', properties: { a: { type: 'string' } } });
        const id = await reg.schemas.register('j-value', { schema: json, schemaType: 'JSON' });
        expect(await reg.schemas.getById(id)).toMatchObject({ schema: json, schemaType: 'JSON' });
        const proto = 'syntax = "proto3";\nmessage M { string a = 1; }\n';
        const pid = await reg.schemas.register('p-value', { schema: proto, schemaType: 'PROTOBUF' });
        expect(await reg.schemas.getByVersion('p-value', 1)).toMatchObject({ id: pid, schema: proto, schemaType: 'PROTOBUF' });
      });

      it('lookup: 40401 for an unknown subject, 40403 for an unknown schema', async () => {
        await expectRegistryError(reg.schemas.lookup('nope-value', { schema: AVRO_SCHEMA }), 404, 40401, 'REGISTRY_NOT_FOUND');
        await reg.schemas.register('l-value', { schema: AVRO_SCHEMA });
        await expectRegistryError(reg.schemas.lookup('l-value', { schema: AVRO_SCHEMA_V2 }), 404, 40403, 'REGISTRY_NOT_FOUND');
      });

      it('getById: 40403 for an unknown id', async () => {
        await expectRegistryError(reg.schemas.getById(4242), 404, 40403, 'REGISTRY_NOT_FOUND');
      });

      it('getByVersion / getLatest: by version, -1 = latest, 40401 / 40402', async () => {
        const id1 = await reg.schemas.register('v-value', { schema: AVRO_SCHEMA });
        const id2 = await reg.schemas.register('v-value', { schema: AVRO_SCHEMA_V2 });
        expect(await reg.schemas.getByVersion('v-value', 1)).toMatchObject({ id: id1, version: 1, subject: 'v-value', schema: AVRO_SCHEMA });
        expect(await reg.schemas.getByVersion('v-value', -1)).toMatchObject({ id: id2, version: 2 });
        expect(await reg.schemas.getLatest('v-value')).toMatchObject({ id: id2, version: 2, schema: AVRO_SCHEMA_V2 });
        await expectRegistryError(reg.schemas.getByVersion('v-value', 3), 404, 40402);
        await expectRegistryError(reg.schemas.getByVersion('none-value', 1), 404, 40401);
        await expectRegistryError(reg.schemas.getLatest('none-value'), 404, 40401);
        await expectRegistryError(reg.schemas.getVersions('none-value'), 404, 40401);
      });

      it('getLatestWithMetadata picks the highest version whose properties match', async () => {
        const a1 = await reg.schemas.register('m-value', { schema: AVRO_SCHEMA, metadata: { properties: { app: 'a', env: 'x' } } });
        const b = await reg.schemas.register('m-value', { schema: AVRO_SCHEMA, metadata: { properties: { app: 'b' } } });
        const a2 = await reg.schemas.register('m-value', { schema: AVRO_SCHEMA_V2, metadata: { properties: { app: 'a' } } });
        expect(await reg.schemas.getLatestWithMetadata('m-value', { app: 'a' })).toMatchObject({ id: a2, version: 3 });
        expect(await reg.schemas.getLatestWithMetadata('m-value', { app: 'b' })).toMatchObject({ id: b, version: 2 });
        expect(await reg.schemas.getLatestWithMetadata('m-value', { app: 'a', env: 'x' })).toMatchObject({ id: a1, version: 1 });
        await expectRegistryError(reg.schemas.getLatestWithMetadata('m-value', { app: 'c' }), 404, 40403);
        await expectRegistryError(reg.schemas.getLatestWithMetadata('none-value', { app: 'a' }), 404, 40401);
      });

      it('references resolve and round-trip; unknown references are 42201', async () => {
        const address = JSON.stringify({ type: 'record', name: 'Address', namespace: 'com.example', fields: [{ name: 'city', type: 'string' }] });
        await reg.schemas.register('address', { schema: address });
        const person = JSON.stringify({
          type: 'record',
          name: 'Person',
          namespace: 'com.example',
          fields: [{ name: 'home', type: 'com.example.Address' }],
        });
        const references = [{ name: 'com.example.Address', subject: 'address', version: 1 }];
        const id = await reg.schemas.register('person-value', { schema: person, references });
        expect((await reg.schemas.getById(id)).references).toEqual(references);
        expect((await reg.schemas.getLatest('person-value')).references).toEqual(references);
        // The referenced version cannot be deleted while it is used.
        await expectRegistryError(reg.schemas.deleteSubjectVersion('address', 1), 422, 42206);
        await expectRegistryError(
          reg.schemas.register('bad-value', { schema: person, references: [{ name: 'x', subject: 'missing', version: 1 }] }),
          422,
          42201,
          'REGISTRY_ERROR',
        );
      });

      it('rejects invalid schemas and subjects with 422', async () => {
        await expectRegistryError(reg.schemas.register('x-value', { schema: '{not json' }), 422, 42201);
        await expectRegistryError(reg.schemas.register('x-value', { schema: '{}', schemaType: 'XML' }), 422, 42201);
      });

      it('soft and permanent deletes of versions and subjects', async () => {
        const id1 = await reg.schemas.register('d-value', { schema: AVRO_SCHEMA });
        await reg.schemas.register('d-value', { schema: AVRO_SCHEMA_V2 });
        await expectRegistryError(reg.schemas.deleteSubjectVersion('d-value', 2, { permanent: true }), 404, 40407);
        expect(await reg.schemas.deleteSubjectVersion('d-value', 2)).toBe(2);
        expect(await reg.schemas.getVersions('d-value')).toEqual([1]);
        expect(await reg.schemas.getVersions('d-value', { deleted: true })).toEqual([1, 2]);
        expect(await reg.schemas.getLatest('d-value')).toMatchObject({ version: 1, id: id1 });
        await expectRegistryError(reg.schemas.getByVersion('d-value', 2), 404, 40402);
        expect(await reg.schemas.getByVersion('d-value', 2, { deleted: true })).toMatchObject({ version: 2, schema: AVRO_SCHEMA_V2 });
        await expectRegistryError(reg.schemas.deleteSubjectVersion('d-value', 2), 404, 40406);
        expect(await reg.schemas.deleteSubjectVersion('d-value', 2, { permanent: true })).toBe(2);
        // Registering again after a delete: next version number, same id as before.
        expect(await reg.schemas.registerFull('d-value', { schema: AVRO_SCHEMA_V2 })).toMatchObject({ version: 2 });
        expect(await reg.schemas.deleteSubject('d-value')).toEqual([1, 2]);
        expect(await reg.schemas.getSubjects()).toEqual([]);
        expect(await reg.schemas.getSubjects({ deleted: true })).toEqual(['d-value']);
        await expectRegistryError(reg.schemas.getLatest('d-value'), 404, 40401);
        await expectRegistryError(reg.schemas.deleteSubject('d-value'), 404, 40404);
        expect(await reg.schemas.deleteSubject('d-value', { permanent: true })).toEqual([1, 2]);
        await expectRegistryError(reg.schemas.deleteSubject('d-value'), 404, 40401);
        // Schemas stay readable by id.
        expect((await reg.schemas.getById(id1)).schema).toBe(AVRO_SCHEMA);
      });

      it('config: global default, subject level, defaultToGlobal', async () => {
        expect(await reg.schemas.getConfig()).toMatchObject({ compatibilityLevel: 'BACKWARD' });
        await expectRegistryError(reg.schemas.getConfig('cfg-value'), 404, 40408);
        expect(await reg.schemas.getConfig('cfg-value', { defaultToGlobal: true })).toMatchObject({ compatibilityLevel: 'BACKWARD' });
        expect(await reg.schemas.setConfig('cfg-value', { compatibility: 'NONE' })).toEqual({ compatibility: 'NONE' });
        expect(await reg.schemas.getConfig('cfg-value')).toMatchObject({ compatibilityLevel: 'NONE' });
        await expectRegistryError(reg.schemas.setConfig(undefined, { compatibility: 'SOMETIMES' }), 422, 42203);
      });

      it('subject names with URL-special characters', async () => {
        const subject = 'a/b c?d#e%f-value';
        const id = await reg.schemas.register(subject, { schema: AVRO_SCHEMA });
        expect(await reg.schemas.getLatest(subject)).toMatchObject({ id, subject });
        expect(await reg.schemas.getSubjects()).toEqual([subject]);
      });
    });

    describe('KEKs', () => {
      const kek1 = { name: 'kek1', kmsType: 'local-kms', kmsKeyId: 'mykey', shared: false } as const;

      it('getKek resolves undefined when absent; createKek answers the stored entity', async () => {
        expect(await reg.deks.getKek('kek1')).toBeUndefined();
        const created = await reg.deks.createKek(kek1);
        expect(created).toEqual({ ...kek1, kmsProps: {}, ts: now, deleted: false });
        expect(await reg.deks.getKek('kek1')).toEqual(created);
        const full = await reg.deks.createKek({
          name: 'kek2',
          kmsType: 'aws-kms',
          kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc',
          kmsProps: { z: '1', a: '2' },
          doc: 'the doc',
          shared: true,
        });
        expect(full).toEqual({
          name: 'kek2',
          kmsType: 'aws-kms',
          kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc',
          kmsProps: { a: '2', z: '1' },
          doc: 'the doc',
          shared: true,
          ts: now,
          deleted: false,
        });
        expect(await reg.deks.listKeks()).toEqual(['kek1', 'kek2']);
      });

      it('a duplicate KEK is 409 / 40971', async () => {
        await reg.deks.createKek(kek1);
        const err = await expectRegistryError(reg.deks.createKek(kek1), 409, 40971, 'REGISTRY_ERROR');
        expect(err.retriable).toBe(false);
        await expectRegistryError(reg.deks.createKek({ ...kek1, kmsKeyId: 'other' }), 409, 40971);
      });

      it('validates KEK names and fields (422 / 42271)', async () => {
        await expectRegistryError(reg.deks.createKek({ ...kek1, name: '1abc' }), 422, 42271);
        await expectRegistryError(reg.deks.createKek({ ...kek1, name: 'a'.repeat(65) }), 422, 42271);
        await expectRegistryError(reg.deks.createKek({ ...kek1, name: 'has space' }), 422, 42271);
        await reg.deks.createKek({ ...kek1, name: '_Ok-name_1' });
      });

      it('soft delete, deleted reads, undelete, create-as-undelete, permanent delete', async () => {
        await reg.deks.createKek(kek1);
        now += 10;
        await reg.deks.deleteKek('kek1');
        expect(await reg.deks.getKek('kek1')).toBeUndefined();
        expect(await reg.deks.getKek('kek1', { deleted: true })).toMatchObject({ name: 'kek1', deleted: true });
        expect(await reg.deks.listKeks()).toEqual([]);
        expect(await reg.deks.listKeks({ deleted: true })).toEqual(['kek1']);
        await reg.deks.undeleteKek('kek1');
        expect(await reg.deks.getKek('kek1')).toMatchObject({ deleted: false });
        await reg.deks.deleteKek('kek1');
        // A create of an equivalent soft-deleted KEK revives it; a different one is 409.
        await expectRegistryError(reg.deks.createKek({ ...kek1, kmsKeyId: 'other' }), 409, 40971);
        expect(await reg.deks.createKek(kek1)).toMatchObject({ deleted: false });
        await expectRegistryError(reg.deks.deleteKek('kek1', { permanent: true }), 404, 40471);
        await reg.deks.deleteKek('kek1');
        await reg.deks.deleteKek('kek1', { permanent: true });
        expect(await reg.deks.getKek('kek1', { deleted: true })).toBeUndefined();
        await expectRegistryError(reg.deks.deleteKek('kek1'), 404, 40470, 'REGISTRY_NOT_FOUND');
      });

      it('updateKek changes kmsProps / doc / shared only', async () => {
        await reg.deks.createKek(kek1);
        now += 5;
        const updated = await reg.deks.updateKek('kek1', { kmsProps: { k: 'v' }, doc: 'd', shared: true });
        expect(updated).toEqual({ ...kek1, kmsProps: { k: 'v' }, doc: 'd', shared: true, ts: now, deleted: false });
        await expectRegistryError(reg.deks.updateKek('missing', { doc: 'x' }), 404, 40470);
      });

      it('a KEK with live DEKs cannot be deleted (422 / 42272)', async () => {
        await reg.deks.createKek(kek1);
        await reg.deks.createDek('kek1', { subject: 's-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'AAAA' });
        await expectRegistryError(reg.deks.deleteKek('kek1'), 422, 42272);
      });
    });

    describe('DEKs', () => {
      const kek1 = { name: 'kek1', kmsType: 'local-kms', kmsKeyId: 'mykey', shared: false } as const;
      const material = (n: number): string => Buffer.from(`wrapped-dek-${n}`).toString('base64');

      it('create / get / 409 / latest (-1) / versions', async () => {
        await reg.deks.createKek(kek1);
        expect(await reg.deks.getDek('kek1', 't-value', 1, 'AES256_GCM')).toBeUndefined();
        const d1 = await reg.deks.createDek('kek1', { subject: 't-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(1) });
        expect(d1).toEqual({
          kekName: 'kek1',
          subject: 't-value',
          version: 1,
          algorithm: 'AES256_GCM',
          encryptedKeyMaterial: material(1),
          ts: now,
          deleted: false,
        });
        expect(await reg.deks.getDek('kek1', 't-value', 1, 'AES256_GCM')).toEqual(d1);
        // Non-shared KEK: no keyMaterial from the server.
        expect(d1.keyMaterial).toBeUndefined();
        await expectRegistryError(
          reg.deks.createDek('kek1', { subject: 't-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(9) }),
          409,
          40971,
        );
        now += 1000;
        const d2 = await reg.deks.createDek('kek1', { subject: 't-value', version: 2, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(2) });
        expect(d2.ts).toBe(now);
        expect(await reg.deks.getDek('kek1', 't-value', -1, 'AES256_GCM')).toEqual(d2);
        expect(await reg.deks.listDekVersions('kek1', 't-value')).toEqual([1, 2]);
        expect(await reg.deks.listDekSubjects('kek1')).toEqual(['t-value']);
        // Algorithms are separate keys.
        expect(await reg.deks.getDek('kek1', 't-value', 1, 'AES256_SIV')).toBeUndefined();
        const siv = await reg.deks.createDek('kek1', { subject: 't-value', version: 1, algorithm: 'AES256_SIV', encryptedKeyMaterial: material(3) });
        expect(await reg.deks.getDek('kek1', 't-value', -1, 'AES256_SIV')).toEqual(siv);
        expect(await reg.deks.listDekVersions('kek1', 't-value', { algorithm: 'AES256_SIV' })).toEqual([1]);
      });

      it('a DEK under a missing KEK: create is 404 / 40470, get is undefined', async () => {
        await expectRegistryError(
          reg.deks.createDek('nokek', { subject: 's', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(1) }),
          404,
          40470,
          'REGISTRY_NOT_FOUND',
        );
        expect(await reg.deks.getDek('nokek', 's', 1, 'AES256_GCM')).toBeUndefined();
      });

      it('a non-shared KEK needs encryptedKeyMaterial (422 / 42271)', async () => {
        await reg.deks.createKek(kek1);
        await expectRegistryError(reg.deks.createDek('kek1', { subject: 's', version: 1, algorithm: 'AES256_GCM' }), 422, 42271);
      });

      it('soft-deleted DEKs are read with deleted=true; permanent delete needs a soft delete first', async () => {
        await reg.deks.createKek(kek1);
        await reg.deks.createDek('kek1', { subject: 'r-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(1) });
        await reg.deks.createDek('kek1', { subject: 'r-value', version: 2, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(2) });
        await expectRegistryError(reg.deks.deleteDek('kek1', 'r-value', 2, { permanent: true }), 404, 40471);
        now += 7;
        await reg.deks.deleteDek('kek1', 'r-value', 2);
        expect(await reg.deks.getDek('kek1', 'r-value', 2, 'AES256_GCM')).toBeUndefined();
        expect(await reg.deks.getDek('kek1', 'r-value', 2, 'AES256_GCM', { deleted: true })).toMatchObject({
          version: 2,
          deleted: true,
          encryptedKeyMaterial: material(2),
          ts: now,
        });
        // Latest skips the deleted version unless deleted=true.
        expect(await reg.deks.getDek('kek1', 'r-value', -1, 'AES256_GCM')).toMatchObject({ version: 1 });
        expect(await reg.deks.getDek('kek1', 'r-value', -1, 'AES256_GCM', { deleted: true })).toMatchObject({ version: 2 });
        expect(await reg.deks.listDekVersions('kek1', 'r-value')).toEqual([1]);
        expect(await reg.deks.listDekVersions('kek1', 'r-value', { deleted: true })).toEqual([1, 2]);
        // Re-creating the equivalent DEK revives it; different material is 409.
        await expectRegistryError(
          reg.deks.createDek('kek1', { subject: 'r-value', version: 2, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(5) }),
          409,
          40971,
        );
        await reg.deks.undeleteDek('kek1', 'r-value', 2);
        expect(await reg.deks.getDek('kek1', 'r-value', 2, 'AES256_GCM')).toMatchObject({ deleted: false });
        await reg.deks.deleteDek('kek1', 'r-value', 2);
        await reg.deks.deleteDek('kek1', 'r-value', 2, { permanent: true });
        expect(await reg.deks.getDek('kek1', 'r-value', 2, 'AES256_GCM', { deleted: true })).toBeUndefined();
        await expectRegistryError(reg.deks.deleteDek('kek1', 'r-value', 2), 404, 40470);
      });

      it('rewrap (?rewrap=true) replaces the wrapped material of an existing version, live or soft-deleted', async () => {
        await reg.deks.createKek(kek1);
        await reg.deks.createDek('kek1', { subject: 'w-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(1) });
        await reg.deks.createDek('kek1', { subject: 'w-value', version: 2, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(2) });
        await reg.deks.deleteDek('kek1', 'w-value', 1);
        now += 50;
        const r2 = await reg.deks.rewrapDek('kek1', { subject: 'w-value', version: 2, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(22) });
        expect(r2).toMatchObject({ version: 2, encryptedKeyMaterial: material(22), deleted: false, ts: now });
        expect(await reg.deks.getDek('kek1', 'w-value', 2, 'AES256_GCM')).toEqual(r2);
        const r1 = await reg.deks.rewrapDek('kek1', { subject: 'w-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(11) });
        expect(r1).toMatchObject({ version: 1, encryptedKeyMaterial: material(11), deleted: true });
        // Versions do not change; only the named one is touched.
        expect(await reg.deks.listDekVersions('kek1', 'w-value', { deleted: true })).toEqual([1, 2]);
        // A version (or algorithm) that does not exist is 404, and nothing is created.
        await expectRegistryError(reg.deks.rewrapDek('kek1', { subject: 'w-value', version: 3, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(3) }), 404, 40470);
        await expectRegistryError(reg.deks.rewrapDek('kek1', { subject: 'w-value', version: 1, algorithm: 'AES256_SIV', encryptedKeyMaterial: material(3) }), 404, 40470);
        expect(await reg.deks.getDek('kek1', 'w-value', 3, 'AES256_GCM', { deleted: true })).toBeUndefined();
        await expectRegistryError(reg.deks.rewrapDek('nokek', { subject: 'w-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(3) }), 404, 40470);
      });

      it('DEKs under a soft-deleted KEK need deleted=true', async () => {
        await reg.deks.createKek(kek1);
        await reg.deks.createDek('kek1', { subject: 'k-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(1) });
        await reg.deks.deleteDek('kek1', 'k-value', 1);
        await reg.deks.deleteKek('kek1');
        expect(await reg.deks.getDek('kek1', 'k-value', 1, 'AES256_GCM')).toBeUndefined();
        expect(await reg.deks.getDek('kek1', 'k-value', 1, 'AES256_GCM', { deleted: true })).toMatchObject({ deleted: true });
        await expectRegistryError(reg.deks.undeleteDek('kek1', 'k-value', 1), 404, 40472);
      });

      it('shared KEK: the server generates the DEK and answers keyMaterial', async () => {
        await reg.deks.createKek({ name: 'shared1', kmsType: 'local-kms', kmsKeyId: 'server-key', shared: true });
        const dek = await reg.deks.createDek('shared1', { subject: 'sh-value', version: 1, algorithm: 'AES128_GCM' });
        const expectedRaw = Buffer.from('raw-AES128_GCM-1');
        expect(dek).toEqual({
          kekName: 'shared1',
          subject: 'sh-value',
          version: 1,
          algorithm: 'AES128_GCM',
          keyMaterial: expectedRaw.toString('base64'),
          encryptedKeyMaterial: Buffer.concat([Buffer.from('wrapped-by-server-key:'), expectedRaw]).toString('base64'),
          ts: now,
          deleted: false,
        });
        expect(await reg.deks.getDek('shared1', 'sh-value', 1, 'AES128_GCM')).toEqual(dek);
        expect(await reg.deks.getDek('shared1', 'sh-value', -1, 'AES128_GCM')).toEqual(dek);
        // A shared KEK still accepts client-generated material.
        const own = await reg.deks.createDek('shared1', {
          subject: 'sh-value',
          version: 2,
          algorithm: 'AES128_GCM',
          encryptedKeyMaterial: material(2),
        });
        expect(own.encryptedKeyMaterial).toBe(material(2));
      });

      it('validates DEK subjects (422 / 42271)', async () => {
        await reg.deks.createKek(kek1);
        await expectRegistryError(
          reg.deks.createDek('kek1', { subject: 'bad\u0001subject', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: material(1) }),
          422,
          42271,
        );
      });
    });
  });

  describe(`registry contract: ${name} without server-side KMS`, () => {
    it('a shared-KEK DEK without material fails like an unreachable KMS (500 / 50070)', async () => {
      const reg = await make({ clock: () => 1 });
      try {
        await reg.deks.createKek({ name: 'shared1', kmsType: 'local-kms', kmsKeyId: 'k', shared: true });
        const err = await expectRegistryError(
          reg.deks.createDek('shared1', { subject: 's', version: 1, algorithm: 'AES256_GCM' }),
          500,
          50070,
          'REGISTRY_UNAVAILABLE',
        );
        expect(err.retriable).toBe(true);
      } finally {
        await reg.close();
      }
    });
  });
}
