/**
 * The committed vectors (bytes written by Confluent's JS and Python clients, see vectors.ts) read by
 * csfle's deserializers in every run, with no peer installed: an in-memory registry gets the
 * vector's schema, KEK and wrapped DEKs; the payload's schema id is re-framed to the local id.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createLocalKms } from '@csfle/core';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry } from '@csfle/registry';
import { createAvroDeserializer } from '@csfle/avro';
import { createJsonSchemaDeserializer } from '@csfle/json-schema';
import { createProtobufDeserializer } from '@csfle/protobuf';
import { toJson } from './peers';
import { VECTOR_DIR, type VectorFile } from './vectors';

const files = readdirSync(VECTOR_DIR).filter((f) => f.endsWith('.json')).sort();

it('vectors exist for the three Confluent peers and every format', () => {
  const peersSeen = new Set(files.map((f) => f.split('-').slice(0, 2).join('-')));
  expect([...peersSeen].sort()).toEqual(['confluent-go', 'confluent-js', 'confluent-python']);
  expect(files.length).toBeGreaterThanOrEqual(3 * 19);
});

it('the vector check can fail: a wrong local-kms secret is refused with our typed error', async () => {
  const v = JSON.parse(readFileSync(path.join(VECTOR_DIR, files.find((f) => f.includes('aes256-gcm'))!), 'utf8')) as VectorFile;
  const registry = createInMemorySchemaRegistry();
  const deks = createInMemoryDekRegistry();
  const id = await registry.register(v.subject, v.schema);
  await deks.createKek(v.kek);
  for (const d of v.deks) await deks.createDek(v.kek.name, { subject: v.subject, version: d.version, algorithm: d.algorithm, encryptedKeyMaterial: d.encryptedKeyMaterial });
  const opts = { registry, deks, kms: [createLocalKms({ secret: 'not-the-secret' })] };
  const de = v.format === 'AVRO' ? createAvroDeserializer(opts) : createJsonSchemaDeserializer(opts);
  const bytes = Buffer.from(v.payloads[0] as string, 'base64');
  bytes.writeInt32BE(id, 1);
  await expect(de.deserialize(v.subject.replace(/-value$/, ''), bytes)).rejects.toMatchObject({ code: 'RULE_FAILED' });
});

describe.each(files)('%s', (file) => {
  it('csfle reads the peer-written bytes to the expected values', async () => {
    const v = JSON.parse(readFileSync(path.join(VECTOR_DIR, file), 'utf8')) as VectorFile;
    const registry = createInMemorySchemaRegistry();
    const deks = createInMemoryDekRegistry();
    const id = await registry.register(v.subject, v.schema);
    await deks.createKek(v.kek);
    for (const d of v.deks) await deks.createDek(v.kek.name, { subject: v.subject, version: d.version, algorithm: d.algorithm, encryptedKeyMaterial: d.encryptedKeyMaterial });
    const opts = { registry, deks, kms: [createLocalKms({ secret: v.secret })] };
    const de = v.format === 'AVRO' ? createAvroDeserializer(opts) : v.format === 'JSON' ? createJsonSchemaDeserializer(opts) : createProtobufDeserializer(opts);
    const topic = v.subject.replace(/-value$/, '');
    const got = [];
    for (const p of v.payloads) {
      const bytes = Buffer.from(p, 'base64');
      bytes.writeInt32BE(id, 1); // the vector's registry id → ours
      got.push(toJson(await de.deserialize(topic, bytes)));
    }
    expect(got).toEqual(v.values);
  });
});
