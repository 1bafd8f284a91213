// Compiles the snippet of packages/core/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.

import { createLocalKms, createRuleEngine } from '@csfle/core';
import { createInMemoryDekRegistry } from '@csfle/registry';

const engine = createRuleEngine({
  deks: createInMemoryDekRegistry(),
  kms: [createLocalKms({ secret: process.env.LOCAL_SECRET! })],
});
// Pass `ruleEngine: engine` to several serdes to share DEK caches.

export { engine };
