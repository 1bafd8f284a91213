/**
 * Every `csfle …` command line written in the README, docs/ and the package READMEs is a command
 * the CLI knows, with flags it accepts (checked by the CLI's own parser, `checkCommandLine`), so a
 * renamed command or flag cannot leave stale instructions behind. Synopsis lines (with `|` or `[`)
 * are grammar, not commands, and are skipped. The walkthrough's commands are also executed, in
 * order, by test/walkthrough.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkCommandLine, COMMANDS } from '@csfle/cli';

const ROOT = path.resolve(__dirname, '..');

function pages(): string[] {
  const out = ['README.md', ...readdirSync(path.join(ROOT, 'packages')).map((p) => path.join('packages', p, 'README.md')).filter((f) => existsSync(path.join(ROOT, f)))];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== 'api') walk(path.join(dir, e.name));
      else if (e.name.endsWith('.md')) out.push(path.join(dir, e.name));
    }
  };
  walk('docs');
  return out;
}

/** Splits a command line like a shell would for these simple cases (quotes, no expansions). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? (m[3] as string));
  return out;
}

const GROUPS = new Set(COMMANDS.map((c) => c.split(' ')[0]));
const commandLines = pages().flatMap((file) => {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const found: string[] = [];
  // Code blocks: lines starting with `csfle <group>`, with `\` continuations joined.
  for (const block of text.matchAll(/^[ \t]*```[a-z]*\n([\s\S]*?)^[ \t]*```/gm)) {
    const joined = (block[1] as string).replace(/\\\n\s*/g, ' ');
    for (const l of joined.split('\n')) found.push(l.trim().replace(/^\$\s+/, ''));
  }
  // Inline code spans.
  for (const m of text.matchAll(/`(csfle [^`]+)`/g)) found.push(m[1] as string);
  return found
    .map((l) => l.replace(/\s+#.*$/, '').replace(/\s+/g, ' ').trim())
    .filter((l) => l.startsWith('csfle ') && GROUPS.has(l.split(/\s+/)[1] as string) && !/[|[]/.test(l))
    .map((l) => ({ file, line: l }));
});

it('finds the command lines', () => {
  expect(commandLines.length).toBeGreaterThanOrEqual(15);
});

it.each(commandLines.map((c) => [`${c.file}: ${c.line}`, c] as const))('%s', (_name, c) => {
  expect({ line: c.line, problem: checkCommandLine(words(c.line).slice(1)) }).toEqual({ line: c.line, problem: undefined });
});

it('the checker refuses what the CLI refuses', () => {
  expect(checkCommandLine(['dek', 'rewrap', '--kek', 'k'])).toBeUndefined();
  expect(checkCommandLine(['dek', 'rewarp', '--kek', 'k'])).toMatch(/unknown command/);
  expect(checkCommandLine(['dek', 'rewrap', '--kek-name', 'k'])).toMatch(/Unknown option/);
  expect(checkCommandLine(['shred', '--subject'])).toMatch(/argument missing/);
});

describe('the JSON examples of the docs are accepted as written', () => {
  const jsonBlocks = (file: string) => [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/^```json\n([\s\S]*?)^```/gm)].map((m) => JSON.parse(m[1] as string) as unknown);

  it('docs/rules.md: the example rule resolves to the parameters the page describes', async () => {
    const { resolveEncryptionParams } = await import('@csfle/core');
    const [rule] = jsonBlocks('docs/rules.md') as [import('@csfle/core').Rule];
    expect(resolveEncryptionParams(rule, { schema: '{}' })).toEqual({
      kekName: 'orders',
      kmsType: 'aws-kms',
      kmsKeyId: expect.stringMatching(/^arn:aws:kms:eu-west-1:/),
      algorithm: 'AES256_GCM',
      expiryDays: 90,
    });
  });

  it('docs/cli.md: the example profile file configures the CLI', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const os = await import('node:os');
    const { resolveConfig, describeConfig } = await import('@csfle/cli');
    const [profileFile] = jsonBlocks('docs/cli.md');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'csfle-docs-')), 'config.json');
    writeFileSync(file, JSON.stringify(profileFile));
    const c = resolveConfig({ flags: { config: file, profile: 'prod' }, env: {} });
    expect(c).toMatchObject({ registryUrl: 'https://registry.example.com', registryAuth: 'user:secret', kmsParams: { 'role.arn': 'arn:aws:iam::111122223333:role/kek-admin' } });
    expect(JSON.stringify(describeConfig(c))).not.toContain('user:secret');
  });
});
