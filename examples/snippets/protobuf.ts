// Compiles the snippet of docs/protobuf.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import { secret } from './harness/env.js';

import { createLocalKms } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createProtobufSerde } from '@csfle/protobuf';

const { schemas, deks } = createRegistryClients({ url: 'http://localhost:8081' });
const serde = createProtobufSerde({ registry: schemas, deks, kms: [createLocalKms({ secret })], useLatestVersion: true });
const bytes = await serde.serialize('customers', { id: '42', name: 'Ada', address: { street: '12 St James Square' } });
const customer = await serde.deserialize('customers', bytes); // a plain object

export { bytes, customer };
