// Compiles the snippet of docs/kafkajs.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import { brokers, registryUrl, secret, customer } from './harness/env.js';

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

export { producer, consumer, dlqProducer };
