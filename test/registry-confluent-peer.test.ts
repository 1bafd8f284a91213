/**
 * Confluent's own JS client (`@confluentinc/schemaregistry` 1.10.1) as the peer of our test
 * registry server, over HTTP on 127.0.0.1: its SchemaRegistryClient and DekRegistryClient
 * against our routes, cross-reads with our HTTP clients in both directions, and full CSFLE
 * round trips with its AvroSerializer / AvroDeserializer + FieldEncryptionExecutor +
 * LocalKmsDriver (secret `mysecret`, KEK `kek1`, `local-kms`, key id `mykey`).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { KmsClient } from '@csfle/core';
import { createKmsDekGenerator, createRegistryClients, type RegistryClients } from '@csfle/registry';
import { type RegistryServer, startRegistryServer } from '@csfle/registry/server';

// Confluent's package is CommonJS; require it so its process-global registries are the ones we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const confluent = require('@confluentinc/schemaregistry');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LocalKmsClient } = require('@confluentinc/schemaregistry/dist/rules/encryption/localkms/local-client');

const { SchemaRegistryClient, DekRegistryClient, AvroSerializer, AvroDeserializer, SerdeType, FieldEncryptionExecutor, LocalKmsDriver, RestError } =
  confluent;

const SECRET = 'mysecret';

/**
 * A minimal local KMS for the *server* side of shared KEKs (§2.2): HKDF-SHA256(secret) → 16-byte
 * key, AES-128-GCM, nonce(12) || ct || tag(16). Test-only; the product's local KMS lives in core.
 */
function testLocalKms(secret: string): KmsClient {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), Buffer.alloc(0), 16));
  return {
    kmsType: 'local-kms',
    supports: (uri) => uri.startsWith('local-kms://'),
    async wrap(_uri, plaintext) {
      const nonce = randomBytes(12);
      const c = createCipheriv('aes-128-gcm', key, nonce);
      return Buffer.concat([nonce, c.update(plaintext), c.final(), c.getAuthTag()]);
    },
    async unwrap(_uri, ciphertext) {
      const buf = Buffer.from(ciphertext);
      const d = createDecipheriv('aes-128-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(buf.length - 16));
      return Buffer.concat([d.update(buf.subarray(12, buf.length - 16)), d.final()]);
    },
  };
}

const DEMO_SCHEMA = JSON.stringify({
  name: 'DemoSchema',
  type: 'record',
  fields: [
    { name: 'intField', type: 'int' },
    { name: 'stringField', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'bytesField', type: 'bytes', 'confluent:tags': ['PII'] },
  ],
});

function encryptRule(kekName: string, extra: Record<string, string> = {}) {
  return {
    name: 'encryptPII',
    kind: 'TRANSFORM',
    mode: 'WRITEREAD',
    type: 'ENCRYPT',
    tags: ['PII'],
    params: {
      'encrypt.kek.name': kekName,
      'encrypt.kms.type': 'local-kms',
      'encrypt.kms.key.id': 'mykey',
      ...extra,
    },
    onFailure: 'ERROR,NONE',
  };
}

describe("Confluent's JS client against our registry server", () => {
  let server: RegistryServer;
  let ours: RegistryClients;
  // One client config for every Confluent serde: its executors are configured once per process.
  let clientConfig: { baseURLs: string[]; cacheCapacity: number; maxRetries: number };
  let srClient: InstanceType<typeof SchemaRegistryClient>;

  beforeAll(async () => {
    server = await startRegistryServer({ port: 0, ...createKmsDekGenerator(testLocalKms(SECRET)) });
    ours = createRegistryClients({ url: server.url, latestTtlMs: 0 });
    clientConfig = { baseURLs: [server.url], cacheCapacity: 1000, maxRetries: 1 };
    srClient = SchemaRegistryClient.newClient(clientConfig);
    FieldEncryptionExecutor.register();
    LocalKmsDriver.register();
  });

  afterAll(async () => {
    await server.close();
  });

  describe('schema registry API', () => {
    const metadata = {
      tags: { 'DemoSchema.stringField': ['PII'] },
      properties: { owner: 'team-a', application: 'orders' },
      sensitive: ['stringField'],
    };
    const ruleSet = { domainRules: [encryptRule('kek1')] };

    it('what Confluent registers (metadata + ruleSet) is read identically by our client', async () => {
      const info = { schemaType: 'AVRO', schema: DEMO_SCHEMA, metadata, ruleSet };
      const id: number = await srClient.register('peer1-value', info, false);
      expect(id).toBeGreaterThan(0);
      // Registering again answers the same id (Confluent caches, so ask a fresh client).
      expect(await SchemaRegistryClient.newClient(clientConfig).register('peer1-value', info, false)).toBe(id);

      const byId = await ours.schemas.getById(id);
      expect(byId).toMatchObject({ id, schema: DEMO_SCHEMA, metadata, ruleSet });
      expect(byId.metadata).toEqual(metadata);
      expect(byId.ruleSet).toEqual(ruleSet);
      const latest = await ours.schemas.getLatest('peer1-value');
      expect(latest).toMatchObject({ id, version: 1, subject: 'peer1-value', metadata, ruleSet });
      expect(await ours.schemas.lookup('peer1-value', info)).toMatchObject({ id, version: 1 });

      // Confluent's own reads.
      const bySubjectAndId = await srClient.getBySubjectAndId('peer1-value', id);
      expect(bySubjectAndId).toEqual({ schema: DEMO_SCHEMA, metadata, ruleSet, guid: byId.guid });
      const latestMeta = await srClient.getLatestSchemaMetadata('peer1-value');
      expect(latestMeta).toMatchObject({ id, version: 1, subject: 'peer1-value', schema: DEMO_SCHEMA, metadata, ruleSet });
      const withMeta = await srClient.getLatestWithMetadata('peer1-value', { application: 'orders' });
      expect(withMeta).toMatchObject({ id, version: 1, metadata, ruleSet });
      expect(await srClient.getId('peer1-value', info, false)).toBe(id);
      expect(await srClient.getVersion('peer1-value', info, false)).toBe(1);
      expect(await srClient.getSchemaMetadata('peer1-value', 1)).toMatchObject({ id, version: 1 });
      expect(await srClient.getAllVersions('peer1-value')).toEqual([1]);
      expect(await srClient.getAllSubjects()).toContain('peer1-value');
      expect(await srClient.testSubjectCompatibility('peer1-value', info)).toBe(true);
      expect(await srClient.getDefaultCompatibility()).toBe('BACKWARD');
    });

    it('what our client registers is read identically by Confluent', async () => {
      const info = { schema: DEMO_SCHEMA, metadata: { properties: { owner: 'b' } }, ruleSet };
      const full = await ours.schemas.registerFull('peer2-value', info);
      const theirs = await srClient.getBySubjectAndId('peer2-value', full.id);
      expect(theirs).toEqual({ schema: DEMO_SCHEMA, metadata: info.metadata, ruleSet, guid: full.guid });
      expect(await srClient.getLatestSchemaMetadata('peer2-value')).toMatchObject({
        id: full.id,
        version: 1,
        guid: full.guid,
        schema: DEMO_SCHEMA,
      });
      expect(await srClient.getByGuid(full.guid)).toMatchObject({ schema: DEMO_SCHEMA, ruleSet });
      expect(await srClient.getId('peer2-value', info)).toBe(full.id);
    });

    it('Confluent sees Confluent-shaped errors (RestError with status and error code)', async () => {
      let caught: unknown;
      try {
        await srClient.getLatestSchemaMetadata('no-such-subject');
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RestError);
      expect(caught).toMatchObject({ status: 404, errorCode: 40401 });
      try {
        await srClient.getId('peer1-value', { schemaType: 'AVRO', schema: '"string"' });
      } catch (e) {
        caught = e;
      }
      expect(caught).toMatchObject({ status: 404, errorCode: 40403 });
    });
  });

  describe('DEK registry API', () => {
    it('KEKs and DEKs written by Confluent are read identically by our client, and vice versa', async () => {
      const dekClient = DekRegistryClient.newClient(clientConfig);
      const kek = await dekClient.registerKek('peerkek', 'local-kms', 'mykey', false, { region: 'x' }, 'doc');
      expect(kek).toMatchObject({ name: 'peerkek', kmsType: 'local-kms', kmsKeyId: 'mykey', kmsProps: { region: 'x' }, doc: 'doc', shared: false, deleted: false });
      expect(await ours.deks.getKek('peerkek')).toEqual(kek);
      expect(await dekClient.getKek('peerkek')).toEqual(kek);

      const dek = await dekClient.registerDek('peerkek', 'peer-subject', 'AES256_GCM', 1, 'ZW5jcnlwdGVk');
      expect(dek).toMatchObject({ kekName: 'peerkek', subject: 'peer-subject', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'ZW5jcnlwdGVk' });
      expect(await ours.deks.getDek('peerkek', 'peer-subject', 1, 'AES256_GCM')).toEqual(dek);
      expect(await ours.deks.getDek('peerkek', 'peer-subject', -1, 'AES256_GCM')).toEqual(dek);

      // Ours writes, Confluent reads (a fresh client: Confluent caches).
      const mine = await ours.deks.createDek('peerkek', { subject: 'peer-subject', version: 2, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'bWluZQ==' });
      const fresh = DekRegistryClient.newClient(clientConfig);
      expect(await fresh.getDek('peerkek', 'peer-subject', 'AES256_GCM', 2)).toEqual(mine);
      expect(await fresh.getDek('peerkek', 'peer-subject', 'AES256_GCM', -1)).toEqual(mine);

      // Soft delete: Confluent reads it with deleted=true only.
      await ours.deks.deleteDek('peerkek', 'peer-subject', 2);
      const afterDelete = DekRegistryClient.newClient(clientConfig);
      expect(await afterDelete.getDek('peerkek', 'peer-subject', 'AES256_GCM', 2, true)).toMatchObject({ version: 2, deleted: true });
      let caught: unknown;
      try {
        await afterDelete.getDek('peerkek', 'peer-subject', 'AES256_GCM', 2, false);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RestError);
      expect(caught).toMatchObject({ status: 404, errorCode: 40470 });

      // Conflicts reach Confluent as 409 / 40971 (what its executor re-reads on).
      try {
        await DekRegistryClient.newClient(clientConfig).registerKek('peerkek', 'local-kms', 'mykey', false);
      } catch (e) {
        caught = e;
      }
      expect(caught).toMatchObject({ status: 409, errorCode: 40971 });
      try {
        await DekRegistryClient.newClient(clientConfig).registerDek('peerkek', 'peer-subject', 'AES256_GCM', 1, 'eA==');
      } catch (e) {
        caught = e;
      }
      expect(caught).toMatchObject({ status: 409, errorCode: 40971 });

      // Confluent's getKek with deleted.
      await ours.deks.createKek({ name: 'gone', kmsType: 'local-kms', kmsKeyId: 'k', shared: false });
      await ours.deks.deleteKek('gone');
      expect(await DekRegistryClient.newClient(clientConfig).getKek('gone', true)).toMatchObject({ name: 'gone', deleted: true });
    });
  });

  describe('CSFLE round trips with AvroSerializer / AvroDeserializer', () => {
    const encryptedFieldIsNotPlaintext = (bytes: Buffer, plaintext: string): void => {
      expect(bytes.includes(Buffer.from(plaintext))).toBe(false);
    };

    it('field-level encryption with local KMS: the writer auto-creates KEK and DEK on our server', async () => {
      await srClient.register('topic1-value', { schemaType: 'AVRO', schema: DEMO_SCHEMA, ruleSet: { domainRules: [encryptRule('kek1')] } }, false);
      const ser = new AvroSerializer(srClient, SerdeType.VALUE, { useLatestVersion: true, ruleConfig: { secret: SECRET } });
      const obj = { intField: 123, stringField: 'hello world', bytesField: Buffer.from([1, 2, 3]) };
      const bytes: Buffer = await ser.serialize('topic1', { ...obj });
      expect(bytes[0]).toBe(0);
      encryptedFieldIsNotPlaintext(bytes, 'hello world');

      // The writer created a non-shared KEK and a version-1 AES256_GCM DEK through our routes.
      expect(await ours.deks.getKek('kek1')).toMatchObject({ name: 'kek1', kmsType: 'local-kms', kmsKeyId: 'mykey', shared: false });
      const dek = await ours.deks.getDek('kek1', 'topic1-value', 1, 'AES256_GCM');
      expect(dek).toMatchObject({ kekName: 'kek1', subject: 'topic1-value', version: 1, algorithm: 'AES256_GCM' });
      expect(dek?.keyMaterial).toBeUndefined();
      // 62 wrapped bytes for AES256_GCM under local KMS (§2.2), unwrapped by Confluent's local KMS.
      expect(Buffer.from(dek?.encryptedKeyMaterial as string, 'base64')).toHaveLength(62);
      const raw: Buffer = await new LocalKmsClient(SECRET).decrypt(Buffer.from(dek?.encryptedKeyMaterial as string, 'base64'));
      expect(raw.subarray(0, 2)).toEqual(Buffer.from([0x1a, 0x20]));

      const deser = new AvroDeserializer(srClient, SerdeType.VALUE, { ruleConfig: { secret: SECRET } });
      const back = await deser.deserialize('topic1', bytes);
      expect(back).toEqual(obj);

      // A brand-new Confluent client (empty caches) reads it from our server too.
      const coldClient = SchemaRegistryClient.newClient(clientConfig);
      const coldDeser = new AvroDeserializer(coldClient, SerdeType.VALUE, { ruleConfig: { secret: SECRET } });
      expect(await coldDeser.deserialize('topic1', bytes)).toEqual(obj);
    });

    it('DEK rotation (expiry days) and AES256_SIV against our server', async () => {
      const rules = {
        domainRules: [encryptRule('kek1', { 'encrypt.dek.expiry.days': '1', 'encrypt.dek.algorithm': 'AES256_SIV' })],
      };
      await srClient.register('topic2-value', { schemaType: 'AVRO', schema: DEMO_SCHEMA, ruleSet: rules }, false);
      const ser = new AvroSerializer(srClient, SerdeType.VALUE, { useLatestVersion: true, ruleConfig: { secret: SECRET } });
      const obj = { intField: 1, stringField: 'deterministic', bytesField: Buffer.from('x') };
      const a: Buffer = await ser.serialize('topic2', { ...obj });
      const b: Buffer = await ser.serialize('topic2', { ...obj });
      expect(a.equals(b)).toBe(true); // SIV is deterministic
      encryptedFieldIsNotPlaintext(a, 'deterministic');
      expect(await ours.deks.listDekVersions('kek1', 'topic2-value', { algorithm: 'AES256_SIV' })).toEqual([1]);
      const deser = new AvroDeserializer(srClient, SerdeType.VALUE, { ruleConfig: { secret: SECRET } });
      expect(await deser.deserialize('topic2', a)).toEqual(obj);
    });

    it('a soft-deleted DEK still decrypts old data (the reader asks with deleted=true)', async () => {
      await srClient.register('topic3-value', { schemaType: 'AVRO', schema: DEMO_SCHEMA, ruleSet: { domainRules: [encryptRule('kek1')] } }, false);
      const ser = new AvroSerializer(srClient, SerdeType.VALUE, { useLatestVersion: true, ruleConfig: { secret: SECRET } });
      const obj = { intField: 7, stringField: 'old secret', bytesField: Buffer.from([9]) };
      const bytes: Buffer = await ser.serialize('topic3', { ...obj });
      await ours.deks.deleteDek('kek1', 'topic3-value', 1);
      // A new client config would trip Confluent's "executor already configured"; same config, new cache:
      const cold = SchemaRegistryClient.newClient({ ...clientConfig });
      const executor = FieldEncryptionExecutor.register();
      executor.configure(clientConfig, new Map([['secret', SECRET]]));
      const deser = new AvroDeserializer(cold, SerdeType.VALUE, { ruleConfig: { secret: SECRET } });
      expect(await deser.deserialize('topic3', bytes)).toEqual(obj);
      const reads = server.requests.filter((r) => r.url.startsWith('/dek-registry/v1/keks/kek1/deks/topic3-value/versions/1?'));
      expect(reads.some((r) => r.url.includes('deleted=true') && r.status === 200)).toBe(true);
    });

    it('shared KEK: our server generates the DEK, Confluent uses keyMaterial without its KMS', async () => {
      await ours.deks.createKek({ name: 'sharedkek', kmsType: 'local-kms', kmsKeyId: 'mykey', shared: true });
      await srClient.register(
        'topic4-value',
        { schemaType: 'AVRO', schema: DEMO_SCHEMA, ruleSet: { domainRules: [encryptRule('sharedkek')] } },
        false,
      );
      const ser = new AvroSerializer(srClient, SerdeType.VALUE, { useLatestVersion: true, ruleConfig: { secret: SECRET } });
      const obj = { intField: 5, stringField: 'server side', bytesField: Buffer.from([4, 2]) };
      const bytes: Buffer = await ser.serialize('topic4', { ...obj });
      encryptedFieldIsNotPlaintext(bytes, 'server side');
      const dek = await ours.deks.getDek('sharedkek', 'topic4-value', 1, 'AES256_GCM');
      expect(dek?.keyMaterial).toBeDefined();
      // The server wrapped it exactly as Confluent's local KMS would: Confluent unwraps it.
      const unwrapped: Buffer = await new LocalKmsClient(SECRET).decrypt(Buffer.from(dek?.encryptedKeyMaterial as string, 'base64'));
      expect(unwrapped.toString('base64')).toBe(dek?.keyMaterial);
      const deser = new AvroDeserializer(srClient, SerdeType.VALUE, { ruleConfig: { secret: SECRET } });
      expect(await deser.deserialize('topic4', bytes)).toEqual(obj);
      // The create went without material (the server generated it).
      const creates = server.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/dek-registry/v1/keks/sharedkek/deks'));
      expect(creates.map((r) => `${r.url} ${r.status}`)).toEqual(['/dek-registry/v1/keks/sharedkek/deks/topic4-value 200']);
    });

    it('the ASSOCIATED subject-name strategy falls back to TopicNameStrategy on our server', () => {
      const assoc = server.requests.filter((r) => r.url.startsWith('/associations/'));
      expect(assoc.length).toBeGreaterThan(0);
      expect(assoc.every((r) => r.status === 200)).toBe(true);
      expect(assoc[0]?.url).toBe('/associations/resources/-/topic1?resourceType=topic&associationType=value');
    });

    it('records the routes Confluent called', () => {
      // Confluent's client is axios-based; ours uses fetch (User-Agent "node").
      const theirs = server.requests.filter((r) => r.userAgent.startsWith('axios'));
      expect(theirs.length).toBeGreaterThan(0);
      const routes = [
        ...new Set(
          theirs.map(
            (r) =>
              `${r.method} ${r.url
                .split('?')[0]
                ?.replace(/\/subjects\/[^/]+/, '/subjects/{s}')
                .replace(/\/schemas\/ids\/\d+/, '/schemas/ids/{id}')
                .replace(/\/schemas\/guids\/[^/]+/, '/schemas/guids/{guid}')
                .replace(/\/keks\/[^/]+/, '/keks/{kek}')
                .replace(/\/deks\/[^/]+/, '/deks/{subject}')
                .replace(/\/versions\/[^/]+$/, '/versions/{v}')
                .replace(/\/resources\/[^/]+\/[^/]+$/, '/resources/{ns}/{name}')}`,
          ),
        ),
      ].sort();
      // Kept as a snapshot-like list so a change in what Confluent calls is noticed.
      expect(routes).toEqual(
        expect.arrayContaining([
          'GET /associations/resources/{ns}/{name}',
          'GET /dek-registry/v1/keks/{kek}',
          'GET /dek-registry/v1/keks/{kek}/deks/{subject}/versions/{v}',
          'GET /schemas/ids/{id}',
          'GET /subjects/{s}/versions/{v}',
          'POST /dek-registry/v1/keks',
          'POST /dek-registry/v1/keks/{kek}/deks/{subject}',
          'POST /subjects/{s}/versions',
        ]),
      );
      if (process.env.CSFLE_PRINT_ROUTES === '1') console.log(routes.join('\n'));
    });
  });
});
