/**
 * @csfle/kms-gcp driven through the real `@google-cloud/kms` client against an in-repo gRPC Cloud
 * KMS fake (test/support/gcp-kms-fake.ts; the published emulators cannot be installed here), and
 * byte-level agreement with Confluent's GCP driver on what is stored.
 */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry } from '@csfle/registry';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { createGcpKms, type GcpKmsOptions } from '@csfle/kms-gcp';
import { describeKmsContract } from './support/kms-contract';
import { startFakeGcpKms, type FakeKms } from './support/gcp-kms-fake';
import { AVRO_CUSTOMER, customer } from './support/customer-schemas';

const K1 = 'projects/p1/locations/global/keyRings/ring/cryptoKeys/k1';
const K2 = 'projects/p1/locations/global/keyRings/ring/cryptoKeys/k2';
const GOOD = 'token-good-0123456789';
const NOKEY = 'token-no-access-0123456789';

let fake: FakeKms;
beforeAll(async () => {
  fake = await startFakeGcpKms();
  fake.addToken(GOOD);
  fake.addToken(NOKEY);
  fake.addKey(K1, [GOOD]);
  fake.addKey(K2, [GOOD]);
});
afterAll(async () => fake?.close());

/** A client through the real @google-cloud/kms library; the bearer token travels as call metadata. */
function gcp(token: string, over: Partial<GcpKmsOptions> = {}, endpoint = fake.endpoint) {
  return createGcpKms({
    clientOptions: { ...endpoint, sslCreds: grpc.credentials.createInsecure() as never },
    callOptions: { otherArgs: { headers: { authorization: `Bearer ${token}` } } },
    ...over,
  });
}

describeKmsContract('gcp-kms (@google-cloud/kms → in-repo gRPC fake)', async ({ blackHoleUrl }) => {
  const hole = new URL(blackHoleUrl);
  return {
    client: gcp(GOOD),
    keyUri: `gcp-kms://${K1}`,
    other: { client: gcp(GOOD), keyUri: `gcp-kms://${K2}` },
    missingKeyUri: `gcp-kms://projects/p1/locations/global/keyRings/ring/cryptoKeys/missing`,
    deniedClient: gcp(NOKEY),
    unreachableClient: gcp(GOOD, { timeoutMs: 1000, retries: 1, retryBaseDelayMs: 10 }, { apiEndpoint: hole.hostname, port: Number(hole.port) }),
    secrets: [GOOD, NOKEY],
  };
});

describe('gcp-kms adapter specifics', () => {
  it('checks response integrity: a damaged CRC32C is detected and retried (KMS_UNAVAILABLE when it persists)', async () => {
    const kms = gcp(GOOD, { retries: 2, retryBaseDelayMs: 1 });
    const dek = randomBytes(32);
    fake.corruptNext(1); // first answer damaged, the retry is clean
    const wrapped = await kms.wrap(`gcp-kms://${K1}`, dek);
    expect(Buffer.from(await kms.unwrap(`gcp-kms://${K1}`, wrapped))).toEqual(dek);
    fake.corruptNext(10);
    const e = await kms.unwrap(`gcp-kms://${K1}`, wrapped).catch((x: unknown) => x);
    fake.corruptNext(0);
    expect(e).toMatchObject({ code: 'KMS_UNAVAILABLE', retriable: true, message: expect.stringContaining('CRC32C') });
  });

  it('an unknown bearer token is KMS_DENIED too (UNAUTHENTICATED)', async () => {
    await expect(gcp('nobody').wrap(`gcp-kms://${K1}`, randomBytes(32))).rejects.toMatchObject({ code: 'KMS_DENIED' });
  });

  it('an Avro record encrypted under a gcp-kms KEK round-trips through the serde', async () => {
    const registry = createInMemorySchemaRegistry();
    const deks = createInMemoryDekRegistry();
    await registry.register('gcp-customers-value', {
      schema: AVRO_CUSTOMER,
      ruleSet: { domainRules: [{ name: 'pii', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': 'gcp-kek', 'encrypt.kms.type': 'gcp-kms', 'encrypt.kms.key.id': K1 } }] },
    });
    const bytes = await createAvroSerializer({ registry, deks, kms: [gcp(GOOD)], useLatestVersion: true }).serialize('gcp-customers', customer(3));
    expect(bytes.includes(Buffer.from(customer(3).ssn))).toBe(false);
    expect(await createAvroDeserializer({ registry, deks, kms: [gcp(GOOD)] }).deserialize('gcp-customers', bytes)).toEqual(customer(3));
  });
});

describe("stored format agrees with Confluent's GCP driver", () => {
  it("Confluent's GCP client sends the same request (name = CryptoKey, no AAD) and stores the raw ciphertext", async () => {
    // Confluent's driver builds its own KeyManagementServiceClient (no endpoint option), so it is
    // driven here with that client swapped for one pointed at the fake; its request and stored
    // bytes are what is compared.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GcpKmsDriver } = require('@confluentinc/schemaregistry');
    const theirs = new GcpKmsDriver().newKmsClient(new Map(), `gcp-kms://${K1}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { KeyManagementServiceClient } = require('@google-cloud/kms');
    const pointed = new KeyManagementServiceClient({ ...fake.endpoint, sslCreds: grpc.credentials.createInsecure() });
    const seen: unknown[] = [];
    const proxy = {
      encrypt: (req: unknown) => (seen.push(req), pointed.encrypt(req, { otherArgs: { headers: { authorization: `Bearer ${GOOD}` } } })),
      decrypt: (req: unknown) => (seen.push(req), pointed.decrypt(req, { otherArgs: { headers: { authorization: `Bearer ${GOOD}` } } })),
    };
    const field = Object.keys(theirs).find((k) => theirs[k] && typeof theirs[k].encrypt === 'function');
    expect(field).toBeDefined();
    theirs[field as string] = proxy;
    const dek = randomBytes(32);
    const byThem: Buffer = await theirs.encrypt(dek);
    const ours = gcp(GOOD);
    expect(Buffer.from(await ours.unwrap(`gcp-kms://${K1}`, byThem))).toEqual(dek);
    const byUs = await ours.wrap(`gcp-kms://${K1}`, dek);
    expect(Buffer.from(await theirs.decrypt(Buffer.from(byUs)))).toEqual(dek);
    expect(seen[0]).toMatchObject({ name: K1 });
    expect((seen[0] as Record<string, unknown>).additionalAuthenticatedData ?? undefined).toBeUndefined();
  });
});
