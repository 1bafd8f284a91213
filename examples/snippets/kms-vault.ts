// Compiles the snippet of docs/kms/vault.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.
import { readFileSync } from 'node:fs';

import { createVaultKms } from '@csfle/kms-vault';
const kms = [createVaultKms({ ca: readFileSync('/etc/vault/ca.pem') })]; // token from VAULT_TOKEN or the KEK props

export {};
