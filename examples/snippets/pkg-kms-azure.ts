// Compiles the snippet of packages/kms-azure/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.

import { createAzureKms } from '@csfle/kms-azure';
const kms = [createAzureKms()]; // DefaultAzureCredential
// or createAzureKms({ credential }), or { tenantId, clientId, clientSecret },
// or Confluent's tenant.id / client.id / client.secret in the KEK's kmsProps

export {};
