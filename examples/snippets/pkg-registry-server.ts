// Compiles the snippet of packages/registry/README.md (block 3) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.

import { startRegistryServer } from '@csfle/registry/server';
const server = await startRegistryServer({ port: 0 }); // { url, schemas, deks, requests, failNext, close }

export {};
