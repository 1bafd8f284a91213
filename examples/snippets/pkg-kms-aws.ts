// Compiles the snippet of packages/kms-aws/README.md (block 1) exactly as written; test/docs-snippets.test.ts checks it is
// verbatim and type-checks every host. The lines above the snippet declare what the page assumes.

import { createAwsKms } from '@csfle/kms-aws';
const kms = [createAwsKms()]; // default credential chain; or { params: { 'role.arn': … } }, { endpoint }, { clientFactory }

export {};
