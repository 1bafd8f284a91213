// Compiles the snippet of README.md (block 2) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.

import { createLocalKms } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createAvroSerializer, createAvroDeserializer } from '@csfle/avro';

const { schemas: registry, deks } = createRegistryClients({ url: 'http://registry:8081' });
const kms = [createLocalKms({ secret: process.env.LOCAL_SECRET! })]; // or createAwsKms(), createAzureKms(), createGcpKms(), createVaultKms()

const serializer = createAvroSerializer({ registry, deks, kms, useLatestVersion: true });
const bytes = await serializer.serialize('customers', { id: 1, email: 'ada@example.com' });

const deserializer = createAvroDeserializer({ registry, deks, kms });
const customer = await deserializer.deserialize('customers', bytes);

export { bytes, customer };
