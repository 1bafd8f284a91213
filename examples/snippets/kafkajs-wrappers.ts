// Compiles the snippet of docs/kafkajs.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.
declare const brokers: string[];
declare const registryUrl: string;
declare const secret: string;
declare const customer: { id: string; email: string };

import { Kafka } from 'kafkajs';
import { createLocalKms } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createAvroSerializer, createAvroDeserializer } from '@csfle/avro';
import { wrapProducer, wrapConsumer } from '@csfle/kafkajs';

const kafka = new Kafka({ brokers });
const { schemas: registry, deks } = createRegistryClients({ url: registryUrl });
const kms = [createLocalKms({ secret })]; // or @csfle/kms-aws, -azure, -gcp, -vault

const producer = wrapProducer(kafka.producer(), {
  value: createAvroSerializer({ registry, deks, kms, useLatestVersion: true }),
});
await producer.connect();
await producer.send({ topic: 'customers', messages: [{ key: 'c-1', value: customer }] });

const dlqProducer = kafka.producer();
await dlqProducer.connect();
const consumer = wrapConsumer(kafka.consumer({ groupId: 'billing' }), {
  value: createAvroDeserializer({ registry, deks, kms }),
  dlq: { topic: 'customers.dlq', producer: dlqProducer },
});
await consumer.connect();
await consumer.subscribe({ topics: ['customers'], fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    message.value;          // decrypted, deserialized
    message.raw;            // the kafkajs message, bytes as on the broker
    message.outcomes.value; // per protected field: decrypted | passed-through | failed
    message.passedThrough;  // true if a field kept its ciphertext (onFailure NONE)
  },
});

export {};
