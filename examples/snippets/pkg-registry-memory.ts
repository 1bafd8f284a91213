// Compiles the snippet of packages/registry/README.md (block 2) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.
declare const fakeNow: number;

import { createInMemorySchemaRegistry, createInMemoryDekRegistry } from '@csfle/registry';

const schemas = createInMemorySchemaRegistry();
const deks = createInMemoryDekRegistry({ clock: () => fakeNow }); // ts from your clock

export {};
