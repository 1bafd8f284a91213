// Compiles the snippet of README.md (block 3) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import type { DekRegistryClient, KmsClient, SchemaRegistryClient } from '@csfle/core';
import { registry, deks, kms } from './harness/env.js';

import { createJsonSchemaSerde } from '@csfle/json-schema';
import { createProtobufSerde } from '@csfle/protobuf';

const json = createJsonSchemaSerde({ registry, deks, kms, useLatestVersion: true });
// property schema: { "type": "string", "confluent:tags": ["PII"] }
const proto = createProtobufSerde({ registry, deks, kms, useLatestVersion: true, messageName: 'acme.Customer' });
// .proto field:   string email = 2 [(confluent.field_meta).tags = "PII"];

export { json, proto };
