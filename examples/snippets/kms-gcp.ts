// Compiles the snippet of docs/kms/gcp.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.

import { createGcpKms } from '@csfle/kms-gcp';
const kms = [createGcpKms()]; // application default credentials

export {};
