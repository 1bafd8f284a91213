// Compiles the snippet of packages/kms-vault/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.
declare const token: string;
declare const caPem: string;

import { createVaultKms } from '@csfle/kms-vault';
const kms = [createVaultKms({ params: { 'token.id': token }, ca: caPem })];

export {};
