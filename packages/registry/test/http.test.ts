/** Unit tests of the REST core with an injected fake fetch. */
import { isCsfleError, isRegistryError } from '@csfle/core';
import type { RegistryError } from '@csfle/core';
import { createRegistryRestClient, encodePath, type RetryInfo } from '@csfle/registry';
import { type FakeAnswer, fakeFetch, networkError } from './fake-fetch';

const URL_A = 'http://registry-a.test:8081';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('REST core: requests', () => {
  it('sends the Confluent headers, the JSON body and the encoded query', async () => {
    const f = fakeFetch(() => ({ status: 200, body: { id: 1 } }));
    const rest = createRegistryRestClient({ url: `${URL_A}/`, fetch: f.fetch, headers: { 'target-sr-cluster': 'lsrc-1' } });
    const out = await rest.request({
      method: 'POST',
      path: encodePath`/subjects/${'a/b c'}/versions`,
      query: [
        ['normalize', false],
        ['skip', undefined],
        ['key', 'x&y'],
      ],
      body: { schema: '"string"' },
    });
    expect(out).toEqual({ id: 1 });
    expect(f.calls).toHaveLength(1);
    const call = f.calls[0]!;
    expect(call.url).toBe('http://registry-a.test:8081/subjects/a%2Fb%20c/versions?normalize=false&key=x%26y');
    expect(call.method).toBe('POST');
    expect(call.headers['content-type']).toBe('application/vnd.schemaregistry.v1+json');
    expect(call.headers['confluent-accept-unknown-properties']).toBe('true');
    expect(call.headers['target-sr-cluster']).toBe('lsrc-1');
    expect(call.headers.authorization).toBeUndefined();
    expect(call.body).toEqual({ schema: '"string"' });
  });

  it('resolves undefined for an empty 2xx body', async () => {
    const f = fakeFetch(() => ({ status: 204 }));
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch });
    expect(await rest.request({ method: 'DELETE', path: '/x' })).toBeUndefined();
  });

  it('sends basic auth', async () => {
    const f = fakeFetch(() => ({ status: 200, body: [] }));
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch, auth: { basic: { username: 'u', password: 'p:w' } } });
    await rest.request({ method: 'GET', path: '/subjects' });
    expect(f.calls[0]!.headers.authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
  });

  it('sends bearer auth, static or from a provider called per request', async () => {
    const f = fakeFetch(() => ({ status: 200, body: [] }));
    await createRegistryRestClient({ url: URL_A, fetch: f.fetch, auth: { bearer: 'static-token' } }).request({ method: 'GET', path: '/a' });
    let n = 0;
    const rest = createRegistryRestClient({
      url: URL_A,
      fetch: f.fetch,
      auth: { bearer: async () => `token-${++n}` },
    });
    await rest.request({ method: 'GET', path: '/a' });
    await rest.request({ method: 'GET', path: '/a' });
    expect(f.calls.map((c) => c.headers.authorization)).toEqual(['Bearer static-token', 'Bearer token-1', 'Bearer token-2']);
  });

  it('a failing token provider is REGISTRY_UNAUTHORIZED, not retried', async () => {
    const f = fakeFetch(() => ({ status: 200, body: [] }));
    const rest = createRegistryRestClient({
      url: URL_A,
      fetch: f.fetch,
      auth: {
        bearer: () => {
          throw new Error('idp down');
        },
      },
    });
    const err = (await rejection(rest.request({ method: 'GET', path: '/a' }))) as RegistryError;
    expect(err.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(err.message).toBe('registry: GET /a bearer token provider failed');
    expect(f.calls).toHaveLength(0);
  });

  it('turns credentials in the URL into basic auth and strips them from the URL', async () => {
    const f = fakeFetch(() => ({ status: 200, body: [] }));
    const rest = createRegistryRestClient({ url: 'https://bob:pa%40ss@registry.test/base/', fetch: f.fetch });
    await rest.request({ method: 'GET', path: '/subjects' });
    expect(f.calls[0]!.url).toBe('https://registry.test/base/subjects');
    expect(f.calls[0]!.headers.authorization).toBe(`Basic ${Buffer.from('bob:pa@ss').toString('base64')}`);
  });

  it('validates options eagerly, without echoing credentials', () => {
    const bad = (options: object): unknown => {
      try {
        createRegistryRestClient(options as never);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(bad({ url: [] })).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'registry: "url" expected URL or non-empty array of URLs, got array' });
    expect(bad({ url: 'ftp://x' })).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'registry: "url" expected http: or https: URL, got "ftp:"' });
    const e = bad({ url: 'not a url user:hunter2@' }) as Error;
    expect(e).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'registry: "url" expected absolute http(s) URL, got an unparsable string' });
    expect(bad({ url: URL_A, maxRetries: -1 })).toMatchObject({ message: 'registry: "maxRetries" expected non-negative integer, got -1' });
    expect(bad({ url: URL_A, timeoutMs: 0 })).toMatchObject({ message: 'registry: "timeoutMs" expected positive integer, got 0' });
    const badAuth = bad({ url: URL_A, auth: { basic: { username: 'u:x', password: 'hunter2' } } }) as Error;
    expect(badAuth.message).not.toContain('hunter2');
    expect(bad({ url: URL_A, auth: { bearer: '' } })).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('encodePath encodes every interpolated segment', () => {
    expect(encodePath`/keks/${'a/b'}/deks/${'x y?#%'}/versions/${-1}`).toBe('/keks/a%2Fb/deks/x%20y%3F%23%25/versions/-1');
    // Dot segments would be resolved by URL parsing and reach another route.
    expect(() => encodePath`/subjects/${'..'}/versions`).toThrow('registry: "path segment" expected a name other than "." or "..", got ".."');
    expect(encodePath`/subjects/${'...'}`).toBe('/subjects/...');
  });
});

describe('REST core: errors', () => {
  const cases: Array<[number, string, boolean]> = [
    [400, 'REGISTRY_ERROR', false],
    [401, 'REGISTRY_UNAUTHORIZED', false],
    [403, 'REGISTRY_UNAUTHORIZED', false],
    [404, 'REGISTRY_NOT_FOUND', false],
    [405, 'REGISTRY_ERROR', false],
    [409, 'REGISTRY_ERROR', false],
    [422, 'REGISTRY_ERROR', false],
    [429, 'REGISTRY_UNAVAILABLE', true],
    [500, 'REGISTRY_UNAVAILABLE', true],
    [502, 'REGISTRY_UNAVAILABLE', true],
    [503, 'REGISTRY_UNAVAILABLE', true],
  ];
  it.each(cases)('status %i maps to %s (retriable %s), retried only if retriable', async (status, code, retriable) => {
    const f = fakeFetch(() => ({ status, body: { error_code: status * 100 + 1, message: 'boom' } }));
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch, maxRetries: 2, retryBackoffMs: 1 });
    const err = (await rejection(rest.request({ method: 'GET', path: '/x' }))) as RegistryError;
    expect(isRegistryError(err)).toBe(true);
    expect(err).toMatchObject({ code, retriable, status, registryErrorCode: status * 100 + 1 });
    expect(err.message).toBe(`registry: GET /x answered ${status} (${status * 100 + 1}): boom`);
    expect(f.calls).toHaveLength(retriable ? 3 : 1);
  });

  it('uses the message template with the path (no query) and the registry error code', async () => {
    const f = fakeFetch(() => ({ status: 404, body: { error_code: 40401, message: 'Subject not found' } }));
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch });
    const err = (await rejection(
      rest.request({ method: 'GET', path: '/subjects/x/versions/latest', query: [['deleted', false]] }),
    )) as RegistryError;
    expect(err.message).toBe('registry: GET /subjects/x/versions/latest answered 404 (40401): Subject not found');
    expect(err.name).toBe('RegistryError');
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'RegistryError',
      code: 'REGISTRY_NOT_FOUND',
      message: 'registry: GET /subjects/x/versions/latest answered 404 (40401): Subject not found',
      retriable: false,
      status: 404,
      registryErrorCode: 40401,
    });
  });

  it('keeps the status of a non-JSON error body (e.g. a proxy page)', async () => {
    const f = fakeFetch(() => ({ status: 502, statusText: 'Bad Gateway', text: '<html>oops</html>' }));
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch, maxRetries: 0 });
    const err = (await rejection(rest.request({ method: 'GET', path: '/x' }))) as RegistryError;
    expect(err).toMatchObject({ status: 502, registryErrorCode: undefined, code: 'REGISTRY_UNAVAILABLE' });
    expect(err.message).toBe('registry: GET /x answered 502: Bad Gateway');
  });

  it('a 2xx body that is not JSON is a REGISTRY_ERROR', async () => {
    const f = fakeFetch(() => ({ status: 200, text: 'not json' }));
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch });
    await expect(rest.request({ method: 'GET', path: '/x' })).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
      message: 'registry: GET /x answered 200 with a body that is not JSON',
    });
  });

  it('never puts credentials in messages, even when the server echoes them', async () => {
    const basic = Buffer.from('alice:correct-horse').toString('base64');
    const f = fakeFetch((call) => ({
      status: 403,
      body: { error_code: 40301, message: `denied for ${call.headers.authorization} (password correct-horse)` },
    }));
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch, auth: { basic: { username: 'alice', password: 'correct-horse' } } });
    const err = (await rejection(rest.request({ method: 'GET', path: '/x' }))) as RegistryError;
    expect(err.code).toBe('REGISTRY_UNAUTHORIZED');
    const everything = `${err.message} ${JSON.stringify(err)} ${String(err.stack)}`;
    expect(everything).not.toContain('correct-horse');
    expect(everything).not.toContain(basic);
    expect(err.message).toBe('registry: GET /x answered 403 (40301): denied for Basic <redacted> (password <redacted>)');

    const f2 = fakeFetch((call) => ({ status: 401, body: { error_code: 401, message: `bad ${call.headers.authorization}` } }));
    const bearer = createRegistryRestClient({ url: URL_A, fetch: f2.fetch, auth: { bearer: 'tok-very-secret' } });
    const err2 = (await rejection(bearer.request({ method: 'GET', path: '/x' }))) as RegistryError;
    expect(err2.message).toBe('registry: GET /x answered 401 (401): bad Bearer <redacted>');
  });
});

describe('REST core: retries, backoff, URLs, timeouts, abort', () => {
  it('retries network errors and 5xx, then succeeds', async () => {
    const answers: FakeAnswer[] = [networkError(), { status: 503, body: { error_code: 50301, message: 'x' } }, { status: 200, body: ['ok'] }];
    const f = fakeFetch((_, i) => answers[i]!);
    const retries: RetryInfo[] = [];
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch, retryBackoffMs: 1, onRetry: (r) => retries.push(r) });
    expect(await rest.request({ method: 'GET', path: '/x' })).toEqual(['ok']);
    expect(f.calls).toHaveLength(3);
    expect(retries.map((r) => [r.attempt, r.error.code])).toEqual([
      [1, 'REGISTRY_UNAVAILABLE'],
      [2, 'REGISTRY_UNAVAILABLE'],
    ]);
  });

  it('gives up after maxRetries with the last error', async () => {
    const f = fakeFetch(() => networkError());
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch, maxRetries: 3, retryBackoffMs: 1 });
    const err = (await rejection(rest.request({ method: 'GET', path: '/x' }))) as RegistryError;
    expect(err).toMatchObject({ code: 'REGISTRY_UNAVAILABLE', retriable: true, status: undefined });
    expect(err.message).toBe('registry: GET /x failed: fetch failed (ECONNREFUSED)');
    expect(f.calls).toHaveLength(4);
  });

  it('maxRetries 0 means one attempt', async () => {
    const f = fakeFetch(() => ({ status: 500, body: { error_code: 50001, message: 'x' } }));
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch, maxRetries: 0 });
    await rejection(rest.request({ method: 'GET', path: '/x' }));
    expect(f.calls).toHaveLength(1);
  });

  it('backoff grows exponentially with jitter and is bounded by maxRetryBackoffMs', async () => {
    const delays: number[] = [];
    const f = fakeFetch(() => ({ status: 503, body: {} }));
    const low = createRegistryRestClient({
      url: URL_A,
      fetch: f.fetch,
      maxRetries: 4,
      retryBackoffMs: 4,
      maxRetryBackoffMs: 1000,
      random: () => 0,
      onRetry: (r) => delays.push(r.delayMs),
    });
    await rejection(low.request({ method: 'GET', path: '/x' }));
    // Equal jitter with random 0: half of base * 2^n.
    expect(delays).toEqual([2, 4, 8, 16]);

    const bounded: number[] = [];
    const high = createRegistryRestClient({
      url: URL_A,
      fetch: f.fetch,
      maxRetries: 5,
      retryBackoffMs: 1000,
      maxRetryBackoffMs: 20,
      random: () => 0.999999,
      onRetry: (r) => bounded.push(r.delayMs),
    });
    const started = Date.now();
    await rejection(high.request({ method: 'GET', path: '/x' }));
    expect(bounded).toHaveLength(5);
    for (const d of bounded) expect(d).toBeLessThanOrEqual(20);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('defaults: 2 retries, 100 ms base, 2000 ms cap', async () => {
    const delays: number[] = [];
    const f = fakeFetch(() => ({ status: 503, body: {} }));
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch, random: () => 0, onRetry: (r) => delays.push(r.delayMs) });
    await rejection(rest.request({ method: 'GET', path: '/x' }));
    expect(f.calls).toHaveLength(3);
    expect(delays).toEqual([50, 100]);
  });

  it('moves to the next URL on a network error and sticks to the one that answered', async () => {
    const f = fakeFetch((call) => (call.url.startsWith('http://a.test') ? networkError() : { status: 200, body: [] }));
    const rest = createRegistryRestClient({ url: ['http://a.test', 'http://b.test'], fetch: f.fetch, maxRetries: 0 });
    await rest.request({ method: 'GET', path: '/one' });
    await rest.request({ method: 'GET', path: '/two' });
    expect(f.calls.map((c) => c.url)).toEqual(['http://a.test/one', 'http://b.test/one', 'http://b.test/two']);
  });

  it('does not move to the next URL on a 4xx answer', async () => {
    const f = fakeFetch(() => ({ status: 404, body: { error_code: 40401, message: 'x' } }));
    const rest = createRegistryRestClient({ url: ['http://a.test', 'http://b.test'], fetch: f.fetch });
    await rejection(rest.request({ method: 'GET', path: '/x' }));
    expect(f.calls.map((c) => c.url)).toEqual(['http://a.test/x']);
  });

  it('times out a hanging request (REGISTRY_UNAVAILABLE, retriable) instead of hanging', async () => {
    const f = fakeFetch(() => 'hang');
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch, timeoutMs: 30, maxRetries: 1, retryBackoffMs: 1 });
    const started = Date.now();
    const err = (await rejection(rest.request({ method: 'GET', path: '/slow' }))) as RegistryError;
    expect(err).toMatchObject({ code: 'REGISTRY_UNAVAILABLE', retriable: true, message: 'registry: GET /slow timed out after 30ms' });
    expect(f.calls).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('the caller aborting gives ABORTED at once, with no retry', async () => {
    const f = fakeFetch(() => 'hang');
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch, timeoutMs: 60_000 });
    const controller = new AbortController();
    const p = rest.request({ method: 'GET', path: '/x', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user cancelled')), 10);
    const err = await rejection(p);
    expect(isCsfleError(err) && err.code === 'ABORTED').toBe(true);
    expect((err as Error).message).toBe('registry: GET /x aborted');
    expect(f.calls).toHaveLength(1);
    // Already aborted: no request at all.
    const err2 = await rejection(rest.request({ method: 'GET', path: '/x', signal: AbortSignal.abort() }));
    expect((err2 as { code: string }).code).toBe('ABORTED');
    expect(f.calls).toHaveLength(1);
  });

  it('the caller aborting during the backoff stops the retries', async () => {
    const f = fakeFetch(() => ({ status: 503, body: {} }));
    const rest = createRegistryRestClient({ url: URL_A, fetch: f.fetch, retryBackoffMs: 10_000, maxRetryBackoffMs: 10_000 });
    const controller = new AbortController();
    const p = rest.request({ method: 'GET', path: '/x', signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    expect(await rejection(p)).toMatchObject({ code: 'ABORTED' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(f.calls).toHaveLength(1);
  });
});
