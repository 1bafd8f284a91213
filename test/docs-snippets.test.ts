/**
 * Every TypeScript snippet in the README, docs/ and the package READMEs compiles as written: each ```ts block must appear
 * verbatim in a host file under examples/snippets/ (which adds only the declarations the page
 * assumes), and the hosts are type-checked here with the project's strict settings against the
 * built packages. Runnable, tested versions of the same code live in examples/src.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const HOSTS = path.join(ROOT, 'examples/snippets');

function markdownFiles(): string[] {
  const out = ['README.md', ...readdirSync(path.join(ROOT, 'packages')).map((p) => path.join('packages', p, 'README.md')).filter((f) => existsSync(path.join(ROOT, f)))];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.md')) out.push(path.join(dir, e.name));
    }
  };
  walk('docs');
  return out;
}

const snippets = markdownFiles().flatMap((file) =>
  [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m, i) => ({ file, n: i + 1, code: m[1] as string })),
);
const hosts = readdirSync(HOSTS).filter((f) => f.endsWith('.ts')).map((f) => ({ f, text: readFileSync(path.join(HOSTS, f), 'utf8') }));

it('finds the snippets', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(24);
});

it.each(snippets.map((s) => [`${s.file} #${s.n}`, s] as const))('%s has a host with the snippet verbatim', (_name, s) => {
  const found = hosts.filter((h) => h.text.includes(s.code));
  expect(found.length).toBeGreaterThanOrEqual(1);
});

it('every host holds a current snippet (no stale hosts)', () => {
  for (const h of hosts) expect({ host: h.f, used: snippets.some((s) => h.text.includes(s.code)) }).toEqual({ host: h.f, used: true });
});

it('all hosts type-check (strict) against the built packages', () => {
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  let out = '';
  try {
    execFileSync(tsc, ['-p', path.join(HOSTS, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? e);
  }
  expect(out).toBe('');
}, 120_000);
