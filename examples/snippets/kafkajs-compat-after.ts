// Compiles the snippet of docs/kafkajs.md (block 3) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.
import type { KmsClient } from '@csfle/core';
declare const registryUrl: string;
declare const kms: KmsClient[];
declare const customer: { id: string; email: string };
declare const message: { value: Buffer };

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

export {};
