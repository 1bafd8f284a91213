// Compiles the snippet of docs/kafkajs.md (block 2) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.
declare const registryUrl: string;
declare const customer: { id: string; email: string };
declare const message: { value: Buffer };

import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
const registry = new SchemaRegistry({ host: registryUrl });
const id = await registry.getLatestSchemaId('customers-value');
const value = await registry.encode(id, customer);
const decoded = await registry.decode(message.value);

export {};
