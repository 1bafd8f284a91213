// Compiles the snippet of packages/protobuf/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.

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

export {};
