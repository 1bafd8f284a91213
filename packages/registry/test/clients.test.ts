/** Unit tests of the HTTP Schema Registry / DEK Registry clients with an injected fake fetch. */
import { createDekRegistryClient, createRegistryClients, createSchemaRegistryClient } from '@csfle/registry';
import { fakeFetch } from './fake-fetch';

const URL_A = 'http://registry.test';
const SCHEMA = { schema: '{"type":"string"}' };

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('schema registry client: requests', () => {
  it('register posts the schema fields with normalize and returns the id', async () => {
    const f = fakeFetch(() => ({ status: 200, body: { id: 7 } }));
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    const info = {
      schema: '{"type":"string"}',
      schemaType: 'AVRO',
      references: [],
      metadata: { properties: { a: 'b' } },
      ruleSet: { domainRules: [{ name: 'r', type: 'ENCRYPT', tags: ['PII'] }] },
    };
    expect(await client.register('orders-value', info, { normalize: true })).toBe(7);
    expect(f.calls[0]).toMatchObject({ method: 'POST', url: `${URL_A}/subjects/orders-value/versions?normalize=true`, body: info });
    // An older server answered only { id }: registerFull completes it with what was sent.
    expect(await client.registerFull('orders-value', info, { normalize: true })).toMatchObject({
      id: 7,
      subject: 'orders-value',
      schema: info.schema,
      metadata: info.metadata,
    });
    expect(f.calls).toHaveLength(1);
  });

  it('lookup posts to /subjects/{s} with normalize and deleted', async () => {
    const f = fakeFetch(() => ({ status: 200, body: { subject: 's', version: 3, id: 9, schema: SCHEMA.schema } }));
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    expect(await client.lookup('s', SCHEMA, { deleted: true })).toEqual({ subject: 's', version: 3, id: 9, schema: SCHEMA.schema });
    expect(f.calls[0]).toMatchObject({ method: 'POST', url: `${URL_A}/subjects/s?normalize=false&deleted=true`, body: SCHEMA });
  });

  it('getById adds the id, passes the subject hint, and keeps known fields only', async () => {
    const f = fakeFetch(() => ({ status: 200, body: { schema: SCHEMA.schema, schemaType: 'JSON', guid: 'g-1', maxId: 12, extra: true } }));
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    expect(await client.getById(5, { subject: 'a b' })).toEqual({ id: 5, schema: SCHEMA.schema, schemaType: 'JSON', guid: 'g-1' });
    expect(f.calls[0]!.url).toBe(`${URL_A}/schemas/ids/5?subject=a%20b`);
  });

  it('getLatestWithMetadata sends sorted key/value pairs', async () => {
    const f = fakeFetch(() => ({ status: 200, body: { subject: 's', version: 1, id: 1, schema: 'x' } }));
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    await client.getLatestWithMetadata('s', { z: '1', a: 'x&y' });
    expect(f.calls[0]!.url).toBe(`${URL_A}/subjects/s/metadata?deleted=false&key=a&value=x%26y&key=z&value=1`);
  });

  it('getByVersion, getLatest, getVersions, getSubjects, deletes and config use the REST paths', async () => {
    const f = fakeFetch((call) => {
      if (call.url.includes('/versions/') || call.url.includes('/latest')) return { status: 200, body: { id: 1, schema: 'x', version: 2 } };
      if (call.method === 'DELETE' && call.url.includes('/versions/')) return { status: 200, body: 2 };
      if (call.url.includes('/config')) return { status: 200, body: { compatibilityLevel: 'FULL' } };
      if (call.method === 'DELETE') return { status: 200, body: [1, 2] };
      if (call.url.includes('/versions')) return { status: 200, body: [1, 2] };
      return { status: 200, body: ['s'] };
    });
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    await client.getByVersion('s', 2);
    await client.getByVersion('s', 2, { deleted: true });
    await client.getLatest('s');
    expect(await client.getVersions('s', { deleted: true })).toEqual([1, 2]);
    expect(await client.getSubjects()).toEqual(['s']);
    expect(await client.deleteSubject('s', { permanent: true })).toEqual([1, 2]);
    expect(await client.getConfig('s', { defaultToGlobal: true })).toEqual({ compatibilityLevel: 'FULL' });
    await client.setConfig(undefined, { compatibility: 'FULL' });
    expect(f.calls.map((c) => `${c.method} ${c.url.slice(URL_A.length)}`)).toEqual([
      'GET /subjects/s/versions/2?deleted=false',
      'GET /subjects/s/versions/2?deleted=true',
      'GET /subjects/s/versions/latest',
      'GET /subjects/s/versions?deleted=true',
      'GET /subjects',
      'DELETE /subjects/s?permanent=true',
      'GET /config/s?defaultToGlobal=true',
      'PUT /config',
    ]);
  });

  it('rejects bad arguments before any request', async () => {
    const f = fakeFetch(() => ({ status: 200, body: {} }));
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    await expect(client.register('', SCHEMA)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'registry: "subject" expected non-empty string, got ""' });
    await expect(client.register('s', { schema: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.getById(-1)).rejects.toMatchObject({ message: 'registry: "id" expected non-negative integer, got -1' });
    await expect(client.getByVersion('s', 0)).rejects.toMatchObject({ message: 'registry: "version" expected positive integer or -1 (latest), got 0' });
    expect(f.calls).toHaveLength(0);
  });

  it('checks the answers it relies on', async () => {
    const f = fakeFetch(() => ({ status: 200, body: { id: 'one', schema: 'x' } }));
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    await expect(client.getLatest('s')).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
      message: 'registry: GET /subjects/s/versions/latest answered with an unexpected body: "id" expected integer',
    });
  });
});

describe('schema registry client: caching', () => {
  it('caches schemas by id and returns frozen results', async () => {
    const f = fakeFetch(() => ({ status: 200, body: { schema: SCHEMA.schema, metadata: { properties: { a: 'b' } } } }));
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    const a = await client.getById(1);
    const b = await client.getById(1);
    expect(b).toBe(a);
    expect(f.calls).toHaveLength(1);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.metadata?.properties)).toBe(true);
    // Another subject hint is another key.
    await client.getById(1, { subject: 'x' });
    expect(f.calls).toHaveLength(2);
    client.clearCaches();
    await client.getById(1);
    expect(f.calls).toHaveLength(3);
  });

  it('caches register and lookup results per (subject, schema)', async () => {
    const f = fakeFetch((call) => ({ status: 200, body: { id: call.url.includes('/versions') ? 1 : 2, version: 1, subject: 's', schema: 'x' } }));
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    await client.register('s', SCHEMA);
    await client.register('s', { ...SCHEMA, schemaType: 'AVRO' });
    await client.register('s', { ...SCHEMA, metadata: { properties: { k: 'v' } } });
    await client.register('t', SCHEMA);
    expect(f.calls).toHaveLength(3);
    await client.lookup('s', SCHEMA);
    await client.lookup('s', SCHEMA);
    await client.lookup('s', SCHEMA, { deleted: true });
    expect(f.calls).toHaveLength(5);
  });

  it('caches latest for latestTtlMs only', async () => {
    let now = 1000;
    let version = 1;
    const f = fakeFetch(() => ({ status: 200, body: { id: version, version, schema: 'x' } }));
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch, latestTtlMs: 500, now: () => now });
    expect((await client.getLatest('s')).version).toBe(1);
    version = 2;
    now += 499;
    expect((await client.getLatest('s')).version).toBe(1);
    now += 1;
    expect((await client.getLatest('s')).version).toBe(2);
    expect(f.calls).toHaveLength(2);
    // latestTtlMs 0: never cached.
    const uncached = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch, latestTtlMs: 0 });
    await uncached.getLatest('s');
    await uncached.getLatest('s');
    expect(f.calls).toHaveLength(4);
  });

  it('bounds every cache by cacheCapacity (LRU)', async () => {
    const f = fakeFetch((call) => ({ status: 200, body: { schema: call.url } }));
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch, cacheCapacity: 2 });
    await client.getById(1);
    await client.getById(2);
    await client.getById(1); // 1 is now most recent
    await client.getById(3); // evicts 2
    expect(f.calls).toHaveLength(3);
    await client.getById(1);
    expect(f.calls).toHaveLength(3);
    await client.getById(2);
    expect(f.calls).toHaveLength(4);
  });

  it('single-flight: concurrent identical reads share one request', async () => {
    const gate = deferred();
    const f = fakeFetch(async () => {
      await gate.promise;
      return { status: 200, body: { schema: 'x' } };
    });
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    const all = Promise.all([client.getById(1), client.getById(1), client.getById(1), client.getById(2)]);
    await new Promise((r) => setTimeout(r, 10));
    gate.resolve();
    const [a, b, c] = await all;
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(f.calls).toHaveLength(2);
  });

  it('single-flight: one caller aborting does not fail the others', async () => {
    const gate = deferred();
    const f = fakeFetch(async () => {
      await gate.promise;
      return { status: 200, body: { schema: 'x' } };
    });
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    const controller = new AbortController();
    const aborted = client.getById(1, { signal: controller.signal });
    const other = client.getById(1);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    gate.resolve();
    expect(await other).toMatchObject({ id: 1, schema: 'x' });
    expect(f.calls).toHaveLength(1);
  });

  it('errors are not cached', async () => {
    let fail = true;
    const f = fakeFetch(() => (fail ? { status: 404, body: { error_code: 40403, message: 'Schema 1 not found' } } : { status: 200, body: { schema: 'x' } }));
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    await expect(client.getById(1)).rejects.toMatchObject({ code: 'REGISTRY_NOT_FOUND', registryErrorCode: 40403 });
    fail = false;
    expect(await client.getById(1)).toMatchObject({ schema: 'x' });
  });

  it("the client's own deletes drop that subject's cached entries", async () => {
    let version = 2;
    const f = fakeFetch((call) =>
      call.method === 'DELETE' ? { status: 200, body: 2 } : { status: 200, body: { id: version, version, schema: 'x' } },
    );
    const client = createSchemaRegistryClient({ url: URL_A, fetch: f.fetch });
    expect((await client.getLatest('s')).version).toBe(2);
    await client.deleteSubjectVersion('s', 2);
    version = 1;
    expect((await client.getLatest('s')).version).toBe(1);
  });
});

describe('DEK registry client', () => {
  it('getKek: GET with deleted, undefined on 404', async () => {
    const f = fakeFetch((call) =>
      call.url.includes('/keks/missing')
        ? { status: 404, body: { error_code: 40470, message: "Key 'missing' not found" } }
        : { status: 200, body: { name: 'k', kmsType: 'local-kms', kmsKeyId: 'id', kmsProps: {}, shared: false, ts: 5, deleted: false } },
    );
    const deks = createDekRegistryClient({ url: URL_A, fetch: f.fetch });
    expect(await deks.getKek('missing')).toBeUndefined();
    expect(await deks.getKek('k', { deleted: true })).toEqual({
      name: 'k',
      kmsType: 'local-kms',
      kmsKeyId: 'id',
      kmsProps: {},
      shared: false,
      ts: 5,
      deleted: false,
    });
    expect(f.calls.map((c) => c.url.slice(URL_A.length))).toEqual([
      '/dek-registry/v1/keks/missing?deleted=false',
      '/dek-registry/v1/keks/k?deleted=true',
    ]);
  });

  it('createKek posts the Confluent body; kmsProps and doc only when given; 409 is a RegistryError', async () => {
    const f = fakeFetch((_, i) =>
      i === 0
        ? { status: 200, body: { name: 'k', kmsType: 't', kmsKeyId: 'id', shared: true } }
        : { status: 409, body: { error_code: 40971, message: "Key 'k' already exists; use a different value" } },
    );
    const deks = createDekRegistryClient({ url: URL_A, fetch: f.fetch });
    await deks.createKek({ name: 'k', kmsType: 't', kmsKeyId: 'id', shared: true });
    await expect(deks.createKek({ name: 'k', kmsType: 't', kmsKeyId: 'id', kmsProps: { a: 'b' }, doc: 'd', shared: false })).rejects.toMatchObject({
      name: 'RegistryError',
      code: 'REGISTRY_ERROR',
      status: 409,
      registryErrorCode: 40971,
      retriable: false,
    });
    expect(f.calls.map((c) => c.body)).toEqual([
      { name: 'k', kmsType: 't', kmsKeyId: 'id', shared: true },
      { name: 'k', kmsType: 't', kmsKeyId: 'id', kmsProps: { a: 'b' }, doc: 'd', shared: false },
    ]);
    expect(f.calls).toHaveLength(2);
  });

  it('getDek: versioned path with algorithm and deleted, -1 for latest, undefined on 404', async () => {
    const dek = { kekName: 'k', subject: 's/1', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'AAAA', ts: 1, deleted: false };
    const f = fakeFetch((_, i) => (i === 0 ? { status: 200, body: dek } : { status: 404, body: { error_code: 40470, message: 'x' } }));
    const deks = createDekRegistryClient({ url: URL_A, fetch: f.fetch });
    expect(await deks.getDek('k', 's/1', 1, 'AES256_GCM', { deleted: true })).toEqual(dek);
    expect(await deks.getDek('k', 's/1', -1, 'AES256_SIV')).toBeUndefined();
    expect(f.calls.map((c) => c.url.slice(URL_A.length))).toEqual([
      '/dek-registry/v1/keks/k/deks/s%2F1/versions/1?algorithm=AES256_GCM&deleted=true',
      '/dek-registry/v1/keks/k/deks/s%2F1/versions/-1?algorithm=AES256_SIV&deleted=false',
    ]);
  });

  it('createDek posts to /deks/{subject}, falls back to /deks on 405, and remembers', async () => {
    const dek = { kekName: 'k', subject: 's', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'AAAA' };
    const f = fakeFetch((call) =>
      call.url.endsWith('/deks/s') ? { status: 405, body: { error_code: 405, message: 'HTTP 405 Method Not Allowed' } } : { status: 200, body: dek },
    );
    const deks = createDekRegistryClient({ url: URL_A, fetch: f.fetch });
    const body = { subject: 's', version: 1, algorithm: 'AES256_GCM' as const, encryptedKeyMaterial: 'AAAA' };
    expect(await deks.createDek('k', body)).toEqual(dek);
    await deks.createDek('k', { subject: 's', version: 2, algorithm: 'AES256_GCM' });
    expect(f.calls.map((c) => `${c.method} ${c.url.slice(URL_A.length)} ${JSON.stringify(c.body)}`)).toEqual([
      `POST /dek-registry/v1/keks/k/deks/s ${JSON.stringify(body)}`,
      `POST /dek-registry/v1/keks/k/deks ${JSON.stringify(body)}`,
      `POST /dek-registry/v1/keks/k/deks ${JSON.stringify({ subject: 's', version: 2, algorithm: 'AES256_GCM' })}`,
    ]);
  });

  it('createDek does not fall back on other errors', async () => {
    const f = fakeFetch(() => ({ status: 409, body: { error_code: 40971, message: 'exists' } }));
    const deks = createDekRegistryClient({ url: URL_A, fetch: f.fetch });
    await expect(deks.createDek('k', { subject: 's', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'A' })).rejects.toMatchObject({
      status: 409,
      registryErrorCode: 40971,
    });
    expect(f.calls).toHaveLength(1);
  });

  it('does not cache: every call is a request', async () => {
    const f = fakeFetch(() => ({ status: 200, body: { name: 'k', kmsType: 't', kmsKeyId: 'i', shared: false } }));
    const deks = createDekRegistryClient({ url: URL_A, fetch: f.fetch });
    await deks.getKek('k');
    await deks.getKek('k');
    expect(f.calls).toHaveLength(2);
  });

  it('admin routes', async () => {
    const f = fakeFetch((call) => {
      if (call.method === 'DELETE' || call.url.includes('undelete')) return { status: 204 };
      if (call.method === 'PUT') return { status: 200, body: { name: 'k', kmsType: 't', kmsKeyId: 'i', doc: 'd', shared: true } };
      if (call.url.includes('/versions')) return { status: 200, body: [1, 2] };
      return { status: 200, body: ['a'] };
    });
    const deks = createDekRegistryClient({ url: URL_A, fetch: f.fetch });
    expect(await deks.listKeks({ deleted: true })).toEqual(['a']);
    expect(await deks.updateKek('k', { doc: 'd', shared: true })).toMatchObject({ doc: 'd', shared: true });
    await deks.deleteKek('k', { permanent: true });
    await deks.undeleteKek('k');
    expect(await deks.listDekSubjects('k')).toEqual(['a']);
    expect(await deks.listDekVersions('k', 's', { algorithm: 'AES128_GCM' })).toEqual([1, 2]);
    await deks.deleteDek('k', 's', 2, { permanent: true });
    await deks.undeleteDek('k', 's', 2);
    expect(f.calls.map((c) => `${c.method} ${c.url.slice(URL_A.length)}`)).toEqual([
      'GET /dek-registry/v1/keks?deleted=true',
      'PUT /dek-registry/v1/keks/k',
      'DELETE /dek-registry/v1/keks/k?permanent=true',
      'POST /dek-registry/v1/keks/k/undelete',
      'GET /dek-registry/v1/keks/k/deks?deleted=false',
      'GET /dek-registry/v1/keks/k/deks/s/versions?algorithm=AES128_GCM&deleted=false',
      'DELETE /dek-registry/v1/keks/k/deks/s/versions/2?permanent=true',
      'POST /dek-registry/v1/keks/k/deks/s/versions/2/undelete',
    ]);
  });

  it('rejects bad arguments before any request', async () => {
    const f = fakeFetch(() => ({ status: 200, body: {} }));
    const deks = createDekRegistryClient({ url: URL_A, fetch: f.fetch });
    await expect(deks.getDek('k', 's', 0, 'AES256_GCM')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(deks.getDek('k', 's', 1, 'AES512' as never)).rejects.toMatchObject({
      message: 'registry: "algorithm" expected AES128_GCM, AES256_GCM or AES256_SIV, got "AES512"',
    });
    await expect(deks.createKek({ name: 'k', kmsType: 't', kmsKeyId: '', shared: false })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(f.calls).toHaveLength(0);
  });
});

describe('createRegistryClients', () => {
  it('shares URLs and credentials between both clients', async () => {
    const f = fakeFetch((call) =>
      call.url.includes('dek-registry') ? { status: 200, body: [] } : { status: 200, body: ['s'] },
    );
    const { schemas, deks } = createRegistryClients({ url: URL_A, fetch: f.fetch, auth: { bearer: 't' } });
    await schemas.getSubjects();
    await deks.listKeks();
    expect(f.calls.map((c) => c.headers.authorization)).toEqual(['Bearer t', 'Bearer t']);
  });
});
