// Compiles the snippet of docs/kafkajs.md (block 3) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import type { KmsClient } from '@csfle/core';
import { registryUrl, kms, customer, message } from './harness/env.js';

import { createCompatSchemaRegistry } from '@csfle/kafkajs';
import { createRegistryClients } from '@csfle/registry';
import { createAvroSerde } from '@csfle/avro';
const { schemas, deks } = createRegistryClients({ url: registryUrl });
const registry = createCompatSchemaRegistry({
  registry: schemas,
  formats: { AVRO: createAvroSerde }, // JSON: createJsonSchemaSerde, PROTOBUF: createProtobufSerde
  serdeOptions: { deks, kms },
});
const id = await registry.getLatestSchemaId('customers-value');
const value = await registry.encode(id, customer);
const decoded = await registry.decode(message.value);

export { registry, id, value, decoded };
