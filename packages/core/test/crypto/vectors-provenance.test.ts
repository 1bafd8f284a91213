/** The vector files are the ones the README names (conventions §3: provenance is asserted). */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTOR_DIR } from './wycheproof.js';

const readme = readFileSync(join(VECTOR_DIR, 'README.md'), 'utf8');

test('README names origin, commit and license; LICENSE is Apache 2.0', () => {
  expect(readme).toContain('C2SP/wycheproof');
  expect(readme).toContain('testvectors_v1/');
  expect(readme).toContain('dac1dd4729fd');
  expect(readme).toContain('Apache License 2.0');
  expect(readFileSync(join(VECTOR_DIR, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
});

test.each(['aes_gcm_test.json', 'aes_siv_cmac_test.json', 'aead_aes_siv_cmac_test.json'])(
  '%s exists and matches the SHA-256 recorded in the README',
  (file) => {
    const path = join(VECTOR_DIR, file);
    expect(existsSync(path)).toBe(true);
    const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
    expect(readme).toContain(`${digest}  ${file}`);
  },
);
