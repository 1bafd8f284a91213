import { createInMemoryDekRegistry, createInMemorySchemaRegistry } from '@csfle/registry';
import { registryContract } from './contract';

registryContract('in-memory', async ({ clock, generateDek }) => ({
  schemas: createInMemorySchemaRegistry(),
  deks: createInMemoryDekRegistry(generateDek === undefined ? { clock } : { clock, generateDek }),
  close: async () => {},
}));
