// Compiles the snippet of docs/kms/vault.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import { readFileSync } from 'node:fs';

import { createVaultKms } from '@csfle/kms-vault';
const kms = [createVaultKms({ ca: readFileSync('/etc/vault/ca.pem') })]; // token from VAULT_TOKEN or the KEK props

export { kms };
