/**
 * Starts local-stack services for integration tests through the same scripts the demo and CI use
 * (scripts/stack/<service>.sh). `start` is idempotent and locked, so every test file can call
 * `ensureService` in `beforeAll`; the jest global teardown stops whatever this run started.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export type StackService = 'kafka' | 'registry' | 'moto' | 'vault';

const ROOT = path.resolve(__dirname, '..', '..');

/** Starts `service` if needed (installing it on first use) and returns its `KEY=VALUE` environment. */
export function ensureService(service: StackService): Record<string, string> {
  let out: string;
  try {
    out = execFileSync('bash', [path.join(ROOT, 'scripts/stack', `${service}.sh`), 'start'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 900_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(`could not start ${service}:\n${err.stderr ?? ''}${err.stdout ?? ''}`);
  }
  const env: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1] as string] = m[2] as string;
  }
  return env;
}

/** Generous beforeAll timeout for a first start that installs from a package registry. */
export const SERVICE_START_TIMEOUT_MS = 900_000;
