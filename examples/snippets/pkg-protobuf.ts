// Compiles the snippet of packages/protobuf/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.

import { createLocalKms } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createProtobufSerde } from '@csfle/protobuf';

const { schemas, deks } = createRegistryClients({ url: 'http://localhost:8081' });
const serde = createProtobufSerde({
  registry: schemas,
  deks,
  kms: [createLocalKms({ secret: process.env.LOCAL_SECRET! })],
  useLatestVersion: true,
});

const bytes = await serde.serialize('customers', { id: '1', name: 'Alice', address: { street: '1 Main St' } });
const customer = await serde.deserialize('customers', bytes); // plain object
const { value, outcomes } = await serde.deserializeWithReport('customers', bytes);
// outcomes: [{ rule: 'encryptPII', field: 'shop.Customer.Address.street', outcome: 'decrypted' }, ...]

export { bytes, customer, value, outcomes };
