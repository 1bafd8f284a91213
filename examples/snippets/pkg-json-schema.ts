// Compiles the snippet of packages/json-schema/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.

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

export { bytes, value, outcomes };
