// Compiles the snippet of README.md (block 2) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.

import { createLocalKms } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createAvroSerializer, createAvroDeserializer } from '@csfle/avro';

const { schemas: registry, deks } = createRegistryClients({ url: 'http://registry:8081' });
const kms = [createLocalKms({ secret: process.env.LOCAL_SECRET! })]; // or createAwsKms(), createAzureKms(), createGcpKms(), createVaultKms()

const serializer = createAvroSerializer({ registry, deks, kms, useLatestVersion: true });
const bytes = await serializer.serialize('customers', { id: 1, email: 'ada@example.com' });

const deserializer = createAvroDeserializer({ registry, deks, kms });
const customer = await deserializer.deserialize('customers', bytes);

export {};
