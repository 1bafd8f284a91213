// Compiles the snippet of packages/json-schema/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.

import { createLocalKms } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createJsonSchemaSerde } from '@csfle/json-schema';

const { schemas, deks } = createRegistryClients({ url: 'http://localhost:8081' });
const serde = createJsonSchemaSerde({
  registry: schemas,
  deks,
  kms: [createLocalKms({ secret: process.env.LOCAL_SECRET! })],
  useLatestVersion: true,
});

const bytes = await serde.serialize('customers', { id: 1, name: 'Alice', ssn: '123-45-6789' });
const { value, outcomes } = await serde.deserializeWithReport('customers', bytes);
// outcomes: [{ rule: 'encryptPII', field: '$.ssn', outcome: 'decrypted' }]

export {};
