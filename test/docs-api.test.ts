/**
 * The API reference (`npm run docs:api`, TypeDoc from the packages' TSDoc) builds with no warning:
 * every public symbol a signature refers to is exported and documented, every `{@link}` resolves.
 * Nothing is written (`--emit none`); the generated Markdown is not committed (docs/api is ignored).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

it('TypeDoc converts every package with no warning or error', () => {
  let out = '';
  let code = 0;
  try {
    out = execFileSync(path.join(ROOT, 'node_modules/.bin/typedoc'), ['--emit', 'none', '--treatWarningsAsErrors', '--logLevel', 'Warn'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const x = e as { status?: number; stdout?: string; stderr?: string };
    code = x.status ?? 1;
    out = `${x.stdout ?? ''}${x.stderr ?? ''}`;
  }
  expect({ code, out: out.trim() }).toEqual({ code: 0, out: '' });
}, 120_000);
