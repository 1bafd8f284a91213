/**
 * The benchmark harness still runs, and the remote-call counts hold (one KMS call and one DEK
 * fetch per DEK even with 1,000 concurrent first uses). No timing is asserted: speed is measured
 * by `npm run bench`, and the figures live in docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

it('bench/run.mjs --smoke runs and the call counts hold', () => {
  const root = path.resolve(__dirname, '..');
  const out = execFileSync(process.execPath, [path.join(root, 'bench/run.mjs'), '--smoke', '--formats', 'avro'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(out).toContain('cold cache, 1,000 concurrent first uses');
  expect(out).toMatch(/write: schema registry \d+, DEK registry 4, KMS 1/);
  expect(out).toMatch(/read \(new deserializer\): schema registry 1, DEK registry 2, KMS 1/);
  expect(out).toContain('smoke: ok');
});
