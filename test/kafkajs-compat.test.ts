/**
 * The migration path for `@kafkajs/confluent-schema-registry` users: the same calls on csfle,
 * against the real registry server, with the old package itself as the peer.
 */
import { SchemaRegistry, SchemaType as OldSchemaType } from '@kafkajs/confluent-schema-registry';
import { createLocalKms } from '@csfle/core';
import { createAvroSerde } from '@csfle/avro';
import { createJsonSchemaSerde } from '@csfle/json-schema';
import { createRegistryClients } from '@csfle/registry';
import { createCompatSchemaRegistry, SchemaType } from '@csfle/kafkajs';
import { AVRO_CUSTOMER, customer, encryptRule, JSON_CUSTOMER } from './support/customer-schemas';
import { ensureService, SERVICE_START_TIMEOUT_MS } from './support/stack';

let url: string;
beforeAll(() => {
  url = ensureService('registry').CSFLE_REGISTRY_URL as string;
}, SERVICE_START_TIMEOUT_MS);

function compat(secret = 'compat-secret') {
  const { schemas, deks } = createRegistryClients({ url });
  return {
    schemas,
    registry: createCompatSchemaRegistry({
      registry: schemas,
      formats: { AVRO: createAvroSerde, JSON: createJsonSchemaSerde },
      serdeOptions: { deks, kms: [createLocalKms({ secret })] },
    }),
  };
}

const subject = (s: string) => `${s}-${Math.random().toString(36).slice(2, 8)}-value`;

it('same calls: register, getLatestSchemaId, encode, decode — and the rule added by the security engineer encrypts', async () => {
  const old = new SchemaRegistry({ host: url });
  const { registry, schemas } = compat();
  const subj = subject('compat-avro');
  // Before: the app registered and encoded with the old package (no encryption possible).
  const { id: v1 } = await old.register({ type: OldSchemaType.AVRO, schema: AVRO_CUSTOMER }, { subject: subj });
  const legacyBytes = await old.encode(v1, customer(1));
  // The security engineer adds the ENCRYPT rule (a new version with the same schema text).
  const v2 = await schemas.register(subj, { schema: AVRO_CUSTOMER, ruleSet: { domainRules: [encryptRule('kek-compat')] } });
  expect(v2).not.toBe(v1);
  // After: the app's calls are unchanged; only the import/constructor changed.
  const id = await registry.getLatestSchemaId(subj);
  expect(id).toBe(v2);
  const bytes = await registry.encode(id, customer(2));
  expect(bytes.includes(Buffer.from(customer(2).ssn))).toBe(false);
  expect(bytes.includes(Buffer.from(customer(2).name))).toBe(true);
  expect(await registry.decode(bytes)).toEqual(customer(2));
  // Old data still decodes, and an unmigrated consumer on the old package sees only ciphertext.
  expect(await registry.decode(legacyBytes)).toEqual(customer(1));
  const seenByOld = (await old.decode(bytes)) as { ssn: string; email: string; name: string };
  expect(seenByOld.name).toBe(customer(2).name);
  expect(seenByOld.ssn).not.toBe(customer(2).ssn);
  expect(seenByOld.email).not.toContain('@example.com');
  // A consumer with the wrong key cannot read it.
  await expect(compat('wrong-secret').registry.decode(bytes)).rejects.toMatchObject({ code: 'RULE_FAILED' });
});

it('JSON Schema, register through the compat API, ids found by search when not registered here', async () => {
  const { schemas } = compat();
  const subj = subject('compat-json');
  const id = await schemas.register(subj, { schemaType: 'JSON', schema: JSON_CUSTOMER, ruleSet: { domainRules: [encryptRule('kek-compat-json')] } });
  const writer = compat().registry; // never saw this id: finds its subject by searching the registry
  const bytes = await writer.encode(id, customer(3));
  expect(bytes.includes(Buffer.from(customer(3).email))).toBe(false);
  const reader = compat().registry;
  expect(await reader.decode(bytes)).toEqual(customer(3));
  const { id: again } = await reader.register({ type: SchemaType.JSON, schema: JSON_CUSTOMER }, { subject: subject('compat-json2') });
  expect(typeof again).toBe('number');
});

it('typed errors: unknown schema id, a format that was not configured', async () => {
  const { registry, schemas } = compat();
  const frame = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1]);
  await expect(registry.decode(frame)).rejects.toMatchObject({ name: expect.stringMatching(/Error$/), code: expect.stringMatching(/^REGISTRY_/) });
  const protoSubject = subject('compat-proto');
  const id = await schemas.register(protoSubject, { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message M { string a = 1; }' });
  await expect(registry.encode(id, { a: 'x' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('formats.PROTOBUF') });
});
