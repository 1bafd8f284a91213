// Compiles the snippet of packages/registry/README.md (block 3) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.

import { startRegistryServer } from '@csfle/registry/server';
const server = await startRegistryServer({ port: 0 }); // { url, schemas, deks, requests, failNext, close }

export { server };
