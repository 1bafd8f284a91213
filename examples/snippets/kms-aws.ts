// Compiles the snippet of docs/kms/aws.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import type { DekRegistryClient, SchemaRegistryClient } from '@csfle/core';
import { createAvroSerde } from '@csfle/avro';
import { registry, deks } from './harness/env.js';

import { createAwsKms } from '@csfle/kms-aws';
const kms = [createAwsKms()]; // SDK default credential chain
const serde = createAvroSerde({ registry, deks, kms, useLatestVersion: true });

export { kms, serde };
