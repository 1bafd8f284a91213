// Compiles the snippet of packages/kms-vault/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import { token, caPem } from './harness/env.js';

import { createVaultKms } from '@csfle/kms-vault';
const kms = [createVaultKms({ params: { 'token.id': token }, ca: caPem })];

export { kms };
