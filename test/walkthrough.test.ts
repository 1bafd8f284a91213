/**
 * docs/walkthrough.md, executed: a security engineer applies a rule with the CLI, the developer's
 * unchanged producer starts writing ciphertext (checked on the broker's disk), the operator rotates
 * the DEK, and the subject is crypto-shredded — on the real broker and registry.
 */
import { createLocalKms } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { main } from '@csfle/cli';
import { wrapProducer } from '@csfle/kafkajs';
import { customer } from './support/customer-schemas';
import { createTopic, kafkaEnv, scanSegments, topicName, waitFor, type KafkaEnv } from './support/kafka';
import { SERVICE_START_TIMEOUT_MS } from './support/stack';

const SECRET = 'walkthrough-secret';
let env: KafkaEnv;
beforeAll(async () => {
  env = await kafkaEnv();
}, SERVICE_START_TIMEOUT_MS);
afterAll(async () => env?.close());

const UNTAGGED = JSON.stringify({
  type: 'record', name: 'Customer', namespace: 'com.example',
  fields: [{ name: 'id', type: 'string' }, { name: 'name', type: 'string' }, { name: 'email', type: 'string' }, { name: 'ssn', type: 'string' }, { name: 'country', type: 'string' }, { name: 'score', type: 'int' }],
});

async function csfle(...args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => out.push(l) }, { env: { CSFLE_REGISTRY_URL: env.registryUrl, CSFLE_LOCAL_SECRET: SECRET, HOME: '/nonexistent' } });
  return { code, out: out.join('\n') };
}

it('rule → unchanged producer encrypts → rotation → shred', async () => {
  const topic = topicName('walkthrough');
  const subject = `${topic}-value`;
  const kek = `kek-${topic}`;
  await createTopic(env.admin, topic, 1);
  const { schemas, deks } = createRegistryClients({ url: env.registryUrl, latestTtlMs: 0 });
  await schemas.register(subject, { schema: UNTAGGED });
  const kms = [createLocalKms({ secret: SECRET })];
  // The developer's producer: written once, never changed below.
  const producer = wrapProducer(env.track(env.kafka.producer()), { value: createAvroSerializer({ registry: schemas, deks, kms, useLatestVersion: true, latestCacheTtlMs: 0 }) });
  await producer.connect();
  const before = customer(1, 'Before');
  await producer.send({ topic, messages: [{ key: before.id, value: before }] });

  // 1. The security engineer applies the rule (dry run first).
  const args = ['--subject', subject, '--kek', kek, '--kms-type', 'local-kms', '--kms-key-id', 'k1', '--field-tag', '**.email=PII', '--field-tag', '**.ssn=PII'];
  expect((await csfle('rules', 'apply', ...args, '--dry-run')).out).toContain('(dry run: nothing registered)');
  expect((await csfle('rules', 'apply', ...args)).out).toContain('registered');

  // 2. Same producer, same code: new records are encrypted on the broker's disk.
  const after = customer(2, 'After');
  await producer.send({ topic, messages: [{ key: after.id, value: after }] });
  await waitFor(() => scanSegments(env.logDir, topic, [after.name]).size === 1, 20_000, 'record on disk');
  expect([...scanSegments(env.logDir, topic, [after.email, after.ssn])]).toEqual([]);
  expect([...scanSegments(env.logDir, topic, [before.email, after.name])].sort()).toEqual([after.name, before.email].sort());

  // 3. The operator rotates the DEK; new records use v2, old ones still decrypt.
  expect((await csfle('dek', 'rotate', '--kek', kek, '--subject', subject)).out).toContain('v2');
  const rotatedProducer = createAvroSerializer({ registry: schemas, deks, kms, useLatestVersion: true }); // a producer started after the rotation
  const v2bytes = await rotatedProducer.serialize(topic, customer(3, 'V2'));
  const reader = () => createAvroDeserializer({ registry: schemas, deks, kms });
  expect(await reader().deserialize(topic, v2bytes)).toEqual(customer(3, 'V2'));
  expect((await deks.getDek(kek, subject, -1, 'AES256_GCM'))?.version).toBe(2);

  // 4. Crypto-shred the subject: nothing under its DEKs decrypts any more.
  expect((await csfle('shred', '--subject', subject, '--yes')).out).toMatch(/destroyed 2 DEK/);
  await expect(reader().deserialize(topic, v2bytes)).rejects.toMatchObject({ code: 'RULE_FAILED' });
}, 120_000);
