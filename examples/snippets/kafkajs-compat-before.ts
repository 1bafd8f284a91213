// Compiles the snippet of docs/kafkajs.md (block 2) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import { registryUrl, customer, message } from './harness/env.js';

import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
const registry = new SchemaRegistry({ host: registryUrl });
const id = await registry.getLatestSchemaId('customers-value');
const value = await registry.encode(id, customer);
const decoded = await registry.decode(message.value);

export { id, value, decoded };
