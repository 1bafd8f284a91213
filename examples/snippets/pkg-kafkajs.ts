// Compiles the snippet of packages/kafkajs/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.
import type { Kafka, Producer } from 'kafkajs';
import type { DekRegistryClient, KmsClient, SchemaRegistryClient } from '@csfle/core';
declare const registry: SchemaRegistryClient;
declare const deks: DekRegistryClient;
declare const kms: KmsClient[];
declare const kafka: Kafka;
declare const dlqProducer: Producer;

import { wrapProducer, wrapConsumer } from '@csfle/kafkajs';
import { createAvroSerializer, createAvroDeserializer } from '@csfle/avro';

const producer = wrapProducer(kafka.producer(), { value: createAvroSerializer({ registry, deks, kms, useLatestVersion: true }) });
const consumer = wrapConsumer(kafka.consumer({ groupId: 'billing' }), {
  value: createAvroDeserializer({ registry, deks, kms }),
  dlq: { topic: 'customers.dlq', producer: dlqProducer },
});

export {};
