/**
 * Every TypeScript snippet in the README, docs/ and the package READMEs compiles and runs as
 * written: each ```ts block must appear verbatim in a host file under examples/snippets/ (which
 * adds only what the page assumes, from harness/env.ts, and an export of the snippet's results);
 * the hosts are type-checked with the project's strict settings against the built packages and
 * compiled, then each one is run in its own process by harness/run.ts against real services — a
 * fresh registry server, the local Kafka broker, OpenBao transit and moto's AWS KMS — which checks
 * what the snippet did (round trips, ciphertext on the wire, records through the broker, KMS round
 * trips). See harness/run.ts for the only rewrites it makes (endpoints and per-run topic names).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { setupMoto, type MotoKeys } from './support/moto';
import { ensureService, SERVICE_START_TIMEOUT_MS } from './support/stack';
import { setupVault } from './support/vault';
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

// Type-check and compile (to examples/snippets/.run) once, before anything else runs.
let tscOutput = '';
beforeAll(() => {
  try {
    execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', path.join(HOSTS, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    tscOutput = String((e as { stdout?: string }).stdout ?? e);
  }
}, 120_000);

it('all hosts type-check (strict) against the built packages, and compile', () => {
  expect(tscOutput).toBe('');
});

describe('every host runs, and does what its page says', () => {
  let services: Record<string, unknown>;
  let moto: MotoKeys | undefined;
  beforeAll(async () => {
    const brokers = ensureService('kafka').CSFLE_KAFKA_BROKERS as string;
    const v = ensureService('vault');
    const vault = await setupVault(v.CSFLE_VAULT_URL as string, v.CSFLE_VAULT_TOKEN as string);
    moto = await setupMoto(ensureService('moto').CSFLE_MOTO_URL as string);
    services = {
      brokers,
      vault: { url: vault.url, token: vault.token, key: vault.keys.k1 },
      moto: { url: moto.url, keyArn: moto.key1, accessKeyId: moto.allowed.accessKeyId, secretAccessKey: moto.allowed.secretAccessKey },
    };
  }, SERVICE_START_TIMEOUT_MS);
  afterAll(async () => {
    if (moto) await (await import('./support/moto')).motoAuth(moto.url, false);
  });

  it.each(hosts.map((h) => [h.f.replace(/\.ts$/, '')]))('%s', async (host) => {
    const runner = path.join(HOSTS, '.run/harness/run.js');
    expect(existsSync(runner)).toBe(true);
    let out = '';
    let err = '';
    try {
      ({ stdout: out, stderr: err } = await promisify(execFile)(process.execPath, [runner, host], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, CSFLE_SNIPPET_SERVICES: JSON.stringify(services) },
        timeout: 150_000,
      }));
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string };
      out = x.stdout ?? '';
      err = x.stderr ?? String(e);
    }
    const line = out.split('\n').find((l) => l.startsWith('CSFLE-SNIPPET-RESULT '));
    expect({ host, err: line ? '' : err }).toEqual({ host, err: '' });
    const result = JSON.parse((line as string).slice('CSFLE-SNIPPET-RESULT '.length)) as { host: string; checks: string[] };
    expect(result.host).toBe(host);
    expect(result.checks[0]).toBe('the snippet ran to completion');
    expect(result.checks.length).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
