/**
 * The benchmark harness still runs, and the remote-call counts hold (one KMS call and one DEK
 * fetch per DEK even with 1,000 concurrent first uses). No timing is asserted: speed is measured
 * by `npm run bench`, and the figures live in docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ensureService } from './support/stack';

it('bench/run.mjs --smoke runs and the call counts hold', () => {
  const root = path.resolve(__dirname, '..');
  const out = execFileSync(process.execPath, [path.join(root, 'bench/run.mjs'), '--smoke', '--formats', 'avro,json,protobuf'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(out).toContain('cold cache, 1,000 concurrent first uses');
  expect(out).toMatch(/write: schema registry \d+, DEK registry 4, KMS 1/);
  expect(out).toMatch(/read \(new deserializer\): schema registry 1, DEK registry 2, KMS 1/);
  expect(out).toContain('smoke: ok');
  for (const f of ['avro', 'json', 'protobuf']) expect(out).toMatch(new RegExp(`${f}\\s+field AES256_GCM`));
}, 300_000);

it('bench/e2e.mjs runs through the real broker and accounts for every record (tiny N)', () => {
  const root = path.resolve(__dirname, '..');
  const env = { ...process.env, CSFLE_KAFKA_BROKERS: ensureService('kafka').CSFLE_KAFKA_BROKERS, CSFLE_REGISTRY_URL: ensureService('registry').CSFLE_REGISTRY_URL };
  const out = execFileSync(process.execPath, [path.join(root, 'bench/e2e.mjs'), '--n', '600', '--batch', '200', '--reps', '1'], { cwd: root, encoding: 'utf8', timeout: 240_000, env });
  expect(out).toMatch(/wrapped, Avro 2 fields GCM\s+[\d,]+\s+[\d,]+/);
}, 300_000);
