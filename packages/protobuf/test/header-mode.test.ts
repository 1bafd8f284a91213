import { frameWithId, createLocalKms } from '@csfle/core';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry } from '@csfle/registry';
import { createProtobufSerde } from '@csfle/protobuf';
const PROTO = 'syntax = "proto3"; package h; import "confluent/meta.proto"; message A { string a = 1 [(confluent.field_meta).tags = "PII"]; } message B { string b = 1 [(confluent.field_meta).tags = "PII"]; message C { string c = 1; } }';
test('protobuf header mode: message indexes in the __value_schema_id header', async () => {
  const registry = createInMemorySchemaRegistry();
  const deks = createInMemoryDekRegistry();
  await registry.register('t-value', { schema: PROTO, schemaType: 'PROTOBUF', ruleSet: { domainRules: [{ name: 'r', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': 'k', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'x' } }] } });
  const serde = createProtobufSerde({ registry, deks, kms: [createLocalKms({ secret: 's' })], useLatestVersion: true, messageName: 'h.B' });
  const framed = await serde.serialize('t', { b: 'header-mode-secret' });
  // prefix: 00 id(4) 02 02 body → header: 00 id 02 02, payload: body
  const header = framed.subarray(0, 7);
  const payload = framed.subarray(7);
  expect(await serde.deserialize('t', payload, { __value_schema_id: header })).toEqual({ b: 'header-mode-secret' });
  const c = frameWithId(1, Buffer.from([0x0a, 0x01, 0x78]), Buffer.from([0x04, 0x02, 0x00]));
  expect(await serde.deserialize('t', c.subarray(8), { __value_schema_id: c.subarray(0, 8) })).toEqual({ c: 'x' });
  // The prefix form still works.
  expect(await serde.deserialize('t', framed)).toEqual({ b: 'header-mode-secret' });
});
