// Compiles the snippet of docs/kms/azure.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.

import { createAzureKms } from '@csfle/kms-azure';
const kms = [createAzureKms()]; // DefaultAzureCredential

export {};
