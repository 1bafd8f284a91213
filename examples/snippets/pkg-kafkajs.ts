// Compiles the snippet of packages/kafkajs/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import type { Kafka, Producer } from 'kafkajs';
import type { DekRegistryClient, KmsClient, SchemaRegistryClient } from '@csfle/core';
import { registry, deks, kms, kafka, dlqProducer } from './harness/env.js';

import { wrapProducer, wrapConsumer } from '@csfle/kafkajs';
import { createAvroSerializer, createAvroDeserializer } from '@csfle/avro';

const producer = wrapProducer(kafka.producer(), { value: createAvroSerializer({ registry, deks, kms, useLatestVersion: true }) });
const consumer = wrapConsumer(kafka.consumer({ groupId: 'billing' }), {
  value: createAvroDeserializer({ registry, deks, kms }),
  dlq: { topic: 'customers.dlq', producer: dlqProducer },
});

export { producer, consumer };
