// Compiles the snippet of packages/core/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.

import { createLocalKms, createRuleEngine } from '@csfle/core';
import { createInMemoryDekRegistry } from '@csfle/registry';

const engine = createRuleEngine({
  deks: createInMemoryDekRegistry(),
  kms: [createLocalKms({ secret: process.env.LOCAL_SECRET! })],
});
// Pass `ruleEngine: engine` to several serdes to share DEK caches.

export {};
