/**
 * The `csfle` CLI against the real registry server (scripts/stack/registry.sh) with the local KMS
 * and the OpenBao transit server (scripts/stack/vault.sh): every command through `main()` (the
 * binary's code path), plus the built binary once. Shred is shown end to end: records readable
 * before, unreadable after, another subject untouched.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createLocalKms, type Rule } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { ExitCodes, main } from '@csfle/cli';
import { AVRO_CUSTOMER, customer } from './support/customer-schemas';
import { ensureService, SERVICE_START_TIMEOUT_MS } from './support/stack';
import { setupVault, vaultAdmin, type VaultSetup } from './support/vault';
import { motoAuth, setupMoto } from './support/moto';
import { createVaultKms } from '@csfle/kms-vault';

const SECRET = 'cli-test-secret';
let env: NodeJS.ProcessEnv;
let url: string;
let vault: VaultSetup;
const run = Date.now().toString(36);

beforeAll(async () => {
  url = ensureService('registry').CSFLE_REGISTRY_URL as string;
  const v = ensureService('vault');
  vault = await setupVault(v.CSFLE_VAULT_URL as string, v.CSFLE_VAULT_TOKEN as string);
  env = { CSFLE_REGISTRY_URL: url, CSFLE_LOCAL_SECRET: SECRET, VAULT_TOKEN: vault.token, HOME: '/nonexistent-csfle-home' };
}, SERVICE_START_TIMEOUT_MS);

async function csfle(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, { env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

it('kek create / get / list / update / test / delete / undelete, with JSON output and exit codes', async () => {
  const kek = `cli-kek-${run}`;
  expect((await csfle('kek', 'create', kek, '--kms-type', 'local-kms', '--kms-key-id', 'k1', '--doc', 'test KEK')).code).toBe(ExitCodes.OK);
  const got = await csfle('kek', 'get', kek, '--json');
  expect(JSON.parse(got.out)).toMatchObject({ name: kek, kmsType: 'local-kms', kmsKeyId: 'k1', shared: false, doc: 'test KEK' });
  expect((await csfle('kek', 'list')).out).toContain(kek);
  expect((await csfle('kek', 'update', kek, '--shared')).code).toBe(ExitCodes.OK);
  expect(JSON.parse((await csfle('kek', 'get', kek, '--json')).out).shared).toBe(true);
  const test = await csfle('kek', 'test', kek, '--json');
  expect(test.code).toBe(ExitCodes.OK);
  expect(JSON.parse(test.out)).toEqual([expect.objectContaining({ ok: true, keyUri: 'local-kms://k1' })]);
  expect((await csfle('kek', 'delete', kek)).code).toBe(ExitCodes.OK);
  expect((await csfle('kek', 'get', kek, '--json')).out).toContain('"deleted": true');
  expect((await csfle('kek', 'undelete', kek)).code).toBe(ExitCodes.OK);
  expect((await csfle('kek', 'get', 'no-such-kek')).code).toBe(ExitCodes.NOT_FOUND);
  expect((await csfle('kek', 'create')).code).toBe(ExitCodes.USAGE);
});

it('kek test against a real KMS (OpenBao transit): ok with the token, denied (exit 6) without', async () => {
  const kek = `cli-vault-kek-${run}`;
  await csfle('kek', 'create', kek, '--kms-type', 'hcvault', '--kms-key-id', `${vault.url}/transit/keys/${vault.keys.k1}`);
  // The KMS adapters read their usual environment (VAULT_TOKEN here), as the binary would.
  const savedToken = process.env.VAULT_TOKEN;
  process.env.VAULT_TOKEN = vault.token;
  try {
    expect((await csfle('kek', 'test', kek)).code).toBe(ExitCodes.OK);
  } finally {
    process.env.VAULT_TOKEN = savedToken;
  }
  const saved = env;
  process.env.VAULT_TOKEN = vault.deniedToken;
  try {
    const r = await csfle('kek', 'test', kek, '--json');
    expect(r.code).toBe(ExitCodes.CHECKS_FAILED);
    expect(JSON.parse(r.out)[0]).toMatchObject({ ok: false, code: 'KMS_DENIED' });
    expect(r.out + r.err).not.toContain(vault.deniedToken);
  } finally {
    env = saved;
    if (savedToken === undefined) delete process.env.VAULT_TOKEN;
    else process.env.VAULT_TOKEN = savedToken;
  }
});

it('AWS KMS (moto): kek test, doctor, dek create and rewrap through the SDK default chain; wrong credentials are denied (exit 6)', async () => {
  const moto = await setupMoto(ensureService('moto').CSFLE_MOTO_URL as string);
  const saved = { ...process.env };
  // The binary's AWS client takes credentials and the endpoint from the SDK's standard variables.
  const useCreds = (c: { accessKeyId: string; secretAccessKey: string }) =>
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_ENDPOINT_URL_KMS: moto.url, AWS_REGION: 'us-east-1' });
  try {
    useCreds(moto.allowed);
    const kek = `cli-aws-kek-${run}`;
    expect((await csfle('kek', 'create', kek, '--kms-type', 'aws-kms', '--kms-key-id', moto.key1)).code).toBe(ExitCodes.OK);
    expect((await csfle('kek', 'test', kek)).code).toBe(ExitCodes.OK);
    const doc = await csfle('doctor', '--kek', kek, '--json');
    expect(doc.code).toBe(ExitCodes.OK);
    expect(JSON.parse(doc.out).at(-1)).toMatchObject({ check: `KMS aws-kms://${moto.key1}`, ok: true });
    const subject = `cli-aws-${run}-value`;
    expect((await csfle('dek', 'create', '--kek', kek, '--subject', subject)).code).toBe(ExitCodes.OK);
    const before = (await createRegistryClients({ url }).deks.getDek(kek, subject, 1, 'AES256_GCM'))?.encryptedKeyMaterial;
    const rw = await csfle('dek', 'rewrap', '--kek', kek, '--json');
    expect(rw.code).toBe(ExitCodes.OK);
    expect(JSON.parse(rw.out)).toEqual([expect.objectContaining({ subject, version: 1, rewrapped: true })]);
    const after = (await createRegistryClients({ url }).deks.getDek(kek, subject, 1, 'AES256_GCM'))?.encryptedKeyMaterial;
    expect(after).not.toBe(before); // a new wrapping of the same key
    useCreds(moto.denied);
    const denied = await csfle('kek', 'test', kek, '--json');
    expect(denied.code).toBe(ExitCodes.CHECKS_FAILED);
    expect(JSON.parse(denied.out)[0]).toMatchObject({ ok: false, code: 'KMS_DENIED' });
    expect(denied.out + denied.err).not.toContain(moto.denied.secretAccessKey);
    const rwDenied = await csfle('dek', 'rewrap', '--kek', kek);
    expect(rwDenied.code).toBe(ExitCodes.DENIED);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await motoAuth(moto.url, false);
  }
});

it('dek create / rotate / list / get / delete / undelete; no key material is ever printed', async () => {
  const kek = `cli-dek-kek-${run}`;
  await csfle('kek', 'create', kek, '--kms-type', 'local-kms', '--kms-key-id', 'k1');
  const subject = `cli-dek-${run}-value`;
  expect((await csfle('dek', 'create', '--kek', kek, '--subject', subject)).out).toContain('v1');
  expect((await csfle('dek', 'create', '--kek', kek, '--subject', subject)).code).toBe(ExitCodes.USAGE); // exists: rotate instead
  expect((await csfle('dek', 'rotate', '--kek', kek, '--subject', subject)).out).toContain('v2');
  const list = await csfle('dek', 'list', '--kek', kek, '--json');
  expect(JSON.parse(list.out).map((d: { version: number }) => d.version)).toEqual([1, 2]);
  expect(list.out).not.toMatch(/keyMaterial|encryptedKeyMaterial/);
  const one = JSON.parse((await csfle('dek', 'get', '--kek', kek, '--subject', subject, '--version', '2', '--json')).out);
  expect(one).toMatchObject({ version: 2, algorithm: 'AES256_GCM', wrappedBytes: expect.any(Number) });
  // The DEK the CLI registered is usable by a serializer (wrapped under the same local KMS secret).
  const { deks } = createRegistryClients({ url });
  const d = await deks.getDek(kek, subject, 2, 'AES256_GCM');
  expect(Buffer.from(await createLocalKms({ secret: SECRET }).unwrap('local-kms://k1', Buffer.from(d?.encryptedKeyMaterial ?? '', 'base64'))).length).toBeGreaterThan(32);
  expect((await csfle('dek', 'delete', '--kek', kek, '--subject', subject, '--version', '1')).code).toBe(ExitCodes.OK);
  expect((await csfle('dek', 'undelete', '--kek', kek, '--subject', subject, '--version', '1')).code).toBe(ExitCodes.OK);
});

it('dek rewrap after a KEK rotation in the KMS (OpenBao transit): DEKs move to the new key version, records stay readable, the old version can be retired', async () => {
  const keyName = `cli-rewrap-${run}`;
  await vaultAdmin(vault, 'POST', `transit/keys/${keyName}`, {});
  const kek = `cli-rewrap-kek-${run}`;
  const keyId = `${vault.url}/transit/keys/${keyName}`;
  expect((await csfle('kek', 'create', kek, '--kms-type', 'hcvault', '--kms-key-id', keyId)).code).toBe(ExitCodes.OK);
  const { schemas, deks } = createRegistryClients({ url, latestTtlMs: 0 });
  const rule: Rule = { name: 'encrypt', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': kek, 'encrypt.kms.type': 'hcvault', 'encrypt.kms.key.id': keyId } };
  const topics = [`cli-rewrap-a-${run}`, `cli-rewrap-b-${run}`] as const;
  for (const t of topics) await schemas.register(`${t}-value`, { schema: AVRO_CUSTOMER, ruleSet: { domainRules: [rule] } });
  const kms = [createVaultKms({ params: { 'token.id': vault.token } })];
  const ser = createAvroSerializer({ registry: schemas, deks, kms, useLatestVersion: true });
  const a = await ser.serialize(topics[0], customer(1));
  const b = await ser.serialize(topics[1], customer(2));
  const reader = () => createAvroDeserializer({ registry: schemas, deks, kms }); // a fresh DEK cache each time
  const wrapping = async (t: string) => Buffer.from((await deks.getDek(kek, `${t}-value`, 1, 'AES256_GCM'))?.encryptedKeyMaterial ?? '', 'base64').toString('latin1').slice(0, 9);
  expect(await wrapping(topics[0])).toBe('vault:v1:');

  await vaultAdmin(vault, 'POST', `transit/keys/${keyName}/rotate`);
  const savedToken = process.env.VAULT_TOKEN;
  process.env.VAULT_TOKEN = vault.token; // the binary's KMS clients read VAULT_TOKEN
  try {
    const dry = await csfle('dek', 'rewrap', '--kek', kek, '--subject', `${topics[0]}-value`, '--dry-run');
    expect(dry.code).toBe(ExitCodes.OK);
    expect(dry.out).toContain(`would rewrap ${topics[0]}-value AES256_GCM v1  vault:v1 -> current`);
    expect(await wrapping(topics[0])).toBe('vault:v1:');
    const done = await csfle('dek', 'rewrap', '--kek', kek, '--subject', `${topics[0]}-value`, '--json');
    expect(done.code).toBe(ExitCodes.OK);
    expect(JSON.parse(done.out)).toEqual([{ subject: `${topics[0]}-value`, algorithm: 'AES256_GCM', version: 1, deleted: false, before: 'vault:v1', after: 'vault:v2', rewrapped: true }]);
    expect(done.out).not.toMatch(/keyMaterial/);
    expect(await wrapping(topics[0])).toBe('vault:v2:');

    // Retire key version 1: the rewrapped subject still reads; the one left behind cannot.
    await vaultAdmin(vault, 'POST', `transit/keys/${keyName}/config`, { min_decryption_version: 2 });
    expect(await reader().deserialize(topics[0], a)).toEqual(customer(1));
    await expect(reader().deserialize(topics[1], b)).rejects.toMatchObject({ code: 'RULE_FAILED' });
    const stuck = await csfle('dek', 'rewrap', '--kek', kek, '--subject', `${topics[1]}-value`);
    expect(stuck.code).not.toBe(ExitCodes.OK);
    expect(stuck.err).toMatch(/csfle: KMS_/);
    expect(await wrapping(topics[1])).toBe('vault:v1:'); // a failed rewrap stores nothing

    // Bring version 1 back, rewrap everything under the KEK, retire it again: both read.
    await vaultAdmin(vault, 'POST', `transit/keys/${keyName}/config`, { min_decryption_version: 1 });
    const all = JSON.parse((await csfle('dek', 'rewrap', '--kek', kek, '--json')).out) as Array<{ subject: string; before?: string; after?: string }>;
    expect(all.map((x) => [x.subject, x.before, x.after]).sort()).toEqual([
      [`${topics[0]}-value`, 'vault:v2', 'vault:v2'],
      [`${topics[1]}-value`, 'vault:v1', 'vault:v2'],
    ]);
    await vaultAdmin(vault, 'POST', `transit/keys/${keyName}/config`, { min_decryption_version: 2 });
    expect(await reader().deserialize(topics[0], a)).toEqual(customer(1));
    expect(await reader().deserialize(topics[1], b)).toEqual(customer(2));
  } finally {
    if (savedToken === undefined) delete process.env.VAULT_TOKEN;
    else process.env.VAULT_TOKEN = savedToken;
  }
  // A shared KEK's DEKs are the registry's to rewrap.
  const shared = `cli-rewrap-shared-${run}`;
  await csfle('kek', 'create', shared, '--kms-type', 'local-kms', '--kms-key-id', 'k1', '--shared');
  expect((await csfle('dek', 'rewrap', '--kek', shared)).code).toBe(ExitCodes.USAGE);
});

it('rules apply (dry run shows the diff and registers nothing), apply, show, tag fields via metadata, remove', async () => {
  const subject = `cli-rules-${run}-value`;
  const { schemas } = createRegistryClients({ url, latestTtlMs: 0 });
  const v1 = await schemas.register(subject, { schema: AVRO_CUSTOMER });
  const args = ['--subject', subject, '--kek', `cli-rules-kek-${run}`, '--kms-type', 'local-kms', '--kms-key-id', 'k1', '--on-failure', 'ERROR,DLQ', '--field-tag', '**.country=PII'];
  const dry = await csfle('rules', 'apply', ...args, '--dry-run');
  expect(dry.code).toBe(ExitCodes.OK);
  expect(dry.out).toContain('+ ');
  expect(dry.out).toContain('(dry run: nothing registered)');
  expect((await schemas.getLatest(subject)).id).toBe(v1);
  const applied = await csfle('rules', 'apply', ...args, '--json');
  expect(JSON.parse(applied.out).registered.version).toBe(2);
  const shown = JSON.parse((await csfle('rules', 'show', '--subject', subject, '--json')).out);
  expect(shown.ruleSet.domainRules[0]).toMatchObject({ type: 'ENCRYPT', tags: ['PII'], onFailure: 'ERROR,DLQ', params: { 'encrypt.kek.name': `cli-rules-kek-${run}` } });
  expect(shown.metadata.tags).toEqual({ '**.country': ['PII'] });
  // The rule applies to an unchanged producer: country (tagged via metadata) and email/ssn are ciphertext.
  const kms = [createLocalKms({ secret: SECRET })];
  const { deks } = createRegistryClients({ url });
  const bytes = await createAvroSerializer({ registry: schemas, deks, kms, useLatestVersion: true }).serialize(subject.replace(/-value$/, ''), customer(1));
  for (const s of [customer(1).email, customer(1).ssn]) expect(bytes.includes(Buffer.from(s))).toBe(false);
  const removed = await csfle('rules', 'remove', '--subject', subject, '--rule-name', 'encrypt', '--json');
  expect(JSON.parse(removed.out).registered.version).toBe(3);
  expect((await csfle('rules', 'remove', '--subject', subject, '--rule-name', 'nope')).code).toBe(ExitCodes.USAGE);
});

it('shred: records readable before, unreadable after; another subject untouched; needs confirmation', async () => {
  const { schemas, deks } = createRegistryClients({ url, latestTtlMs: 0 });
  const kms = [createLocalKms({ secret: SECRET })];
  const rule: Rule = { name: 'encrypt', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': `cli-shred-kek-${run}`, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'k1' } };
  const topics = [`cli-shred-a-${run}`, `cli-shred-b-${run}`];
  for (const t of topics) await schemas.register(`${t}-value`, { schema: AVRO_CUSTOMER, ruleSet: { domainRules: [rule] } });
  const ser = createAvroSerializer({ registry: schemas, deks, kms, useLatestVersion: true });
  const a = await ser.serialize(topics[0] as string, customer(1));
  const b = await ser.serialize(topics[1] as string, customer(2));
  const reader = () => createAvroDeserializer({ registry: schemas, deks, kms });
  expect(await reader().deserialize(topics[0] as string, a)).toEqual(customer(1));

  expect((await csfle('shred', '--subject', `${topics[0]}-value`)).code).toBe(ExitCodes.USAGE); // not a terminal, no --yes
  const r = await csfle('shred', '--subject', `${topics[0]}-value`, '--yes', '--json');
  expect(r.code).toBe(ExitCodes.OK);
  expect(JSON.parse(r.out).destroyed).toEqual([{ kek: `cli-shred-kek-${run}`, algorithm: 'AES256_GCM', version: 1 }]);
  expect(JSON.parse(r.out).remaining).toEqual([]);

  await expect(reader().deserialize(topics[0] as string, a)).rejects.toMatchObject({ code: 'RULE_FAILED' });
  expect(await reader().deserialize(topics[1] as string, b)).toEqual(customer(2));
  expect(await deks.getDek(`cli-shred-kek-${run}`, `${topics[0]}-value`, 1, 'AES256_GCM', { deleted: true })).toBeUndefined();
});

it('shred reports NOT SHREDDED (exit 6) when the registry keeps a key it was told to destroy', async () => {
  const { createInMemoryDekRegistry, createInMemorySchemaRegistry } = await import('@csfle/registry');
  const schemas = createInMemorySchemaRegistry();
  const real = createInMemoryDekRegistry();
  // A registry that acknowledges permanent deletes but keeps the keys.
  const deks = new Proxy(real, {
    get: (t, k) => (k === 'deleteDek' ? async (...a: Parameters<typeof real.deleteDek>) => (a[3]?.permanent ? undefined : t.deleteDek(...a)) : Reflect.get(t, k)),
  });
  await deks.createKek({ name: 'k', kmsType: 'local-kms', kmsKeyId: 'k1', shared: false });
  await deks.createDek('k', { subject: 's-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'AAAA' });
  const out: string[] = [];
  const code = await main(['shred', '--subject', 's-value', '--kek', 'k', '--yes'], { out: (l) => out.push(l), err: () => {} }, { env, context: { registryUrl: url, schemas, deks, kms: [], kmsParams: {} } });
  expect(code).toBe(ExitCodes.CHECKS_FAILED);
  expect(out.join('\n')).toContain('NOT SHREDDED: the registry still returns 1 of them');
});

it('doctor: all green on a healthy setup; a missing KMS secret is reported with a fix (exit 6)', async () => {
  const kek = `cli-doctor-kek-${run}`;
  await csfle('kek', 'create', kek, '--kms-type', 'local-kms', '--kms-key-id', 'k1');
  const ok = await csfle('doctor', '--kek', kek, '--json');
  expect(ok.code).toBe(ExitCodes.OK);
  expect(JSON.parse(ok.out).map((c: { check: string }) => c.check)).toEqual(['registry', 'clock skew', 'DEK registry', 'KMS local-kms://k1']);
  const saved = env;
  env = { ...env, CSFLE_LOCAL_SECRET: '' };
  try {
    const bad = await csfle('doctor', '--kek', kek);
    expect(bad.code).toBe(ExitCodes.CHECKS_FAILED);
    expect(bad.out).toMatch(/FAIL KMS local-kms:\/\/k1: KMS_NOT_CONFIGURED\n\s+→ set credentials/);
  } finally {
    env = saved;
  }
  env = { ...env, CSFLE_REGISTRY_URL: 'http://127.0.0.1:9' };
  try {
    const down = await csfle('doctor');
    expect(down.code).toBe(ExitCodes.CHECKS_FAILED);
    expect(down.out).toContain('FAIL registry: unreachable');
  } finally {
    env = saved;
  }
});

it('config show masks secrets; the built binary runs', async () => {
  const shown = await csfle('config', 'show');
  expect(shown.out).toContain(`registryUrl: ${url} (env CSFLE_REGISTRY_URL)`);
  expect(shown.out).toContain('localSecret: (set, env CSFLE_LOCAL_SECRET)');
  expect(shown.out).not.toContain(SECRET);
  const help = execFileSync(process.execPath, [path.resolve(__dirname, '../packages/cli/dist/bin.js'), '--help'], { encoding: 'utf8' });
  expect(help).toContain('csfle kek list|get|create');
});

describe('inspect / decrypt on the real broker', () => {
  it('reports per record the schema id, which fields are ciphertext and whether these credentials decrypt; decrypt prints values', async () => {
    const { Kafka, logLevel } = await import('kafkajs');
    const { wrapProducer } = await import('@csfle/kafkajs');
    const brokers = ensureService('kafka').CSFLE_KAFKA_BROKERS as string;
    const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
    const topic = `cli-inspect-${run}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const { schemas, deks } = createRegistryClients({ url, latestTtlMs: 0 });
    await schemas.register(`${topic}-value`, {
      schema: AVRO_CUSTOMER,
      ruleSet: { domainRules: [{ name: 'encrypt', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': `cli-inspect-kek-${run}`, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'k1', 'encrypt.dek.expiry.days': '30' } }] },
    });
    // Two records under DEK v1, then an operator rotates the DEK, and a (new) producer writes one under v2.
    const produce = async (ids: number[]) => {
      const producer = wrapProducer(kafka.producer(), { value: createAvroSerializer({ registry: schemas, deks, kms: [createLocalKms({ secret: SECRET })], useLatestVersion: true }) });
      await producer.connect();
      await producer.send({ topic, messages: ids.map((i) => ({ key: `c-${i}`, value: customer(i) })) });
      await producer.disconnect();
    };
    await produce([1, 2]);
    expect((await csfle('dek', 'rotate', '--kek', `cli-inspect-kek-${run}`, '--subject', `${topic}-value`)).out).toContain('v2');
    await produce([3]);
    const withBrokers = { ...env, CSFLE_KAFKA_BROKERS: brokers };
    const run1 = async (...args: string[]) => {
      const out: string[] = [];
      const code = await main(args, { out: (l) => out.push(l), err: () => {} }, { env: withBrokers });
      return { code, out: out.join('\n') };
    };
    const inspected = await run1('inspect', '--topic', topic, '--json');
    expect(inspected.code).toBe(ExitCodes.OK);
    const recs = JSON.parse(inspected.out);
    expect(recs).toHaveLength(3);
    expect(recs[0]).toMatchObject({ partition: 0, offset: '0', decryptable: true, fields: [{ field: 'com.example.Customer.email', outcome: 'decrypted' }, { field: 'com.example.Customer.ssn', outcome: 'decrypted' }] });
    expect(recs[0].value).toBeUndefined(); // inspect never prints values
    // The DEK version each record was written under (from the ciphertext's version prefix).
    expect(recs.map((r: { fields: Array<{ kek: string; dekVersion: number }> }) => r.fields.map((f) => `${f.kek}/v${f.dekVersion}`))).toEqual(
      [1, 1, 2].map((v) => [`cli-inspect-kek-${run}/v${v}`, `cli-inspect-kek-${run}/v${v}`]),
    );
    expect((await run1('inspect', '--topic', topic)).out.split('\n')[2]).toContain(`email=ok@cli-inspect-kek-${run}/v2`);
    // Without the secret: same report, NOT decryptable, and no plaintext anywhere in the output.
    const out: string[] = [];
    await main(['inspect', '--topic', topic], { out: (l) => out.push(l), err: () => {} }, { env: { ...withBrokers, CSFLE_LOCAL_SECRET: 'wrong-secret' } });
    expect(out.join('\n')).toContain('NOT decryptable');
    expect(out.join('\n')).toContain('email=ciphertext(KMS_INVALID_CIPHERTEXT)');
    expect(out.join('\n')).not.toContain(customer(1).ssn);
    const dec = await run1('decrypt', '--topic', topic, '--max', '2');
    expect(dec.out).toContain(customer(1).email);
    expect(dec.out.split('\n').filter((l) => l.includes('schema'))).toHaveLength(2);
    // shred with proof: after destroying the subject's DEKs, none of the topic's records decrypts.
    const shredded = await run1('shred', '--subject', `${topic}-value`, '--yes', '--verify-topic', topic, '--json');
    expect(shredded.code).toBe(ExitCodes.OK);
    expect(JSON.parse(shredded.out).verified).toEqual({ records: 3, stillDecryptable: 0 });
  }, 120_000);
});
