// Compiles the snippet of packages/registry/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import type { RuleSet } from '@csfle/core';
import { avroSchema, ruleSet } from './harness/env.js';

import { createRegistryClients } from '@csfle/registry';

const { schemas, deks } = createRegistryClients({
  url: ['https://sr-1.example:8081', 'https://sr-2.example:8081'], // next URL on network errors
  auth: { basic: { username: 'svc', password: process.env.SR_PASSWORD! } }, // or { bearer: token | () => token }
  timeoutMs: 30_000,   // per attempt (default 30000)
  maxRetries: 2,       // 5xx / 429 / network errors only (default 2)
  retryBackoffMs: 100, // exponential, jittered, capped by maxRetryBackoffMs (default 2000)
  cacheCapacity: 1000, // schema caches (default 1000)
  latestTtlMs: 60_000, // "latest" answers are cached this long (default 60000, 0 = off)
});

const id = await schemas.register('orders-value', { schema: JSON.stringify(avroSchema), ruleSet });
const latest = await schemas.getLatest('orders-value');
const kek = await deks.getKek('kek1'); // undefined if absent

export { schemas, deks, id, latest, kek };
