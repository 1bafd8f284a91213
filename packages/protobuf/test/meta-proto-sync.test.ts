/**
 * `confluent/meta.proto` ships twice: as a file (for users' protoc / buf builds) and embedded in
 * `src/builtins.ts` (so imports resolve at run time without file access). They must stay equal.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFLUENT_META_PROTO } from '../src/builtins.js';

it('the shipped confluent/meta.proto equals the embedded copy', () => {
  const file = readFileSync(path.join(__dirname, '..', 'confluent', 'meta.proto'), 'utf8');
  expect(file).toBe(CONFLUENT_META_PROTO);
});
