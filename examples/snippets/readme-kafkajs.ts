// Compiles the snippet of README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.
import type { Kafka, Producer } from 'kafkajs';
import type { DekRegistryClient, KmsClient, SchemaRegistryClient } from '@csfle/core';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
declare const kafka: Kafka;
declare const registry: SchemaRegistryClient;
declare const deks: DekRegistryClient;
declare const kms: KmsClient[];
declare const dlqProducer: Producer;
declare function handle(value: unknown): Promise<void>;

import { wrapProducer, wrapConsumer } from '@csfle/kafkajs';

const producer = wrapProducer(kafka.producer(), { value: createAvroSerializer({ registry, deks, kms, useLatestVersion: true }) });
await producer.send({ topic: 'customers', messages: [{ key: 'c-1', value: { id: 'c-1', email: 'ada@example.com' } }] });

const consumer = wrapConsumer(kafka.consumer({ groupId: 'billing' }), {
  value: createAvroDeserializer({ registry, deks, kms }),
  dlq: { topic: 'customers.dlq', producer: dlqProducer }, // for rules with onFailure: DLQ
});
await consumer.run({ eachMessage: async ({ message }) => handle(message.value) }); // decrypted

export {};
