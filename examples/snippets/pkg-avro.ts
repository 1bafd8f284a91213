// Compiles the snippet of packages/avro/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.

import { createLocalKms } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createAvroSerde } from '@csfle/avro';

const { schemas, deks } = createRegistryClients({ url: 'http://localhost:8081' });
const serde = createAvroSerde({
  registry: schemas,
  deks,
  kms: [createLocalKms({ secret: process.env.LOCAL_SECRET! })], // or @csfle/kms-aws, ...
  useLatestVersion: true,
});

const bytes = await serde.serialize('customers', { id: 1, name: 'Alice', ssn: '123-45-6789' });
const customer = await serde.deserialize('customers', bytes);

// Per-field outcomes, e.g. for a Kafka consumer wrapper or metrics:
const { value, schemaId, outcomes } = await serde.deserializeWithReport('customers', bytes);
// outcomes: [{ rule: 'encryptPII', field: 'bench.Customer.ssn', outcome: 'decrypted' }]

export { bytes, customer, value, schemaId, outcomes };
