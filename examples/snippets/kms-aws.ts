// Compiles the snippet of docs/kms/aws.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.
import type { DekRegistryClient, SchemaRegistryClient } from '@csfle/core';
import { createAvroSerde } from '@csfle/avro';
declare const registry: SchemaRegistryClient;
declare const deks: DekRegistryClient;

import { createAwsKms } from '@csfle/kms-aws';
const kms = [createAwsKms()]; // SDK default credential chain
const serde = createAvroSerde({ registry, deks, kms, useLatestVersion: true });

export {};
