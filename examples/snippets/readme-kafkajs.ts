// Compiles the snippet of README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import type { Kafka, Producer } from 'kafkajs';
import type { DekRegistryClient, KmsClient, SchemaRegistryClient } from '@csfle/core';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { kafka, registry, deks, kms, dlqProducer, handle } from './harness/env.js';

import { wrapProducer, wrapConsumer } from '@csfle/kafkajs';

const producer = wrapProducer(kafka.producer(), { value: createAvroSerializer({ registry, deks, kms, useLatestVersion: true }) });
await producer.connect();
await producer.send({ topic: 'customers', messages: [{ key: 'c-1', value: { id: 'c-1', email: 'ada@example.com' } }] });

const consumer = wrapConsumer(kafka.consumer({ groupId: 'billing' }), {
  value: createAvroDeserializer({ registry, deks, kms }),
  dlq: { topic: 'customers.dlq', producer: dlqProducer }, // for rules with onFailure: DLQ
});
await consumer.connect();
await consumer.subscribe({ topics: ['customers'], fromBeginning: true });
await consumer.run({ eachMessage: async ({ message }) => handle(message.value) }); // decrypted

export { producer, consumer };
