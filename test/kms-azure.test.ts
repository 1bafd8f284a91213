/**
 * @csfle/kms-azure through the real `@azure/keyvault-keys` client against an in-repo HTTPS Key
 * Vault fake (test/support/azure-kv-fake.ts; its certificate is trusted explicitly by the test's
 * pipeline policy, never by turning verification off), the `azure:v1:` header, and byte-level
 * agreement with Confluent's Azure driver.
 */
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry } from '@csfle/registry';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { createAzureKms, readVersionHeader, type AzureKmsOptions } from '@csfle/kms-azure';
import { describeKmsContract } from './support/kms-contract';
import { startFakeKeyVault, type FakeKeyVault } from './support/azure-kv-fake';
import { AVRO_CUSTOMER, customer } from './support/customer-schemas';

const GOOD = 'azure-token-good-0123456789';
const DENIED = 'azure-token-denied-0123456789';

let kv: FakeKeyVault;
let v1: string;
beforeAll(async () => {
  kv = await startFakeKeyVault();
  kv.addToken(GOOD, true);
  kv.addToken(DENIED, false);
  v1 = kv.createKey('kek1');
  kv.createKey('kek2');
});
afterAll(async () => kv?.close());

const staticToken = (token: string) => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) });

/** Trust the fake's certificate for these clients only (a per-request https.Agent with its CA). */
function trusting(ca: Buffer) {
  const agent = new https.Agent({ ca });
  return {
    disableChallengeResourceVerification: true,
    additionalPolicies: [{ position: 'perCall' as const, policy: { name: 'trust-test-ca', sendRequest: (req: { agent?: unknown }, next: (r: unknown) => Promise<unknown>) => ((req.agent = agent), next(req)) } }],
  };
}

function azure(token: string, over: Partial<AzureKmsOptions> = {}) {
  return createAzureKms({ credential: staticToken(token), clientOptions: trusting(kv.ca) as never, ...over });
}

describeKmsContract('azure-kms (@azure/keyvault-keys → in-repo HTTPS Key Vault fake)', async ({ blackHoleUrl }) => ({
  client: azure(GOOD),
  keyUri: `azure-kms://${kv.vaultUrl}/keys/kek1/${v1}`,
  other: { client: azure(GOOD), keyUri: `azure-kms://${kv.vaultUrl}/keys/kek2` },
  missingKeyUri: `azure-kms://${kv.vaultUrl}/keys/missing`,
  deniedClient: azure(DENIED),
  unreachableClient: azure(GOOD, { timeoutMs: 1000, retries: 1, retryBaseDelayMs: 10 }),
  unreachableKeyUri: `azure-kms://${blackHoleUrl.replace('http:', 'https:')}/keys/kek1`,
  secrets: [GOOD, DENIED],
}));

describe('azure-kms adapter specifics', () => {
  it('writes azure:v1:<version>: when encrypt.azure.key.version.save=true, and reads it after the key rotates', async () => {
    const kms = azure(GOOD);
    const uri = `azure-kms://${kv.vaultUrl}/keys/kek2`; // versionless
    const dek = randomBytes(32);
    const saved = await kms.wrap(uri, dek, { props: { 'encrypt.azure.key.version.save': 'true' } });
    const { version, ciphertext } = readVersionHeader(saved);
    expect(version).toMatch(/^[0-9a-f]{32}$/);
    expect(ciphertext.length).toBe(256); // RSA-2048 OAEP
    kv.createKey('kek2'); // rotate: a new latest version
    expect(Buffer.from(await kms.unwrap(uri, saved))).toEqual(dek); // the header's version is used
    const plain = await kms.wrap(uri, dek); // without the flag: raw bytes, as Confluent's JS client writes
    expect(readVersionHeader(plain).version).toBeUndefined();
    expect(plain.length).toBe(256);
  });

  it('an unknown token (no access at all) is KMS_DENIED', async () => {
    await expect(azure('nobody').wrap(`azure-kms://${kv.vaultUrl}/keys/kek1`, randomBytes(32))).rejects.toMatchObject({ code: 'KMS_DENIED' });
  });

  it('an Avro record encrypted under an azure-kms KEK round-trips through the serde', async () => {
    const registry = createInMemorySchemaRegistry();
    const deks = createInMemoryDekRegistry();
    await registry.register('az-customers-value', {
      schema: AVRO_CUSTOMER,
      ruleSet: { domainRules: [{ name: 'pii', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': 'az-kek', 'encrypt.kms.type': 'azure-kms', 'encrypt.kms.key.id': `${kv.vaultUrl}/keys/kek1` } }] },
    });
    const bytes = await createAvroSerializer({ registry, deks, kms: [azure(GOOD)], useLatestVersion: true }).serialize('az-customers', customer(4));
    expect(bytes.includes(Buffer.from(customer(4).email))).toBe(false);
    expect(await createAvroDeserializer({ registry, deks, kms: [azure(GOOD)] }).deserialize('az-customers', bytes)).toEqual(customer(4));
  });
});

describe("stored format agrees with Confluent's Azure driver", () => {
  it("Confluent's JS Azure client (credential swapped for the test's) unwraps ours and we unwrap theirs", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AzureKmsDriver } = require('@confluentinc/schemaregistry');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CryptographyClient } = require('@azure/keyvault-keys');
    const keyId = `${kv.vaultUrl}/keys/kek1/${v1}`;
    const theirs = new AzureKmsDriver().newKmsClient(new Map(), `azure-kms://${keyId}`);
    // Its CryptographyClient is built with DefaultAzureCredential and the default pipeline; swap in
    // one with the test's credential and CA (same algorithm and key id, the driver's code unchanged).
    const field = Object.keys(theirs).find((k) => theirs[k] instanceof CryptographyClient || (theirs[k] && typeof theirs[k].encrypt === 'function'));
    expect(field).toBeDefined();
    theirs[field as string] = new CryptographyClient(keyId, staticToken(GOOD), trusting(kv.ca));
    const dek = randomBytes(32);
    const byThem: Buffer = await theirs.encrypt(dek);
    expect(byThem.length).toBe(256); // raw RSA-OAEP-256 output, no header
    const ours = azure(GOOD);
    expect(Buffer.from(await ours.unwrap(`azure-kms://${keyId}`, byThem))).toEqual(dek);
    const byUs = await ours.wrap(`azure-kms://${keyId}`, dek);
    expect(Buffer.from(await theirs.decrypt(Buffer.from(byUs)))).toEqual(dek);
  });
});
