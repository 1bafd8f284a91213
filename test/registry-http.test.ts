/**
 * The registry contract over real HTTP: our HTTP clients against the test server on
 * 127.0.0.1 (port 0), plus the behaviour only HTTP has (auth, retries, 405 fallback, error
 * shapes, timeouts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isCsfleError, isRegistryError } from '@csfle/core';
import { createDekRegistryClient, createRegistryClients, createSchemaRegistryClient } from '@csfle/registry';
import { startRegistryServer } from '@csfle/registry/server';
import { expectRegistryError, registryContract } from '../packages/registry/test/contract';

registryContract('HTTP clients ↔ test server', async ({ clock, generateDek }) => {
  const server = await startRegistryServer(generateDek === undefined ? { clock } : { clock, generateDek });
  const { schemas, deks } = createRegistryClients({ url: server.url, retryBackoffMs: 1, latestTtlMs: 0 });
  return { schemas, deks, close: () => server.close() };
});

// Same suite with the clients' default caches on: a client's own writes must never be hidden
// by its caches.
registryContract('HTTP clients (default caching) ↔ test server', async ({ clock, generateDek }) => {
  const server = await startRegistryServer(generateDek === undefined ? { clock } : { clock, generateDek });
  const { schemas, deks } = createRegistryClients({ url: server.url, retryBackoffMs: 1 });
  return { schemas, deks, close: () => server.close() };
});

describe('test server over HTTP', () => {
  it('answers Confluent-shaped errors and entities without null fields', async () => {
    const server = await startRegistryServer();
    try {
      const res = await fetch(`${server.url}/subjects/missing/versions/latest`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/vnd.schemaregistry.v1+json');
      expect(await res.json()).toEqual({ error_code: 40401, message: "Subject 'missing' not found." });

      const reg = await fetch(`${server.url}/subjects/s-value/versions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: '"string"' }),
      });
      const body = (await reg.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['guid', 'id', 'schema', 'version']);
      const byId = (await (await fetch(`${server.url}/schemas/ids/${body.id}`)).json()) as Record<string, unknown>;
      // No schemaType for AVRO, no null references/metadata/ruleSet.
      expect(Object.keys(byId).sort()).toEqual(['guid', 'schema']);
      expect(await (await fetch(`${server.url}/schemas/ids/${body.id}/versions`)).json()).toEqual([{ subject: 's-value', version: 1 }]);

      const kek = await fetch(`${server.url}/dek-registry/v1/keks/nope?deleted=false`);
      expect(await kek.json()).toEqual({ error_code: 40470, message: "Key 'nope' not found" });
      const unknown = await fetch(`${server.url}/no/such/route`);
      expect(unknown.status).toBe(404);
      const notAllowed = await fetch(`${server.url}/subjects`, { method: 'DELETE' });
      expect(notAllowed.status).toBe(405);
      expect(await notAllowed.json()).toEqual({ error_code: 405, message: 'HTTP 405 Method Not Allowed' });
      const badVersion = await fetch(`${server.url}/subjects/s-value/versions/zero`);
      expect(badVersion.status).toBe(422);
      expect(((await badVersion.json()) as { error_code: number }).error_code).toBe(42202);
      const assoc = await fetch(`${server.url}/associations/resources/-/topic1?resourceType=topic&associationType=value`);
      expect(await assoc.json()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('basic auth: 401 without or with wrong credentials, no secret in messages', async () => {
    const server = await startRegistryServer({ auth: { basic: { username: 'alice', password: 's3cret-pw' } } });
    try {
      const anonymous = createSchemaRegistryClient({ url: server.url, maxRetries: 0 });
      await expectRegistryError(anonymous.getSubjects(), 401, 401, 'REGISTRY_UNAUTHORIZED');
      const wrong = createSchemaRegistryClient({ url: server.url, auth: { basic: { username: 'alice', password: 'wrong-pw' } } });
      const err = await expectRegistryError(wrong.getSubjects(), 401, 401, 'REGISTRY_UNAUTHORIZED');
      expect(err.retriable).toBe(false);
      expect(err.message).toBe('registry: GET /subjects answered 401 (401): Unauthorized');
      expect(JSON.stringify(err)).not.toContain('wrong-pw');
      const right = createRegistryClients({ url: server.url, auth: { basic: { username: 'alice', password: 's3cret-pw' } } });
      expect(await right.schemas.getSubjects()).toEqual([]);
      expect(await right.deks.listKeks()).toEqual([]);
      // Credentials in the URL become basic auth.
      const inUrl = createSchemaRegistryClient({ url: server.url.replace('http://', 'http://alice:s3cret-pw@') });
      expect(await inUrl.getSubjects()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('bearer auth', async () => {
    const server = await startRegistryServer({ auth: { bearer: 'tok-123' } });
    try {
      await expectRegistryError(createSchemaRegistryClient({ url: server.url, auth: { bearer: 'nope' } }).getSubjects(), 401, 401);
      let calls = 0;
      const client = createSchemaRegistryClient({
        url: server.url,
        auth: {
          bearer: async () => {
            calls++;
            return 'tok-123';
          },
        },
      });
      expect(await client.getSubjects()).toEqual([]);
      expect(calls).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('retries 5xx answers (failNext) and then succeeds; 4xx are not retried', async () => {
    const server = await startRegistryServer();
    try {
      const retries: number[] = [];
      const client = createSchemaRegistryClient({
        url: server.url,
        retryBackoffMs: 1,
        maxRetries: 2,
        onRetry: (i) => retries.push(i.attempt),
      });
      server.failNext(2, 503);
      expect(await client.getSubjects()).toEqual([]);
      expect(retries).toEqual([1, 2]);
      server.failNext(3, 500);
      const err = await expectRegistryError(client.getSubjects(), 500, 50001, 'REGISTRY_UNAVAILABLE');
      expect(err.retriable).toBe(true);
      expect(err.message).toBe('registry: GET /subjects answered 500 (50001): Injected failure (test hook)');
      const before = server.requests.length;
      await expectRegistryError(client.getLatest('nope'), 404, 40401);
      expect(server.requests.length - before).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('createDek falls back to the deprecated route on 405', async () => {
    const server = await startRegistryServer({ legacyDekCreate: true });
    try {
      const deks = createDekRegistryClient({ url: server.url });
      await deks.createKek({ name: 'kek1', kmsType: 'local-kms', kmsKeyId: 'mykey', shared: false });
      const dek = await deks.createDek('kek1', { subject: 'a/b-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'AAAA' });
      expect(dek).toMatchObject({ kekName: 'kek1', subject: 'a/b-value', version: 1 });
      await deks.createDek('kek1', { subject: 'c-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'AAAA' });
      const posts = server.requests.filter((r) => r.method === 'POST').map((r) => `${r.url} ${r.status}`);
      expect(posts).toEqual([
        '/dek-registry/v1/keks 200',
        '/dek-registry/v1/keks/kek1/deks/a%2Fb-value 405',
        '/dek-registry/v1/keks/kek1/deks 200',
        // Remembered: the second create goes straight to the old route.
        '/dek-registry/v1/keks/kek1/deks 200',
      ]);
    } finally {
      await server.close();
    }
  });

  it('tries the next base URL on a network error', async () => {
    const server = await startRegistryServer();
    // A port that was just free: connection refused.
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    try {
      const client = createSchemaRegistryClient({ url: [`http://127.0.0.1:${deadPort}`, server.url], maxRetries: 0 });
      expect(await client.getSubjects()).toEqual([]);
      const onlyDead = createSchemaRegistryClient({ url: `http://127.0.0.1:${deadPort}`, maxRetries: 1, retryBackoffMs: 1 });
      let caught: unknown;
      try {
        await onlyDead.getSubjects();
      } catch (e) {
        caught = e;
      }
      expect(isRegistryError(caught) && caught.code === 'REGISTRY_UNAVAILABLE' && caught.retriable).toBe(true);
      expect((caught as Error).message).toMatch(/^registry: GET \/subjects failed: /);
    } finally {
      await server.close();
    }
  });

  it('times out a hanging server and aborts on the caller signal', async () => {
    const hanging = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      const client = createSchemaRegistryClient({ url, timeoutMs: 100, maxRetries: 1, retryBackoffMs: 1 });
      const started = Date.now();
      await expect(client.getSubjects()).rejects.toMatchObject({
        code: 'REGISTRY_UNAVAILABLE',
        message: 'registry: GET /subjects timed out after 100ms',
      });
      expect(Date.now() - started).toBeLessThan(2000);
      const patient = createSchemaRegistryClient({ url, timeoutMs: 30_000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      let caught: unknown;
      try {
        await patient.getSubjects({ signal: controller.signal });
      } catch (e) {
        caught = e;
      }
      expect(isCsfleError(caught) && caught.code === 'ABORTED').toBe(true);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((r) => hanging.close(() => r()));
    }
  });
});

describe('scripts/registry-server.mjs (built package)', () => {
  it('starts on a free port, writes the pid file, serves, and stops on SIGTERM', async () => {
    const root = path.resolve(__dirname, '..');
    // Like test/exports.test.ts, this needs `npm run build` first.
    expect(existsSync(path.join(root, 'packages/registry/dist/server.js'))).toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'csfle-registry-'));
    const pidFile = path.join(dir, 'registry.pid');
    const child = spawn(process.execPath, [path.join(root, 'scripts/registry-server.mjs'), '--port', '0', '--pid-file', pidFile], {
      env: { ...process.env, REGISTRY_BASIC_AUTH: 'ci:ci-password' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /registry listening on (\S+)/.exec(out);
          if (m?.[1] !== undefined) resolve(m[1]);
        });
        child.stderr.on('data', (d: Buffer) => reject(new Error(d.toString())));
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(child.pid));
      await expectRegistryError(createSchemaRegistryClient({ url }).getSubjects(), 401, 401);
      const { schemas } = createRegistryClients({ url, auth: { basic: { username: 'ci', password: 'ci-password' } } });
      expect(await schemas.register('cli-value', { schema: '"string"' })).toBe(1);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(pidFile)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
