// Compiles the snippet of docs/kms/azure.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.

import { createAzureKms } from '@csfle/kms-azure';
const kms = [createAzureKms()]; // DefaultAzureCredential

export { kms };
