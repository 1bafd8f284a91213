/**
 * @csfle/kms-aws against moto's AWS KMS (scripts/stack/moto.sh), with moto's IAM checks on so
 * that refused credentials are real; and interop with Confluent's own AWS KMS driver on the same
 * server, at the DEK level and for whole Avro records.
 */
import { randomBytes } from 'node:crypto';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry, createRegistryClients } from '@csfle/registry';
import { startRegistryServer, type RegistryServer } from '@csfle/registry/server';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { createAwsKms, parseAwsKeyUri } from '@csfle/kms-aws';
import { describeKmsContract } from './support/kms-contract';
import { motoAuth, setupMoto, type MotoKeys } from './support/moto';
import { ensureService, SERVICE_START_TIMEOUT_MS } from './support/stack';
import { AVRO_CUSTOMER, customer } from './support/customer-schemas';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sr = require('@confluentinc/schemaregistry');
const { AwsKmsDriver, FieldEncryptionExecutor, SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType } = sr;

let moto: MotoKeys;
const env = () => moto;

beforeAll(async () => {
  const url = ensureService('moto').CSFLE_MOTO_URL as string;
  moto = await setupMoto(url);
}, SERVICE_START_TIMEOUT_MS);
afterAll(async () => {
  if (moto) await motoAuth(moto.url, false);
});

const creds = (c: { accessKeyId: string; secretAccessKey: string }) => ({ 'access.key.id': c.accessKeyId, 'secret.access.key': c.secretAccessKey });

describeKmsContract('aws-kms (moto)', async ({ blackHoleUrl }) => ({
  client: createAwsKms({ endpoint: env().url, params: creds(env().allowed) }),
  keyUri: `aws-kms://${env().key1}`,
  other: { client: createAwsKms({ endpoint: env().url, params: creds(env().allowed) }), keyUri: `aws-kms://${env().key2}` },
  missingKeyUri: `aws-kms://${env().key1.replace(/key\/.*$/, 'key/00000000-0000-0000-0000-000000000000')}`,
  deniedClient: createAwsKms({ endpoint: env().url, params: creds(env().denied) }),
  unreachableClient: createAwsKms({ endpoint: blackHoleUrl, params: creds(env().allowed), timeoutMs: 1000, retries: 1, retryBaseDelayMs: 10 }),
  secrets: [env().allowed.secretAccessKey, env().denied.secretAccessKey],
  otherKeyDeviation: {
    code: 'KMS_DENIED',
    reason: 'moto answers Decrypt with another KeyId with AccessDeniedException; AWS answers IncorrectKeyException, which the adapter maps to KMS_INVALID_CIPHERTEXT (unit-tested in packages/kms-aws)',
  },
}));

describe('aws-kms adapter specifics on moto', () => {
  it('alias ARNs work; credentials may come from the KEK props (Confluent params) instead of options', async () => {
    const kms = createAwsKms({ endpoint: env().url });
    const dek = randomBytes(32);
    const wrapped = await kms.wrap(`aws-kms://${env().alias1}`, dek, { props: creds(env().allowed) });
    // Wrapped under the alias, unwrapped under the key ARN it points to (the blob names the key).
    expect(Buffer.from(await kms.unwrap(`aws-kms://${env().key1}`, wrapped, { props: creds(env().allowed) }))).toEqual(dek);
  });

  it('role.arn (Confluent param): the role is assumed through STS and its temporary credentials used', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = env().url; // the SDK's STS client takes its endpoint from here
    try {
      const dek = randomBytes(32);
      // The assumer may do nothing but assume the role: without role.arn it is refused…
      const direct = createAwsKms({ endpoint: env().url, retries: 0, params: creds(env().assumer) });
      await expect(direct.wrap(`aws-kms://${env().key1}`, dek)).rejects.toMatchObject({ code: 'KMS_DENIED' });
      // …with role.arn the role's temporary credentials do the work.
      const kms = createAwsKms({ endpoint: env().url, params: { ...creds(env().assumer), 'role.arn': env().roleArn, 'role.session.name': 'csfle-test' } });
      const wrapped = await kms.wrap(`aws-kms://${env().key1}`, dek);
      expect(Buffer.from(await kms.unwrap(`aws-kms://${env().key1}`, wrapped))).toEqual(dek);
      // The denied user cannot assume the role: refused, not retried forever.
      const denied = createAwsKms({ endpoint: env().url, retries: 0, params: { ...creds(env().denied), 'role.arn': env().roleArn } });
      await expect(denied.wrap(`aws-kms://${env().key1}`, dek)).rejects.toMatchObject({ code: 'KMS_DENIED' });
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = saved;
    }
  });

  it('an Avro record encrypted under an aws-kms KEK round-trips through the serde (DEK wrapped in moto)', async () => {
    const registry = createInMemorySchemaRegistry();
    const deks = createInMemoryDekRegistry();
    const kms = [createAwsKms({ endpoint: env().url, params: creds(env().allowed) })];
    await registry.register('aws-customers-value', {
      schema: AVRO_CUSTOMER,
      ruleSet: { domainRules: [{ name: 'pii', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': 'aws-kek', 'encrypt.kms.type': 'aws-kms', 'encrypt.kms.key.id': env().key1 } }] },
    });
    const bytes = await createAvroSerializer({ registry, deks, kms, useLatestVersion: true }).serialize('aws-customers', customer(5));
    expect(bytes.includes(Buffer.from(customer(5).ssn))).toBe(false);
    const dek = await deks.getDek('aws-kek', 'aws-customers-value', -1, 'AES256_GCM');
    expect(Buffer.from(dek?.encryptedKeyMaterial ?? '', 'base64').length).toBeGreaterThan(32); // a KMS CiphertextBlob
    expect(await createAvroDeserializer({ registry, deks, kms: [createAwsKms({ endpoint: env().url, params: creds(env().allowed) })] }).deserialize('aws-customers', bytes)).toEqual(customer(5));
  });

  it('rejects malformed key URIs with INVALID_ARGUMENT before any request', async () => {
    const kms = createAwsKms({ endpoint: env().url });
    await expect(kms.wrap('aws-kms://not-an-arn', randomBytes(32))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(parseAwsKeyUri(`aws-kms://${env().key1}`).region).toBe('us-east-1');
  });
});

describe("interop with Confluent's AWS KMS driver on the same moto", () => {
  const saved = process.env.AWS_ENDPOINT_URL_KMS;
  beforeAll(() => {
    // Confluent's driver builds a plain KMSClient; the SDK takes the endpoint from this variable.
    process.env.AWS_ENDPOINT_URL_KMS = env().url;
    AwsKmsDriver.register();
    FieldEncryptionExecutor.register();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_KMS;
    else process.env.AWS_ENDPOINT_URL_KMS = saved;
  });

  function theirClient(uri: string) {
    const config = new Map(Object.entries(creds(env().allowed)));
    return new AwsKmsDriver().newKmsClient(config, uri);
  }

  it('a DEK wrapped by csfle is unwrapped by Confluent, and the reverse', async () => {
    const uri = `aws-kms://${env().key1}`;
    const ours = createAwsKms({ endpoint: env().url, params: creds(env().allowed) });
    const dek = randomBytes(32);
    const byUs = await ours.wrap(uri, dek);
    expect(Buffer.from(await theirClient(uri).decrypt(Buffer.from(byUs)))).toEqual(dek);
    const byThem: Buffer = await theirClient(uri).encrypt(dek);
    expect(Buffer.from(await ours.unwrap(uri, byThem))).toEqual(dek);
  });

  describe('whole Avro records through one registry server', () => {
    let server: RegistryServer;
    beforeAll(async () => {
      server = await startRegistryServer({ port: 0 });
    });
    afterAll(async () => server?.close());

    it('Confluent writes, csfle reads; csfle writes, Confluent reads', async () => {
      const ours = createRegistryClients({ url: server.url, latestTtlMs: 0 });
      const ruleConfig = creds(env().allowed);
      const rule: import('@csfle/core').Rule = { name: 'pii', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': 'aws-interop-kek', 'encrypt.kms.type': 'aws-kms', 'encrypt.kms.key.id': env().key1 } };
      await ours.schemas.register('aws-interop-value', { schema: AVRO_CUSTOMER, ruleSet: { domainRules: [rule] } });
      const their = SchemaRegistryClient.newClient({ baseURLs: [server.url], cacheCapacity: 100 });
      const kms = [createAwsKms({ endpoint: env().url, params: ruleConfig })];

      const theirBytes: Buffer = await new AvroSerializer(their, SerdeType.VALUE, { useLatestVersion: true, ruleConfig }).serialize('aws-interop', { ...customer(1) });
      expect(theirBytes.includes(Buffer.from(customer(1).ssn))).toBe(false);
      expect(await createAvroDeserializer({ registry: ours.schemas, deks: ours.deks, kms }).deserialize('aws-interop', theirBytes)).toEqual(customer(1));

      const ourBytes = await createAvroSerializer({ registry: ours.schemas, deks: ours.deks, kms, useLatestVersion: true }).serialize('aws-interop', customer(2));
      const back = await new AvroDeserializer(their, SerdeType.VALUE, { ruleConfig }).deserialize('aws-interop', ourBytes);
      expect({ ...back }).toEqual(customer(2));
    });
  });
});

