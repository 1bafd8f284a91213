// Compiles the snippet of README.md (block 3) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.
import type { DekRegistryClient, KmsClient, SchemaRegistryClient } from '@csfle/core';
declare const registry: SchemaRegistryClient;
declare const deks: DekRegistryClient;
declare const kms: KmsClient[];

import { createJsonSchemaSerde } from '@csfle/json-schema';
import { createProtobufSerde } from '@csfle/protobuf';

const json = createJsonSchemaSerde({ registry, deks, kms, useLatestVersion: true });
// property schema: { "type": "string", "confluent:tags": ["PII"] }
const proto = createProtobufSerde({ registry, deks, kms, useLatestVersion: true, messageName: 'acme.Customer' });
// .proto field:   string email = 2 [(confluent.field_meta).tags = "PII"];

export {};
