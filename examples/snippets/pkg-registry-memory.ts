// Compiles the snippet of packages/registry/README.md (block 2) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim, type-checks every host, and runs each one (harness/run.ts). What the page assumes comes from
// harness/env.js; the lines after the snippet only hand its results to the runner's checks.
import { fakeNow } from './harness/env.js';

import { createInMemorySchemaRegistry, createInMemoryDekRegistry } from '@csfle/registry';

const schemas = createInMemorySchemaRegistry();
const deks = createInMemoryDekRegistry({ clock: () => fakeNow }); // ts from your clock

export { schemas, deks };
