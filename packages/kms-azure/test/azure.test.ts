// Unit tests of @csfle/kms-azure without a vault: URIs, the azure:v1: header, option validation,
// error classification (real @azure/core-rest-pipeline and @azure/identity error classes), and the
// adapter's calls through an injected clientFactory.
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { ErrorCodes } from '@csfle/core';
import {
  addVersionHeader,
  classifyAzureError,
  createAzureKms,
  isHeaderVersion,
  parseAzureKeyUri,
  readVersionHeader,
  type AzureCryptoClient,
  type AzureCryptoClientFactory,
} from '@csfle/kms-azure';

const azureRequire = createRequire(require.resolve('@azure/keyvault-keys'));
// @azure/core-rest-pipeline is @azure/keyvault-keys' dependency (not ours): its RestError, typed by the shape we use.
const { RestError } = azureRequire('@azure/core-rest-pipeline') as { RestError: new (message: string, options?: { statusCode?: number; code?: string }) => Error };
const identity = require('@azure/identity') as typeof import('@azure/identity');

const V = '0123456789abcdef0123456789abcdef';
const V2 = 'fedcba9876543210fedcba9876543210';
const VAULT = 'https://myvault.vault.azure.net';

describe('parseAzureKeyUri', () => {
  it('reads vault URL, name and optional version (any https host, with port)', () => {
    expect(parseAzureKeyUri(`azure-kms://${VAULT}/keys/orders/${V}`)).toEqual({ vaultUrl: VAULT, name: 'orders', version: V });
    expect(parseAzureKeyUri('azure-kms://https://hsm.managedhsm.azure.net/keys/orders')).toEqual({ vaultUrl: 'https://hsm.managedhsm.azure.net', name: 'orders', version: undefined });
    expect(parseAzureKeyUri('azure-kms://https://v.vault.usgovcloudapi.net/keys/k/')).toMatchObject({ vaultUrl: 'https://v.vault.usgovcloudapi.net', name: 'k' });
    expect(parseAzureKeyUri('azure-kms://https://127.0.0.1:18443/keys/k')).toMatchObject({ vaultUrl: 'https://127.0.0.1:18443', name: 'k' });
  });
  it.each([
    'azure-kms://http://myvault.vault.azure.net/keys/orders',
    'azure-kms://https://myvault.vault.azure.net/secrets/orders',
    'azure-kms://https://myvault.vault.azure.net/keys',
    'azure-kms://https://myvault.vault.azure.net/keys/a/b/c',
    'azure-kms://https://myvault.vault.azure.net/keys/a?x=1',
    'azure-kms://https://user:pw@myvault.vault.azure.net/keys/a',
    'azure-kms://not a url',
    'aws-kms://https://myvault.vault.azure.net/keys/a',
  ])('rejects %j with INVALID_ARGUMENT', (uri) => {
    expect(() => parseAzureKeyUri(uri)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
  });
});

describe('azure:v1: header (the layout of Confluent Java/Python/.NET)', () => {
  it('round-trips and is exactly "azure:v1:" + 32 hex + ":" + raw bytes', () => {
    const raw = Buffer.from([1, 2, 3, 0x3a, 4]);
    const withHeader = addVersionHeader(V, raw);
    expect(withHeader.subarray(0, 42).toString('latin1')).toBe(`azure:v1:${V}:`);
    expect(withHeader.length).toBe(42 + raw.length);
    expect(readVersionHeader(withHeader)).toEqual({ version: V, ciphertext: raw });
    expect(readVersionHeader(addVersionHeader(V.toUpperCase(), raw)).version).toBe(V.toUpperCase());
  });
  it.each([
    ['legacy raw bytes', Buffer.from('legacy-unprefixed-ciphertext')],
    ['too short', Buffer.from('azure:v1:short')],
    ['missing colon after the version', Buffer.from(`azure:v1:${V}Xwrapped`)],
    ['prefix of another version', Buffer.from(`azure:v2:${V}:wrapped`)],
  ])('%s is read as raw ciphertext (no version)', (_n, bytes) => {
    const r = readVersionHeader(bytes);
    expect(r.version).toBeUndefined();
    expect(Buffer.from(r.ciphertext)).toEqual(bytes);
  });
  it('a header with nothing after it parses (as Java does) to an empty ciphertext', () => {
    expect(readVersionHeader(Buffer.from(`azure:v1:${V}:`))).toEqual({ version: V, ciphertext: Buffer.alloc(0) });
  });
  it('a framed header whose version is not hex is KMS_INVALID_CIPHERTEXT (as Confluent rejects it)', () => {
    expect(() => readVersionHeader(Buffer.from(`azure:v1:${'g'.repeat(32)}:wrapped`))).toThrow(expect.objectContaining({ code: ErrorCodes.KMS_INVALID_CIPHERTEXT }));
    expect(() => readVersionHeader(Buffer.from(`azure:v1:${'/'.repeat(32)}:wrapped`))).toThrow(expect.objectContaining({ code: ErrorCodes.KMS_INVALID_CIPHERTEXT }));
  });
  it('refuses to write a version that is not 32 hex characters', () => {
    expect(isHeaderVersion('abc')).toBe(false);
    expect(isHeaderVersion(undefined)).toBe(false);
    expect(() => addVersionHeader('abc', Buffer.alloc(1))).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
  });
});

describe('classifyAzureError', () => {
  const rest = (statusCode: number | undefined, code?: string) => new RestError('m', { ...(statusCode === undefined ? {} : { statusCode }), ...(code ? { code } : {}) });
  it.each([
    ['401 Unauthorized', ErrorCodes.KMS_DENIED, rest(401, 'Unauthorized')],
    ['403 Forbidden', ErrorCodes.KMS_DENIED, rest(403, 'Forbidden')],
    ['404 KeyNotFound', ErrorCodes.KMS_KEY_NOT_FOUND, rest(404, 'KeyNotFound')],
    ['400 BadParameter', ErrorCodes.KMS_INVALID_CIPHERTEXT, rest(400, 'BadParameter')],
    ['408', ErrorCodes.KMS_UNAVAILABLE, rest(408)],
    ['429 Throttled', ErrorCodes.KMS_UNAVAILABLE, rest(429, 'Throttled')],
    ['503', ErrorCodes.KMS_UNAVAILABLE, rest(503)],
    ['ECONNREFUSED (no status)', ErrorCodes.KMS_UNAVAILABLE, rest(undefined, 'ECONNREFUSED')],
    ['CredentialUnavailableError', ErrorCodes.KMS_DENIED, new identity.CredentialUnavailableError('no credential')],
    ['AuthenticationError 400', ErrorCodes.KMS_DENIED, new identity.AuthenticationError(400, { error: 'invalid_client', error_description: 'bad secret' })],
    ['AuthenticationError 503', ErrorCodes.KMS_UNAVAILABLE, new identity.AuthenticationError(503, { error: 'temporarily_unavailable', error_description: 'later' })],
    ['AggregateAuthenticationError of unavailable credentials', ErrorCodes.KMS_DENIED, new identity.AggregateAuthenticationError([new identity.CredentialUnavailableError('a')])],
    ['SDK-local: key_ops exclude encrypt', ErrorCodes.KMS_DENIED, new Error(`Operation encrypt is not supported on key ${VAULT}/keys/k/${V}`)],
    ['SDK-local: expired key', ErrorCodes.KMS_DENIED, new Error(`Key ${VAULT}/keys/k/${V} expired at 2020-01-01T00:00:00.000Z`)],
    ['SDK-local: challenge mismatch', ErrorCodes.KMS_DENIED, new Error("The challenge resource 'vault.azure.net' does not match the requested domain. Set …")],
    ['anything else', ErrorCodes.KMS_UNAVAILABLE, new Error('socket hang up')],
  ])('%s → %s', (_n, code, e) => {
    expect(classifyAzureError(e).code).toBe(code);
  });
  it('the detail names class, code and status only', () => {
    expect(classifyAzureError(new RestError('secret-bearing message', { statusCode: 403, code: 'Forbidden' })).detail).toBe('RestError, Forbidden, HTTP 403');
  });
});

describe('createAzureKms options', () => {
  it.each([
    [{ timeoutMs: 0 }, RangeError],
    [{ retries: -1 }, RangeError],
    [{ retries: 1.5 }, RangeError],
    [{ retryBaseDelayMs: -1 }, RangeError],
    [{ tenantId: 't', clientId: 'c' }, TypeError],
    [{ tenantId: '', clientId: 'c', clientSecret: 's' }, TypeError],
    [{ credential: {} }, TypeError],
    [{ clientFactory: 'x' }, TypeError],
  ])('%j is rejected eagerly', (o, cls) => {
    expect(() => createAzureKms(o as never)).toThrow(cls);
  });
  it('rejects a malformed keyUris entry and a non-object', () => {
    expect(() => createAzureKms({ keyUris: ['azure-kms://http://x/keys/k'] })).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
    expect(() => createAzureKms(null as never)).toThrow(TypeError);
  });
  it('exact message template for a partial credential trio', () => {
    expect(() => createAzureKms({ tenantId: 't' })).toThrow('azure-kms: "tenantId", "clientId" and "clientSecret" expected all three or none, got 1 of 3');
  });
});

/** A recording fake SDK client; `script` decides each call's outcome. */
function fakeFactory(script: (op: 'encrypt' | 'decrypt', keyId: string, input: Uint8Array) => Promise<{ result: Uint8Array; keyID?: string }>) {
  const made: { keyId: string; credential: unknown; options: Record<string, unknown> }[] = [];
  const calls: { op: string; keyId: string; signal: AbortSignal | undefined }[] = [];
  const factory: AzureCryptoClientFactory = (keyId, credential, options) => {
    made.push({ keyId, credential, options: options as Record<string, unknown> });
    const client: AzureCryptoClient = {
      encrypt: async (p, o) => {
        calls.push({ op: 'encrypt', keyId, signal: o?.abortSignal });
        const r = await script('encrypt', keyId, p.plaintext);
        return { algorithm: 'RSA-OAEP-256', result: r.result, ...(r.keyID ? { keyID: r.keyID } : {}) };
      },
      decrypt: async (p, o) => {
        calls.push({ op: 'decrypt', keyId, signal: o?.abortSignal });
        const r = await script('decrypt', keyId, p.ciphertext);
        return { algorithm: 'RSA-OAEP-256', result: r.result };
      },
    };
    return client;
  };
  return { factory, made, calls };
}

const token = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) };

describe('adapter through an injected clientFactory (no network)', () => {
  const uri = `azure-kms://${VAULT}/keys/k`;
  const echo = async (_op: string, keyId: string, input: Uint8Array) => ({ result: Buffer.from(input).reverse(), keyID: `${keyId.split('/').length === 5 ? `${keyId}/${V}` : keyId}` });

  it('one SDK client per key id per instance, SDK retries off, abortSignal passed, raw result stored', async () => {
    const f = fakeFactory(echo);
    const kms = createAzureKms({ credential: token, clientFactory: f.factory, clientOptions: { retryOptions: { maxRetries: 5, retryDelayInMs: 1 } } });
    const w = await kms.wrap(uri, Buffer.from([1, 2, 3]));
    expect(Buffer.from(w)).toEqual(Buffer.from([3, 2, 1]));
    await kms.wrap(uri, Buffer.from([4]));
    expect(Buffer.from(await kms.unwrap(uri, w))).toEqual(Buffer.from([1, 2, 3]));
    expect(f.made).toHaveLength(1);
    expect(f.made[0]).toMatchObject({ keyId: `${VAULT}/keys/k`, credential: token, options: { retryOptions: { maxRetries: 0, retryDelayInMs: 1 } } });
    expect(f.calls.every((c) => c.signal instanceof AbortSignal)).toBe(true);
    const other = fakeFactory(echo);
    await createAzureKms({ credential: token, clientFactory: other.factory }).wrap(uri, Buffer.from([1]));
    expect(other.made).toHaveLength(1); // a second instance builds its own
  });

  it('save=true on a versionless URI writes the version Key Vault reported; unwrap decrypts at the header version', async () => {
    const f = fakeFactory(echo);
    const kms = createAzureKms({ credential: token, clientFactory: f.factory, params: { 'encrypt.azure.key.version.save': 'TRUE' } });
    const w = Buffer.from(await kms.wrap(uri, Buffer.from([1, 2])));
    expect(w.subarray(0, 42).toString('latin1')).toBe(`azure:v1:${V}:`);
    expect(Buffer.from(await kms.unwrap(`${uri}/${V2}`, w))).toEqual(Buffer.from([1, 2]));
    expect(f.calls.at(-1)).toMatchObject({ op: 'decrypt', keyId: `${VAULT}/keys/k/${V}` }); // the header wins over the URI's version
  });

  it('a real RestError 403 is KMS_DENIED, not retried; 503 is retried then KMS_UNAVAILABLE', async () => {
    const denied = fakeFactory(async () => {
      throw new RestError('Caller is not authorized', { statusCode: 403, code: 'Forbidden' });
    });
    await expect(createAzureKms({ credential: token, clientFactory: denied.factory, retries: 3, retryBaseDelayMs: 1 }).wrap(uri, Buffer.from([1]))).rejects.toMatchObject({ code: ErrorCodes.KMS_DENIED, retriable: false, kekUri: uri });
    expect(denied.calls).toHaveLength(1);
    const down = fakeFactory(async () => {
      throw new RestError('busy', { statusCode: 503 });
    });
    await expect(createAzureKms({ credential: token, clientFactory: down.factory, retries: 2, retryBaseDelayMs: 1 }).unwrap(uri, Buffer.from([1]))).rejects.toMatchObject({ code: ErrorCodes.KMS_UNAVAILABLE, retriable: true });
    expect(down.calls).toHaveLength(3);
  });

  it('credential precedence: injected > options trio > props trio > DefaultAzureCredential; secrets never shown', async () => {
    const seen = async (o: Parameters<typeof createAzureKms>[0], props?: Record<string, string>) => {
      const f = fakeFactory(echo);
      await createAzureKms({ ...o, clientFactory: f.factory }).wrap(uri, Buffer.from([1]), props ? { props } : {});
      return f.made[0]?.credential;
    };
    expect(await seen({ credential: token, tenantId: 't', clientId: 'c', clientSecret: 's' })).toBe(token);
    expect(await seen({ tenantId: 't', clientId: 'c', clientSecret: 'hunter2' })).toBeInstanceOf(identity.ClientSecretCredential);
    expect(await seen({}, { 'tenant.id': 't', 'client.id': 'c', 'client.secret': 's' })).toBeInstanceOf(identity.ClientSecretCredential);
    expect(await seen({}, { 'tenant.id': 't', 'client.id': 'c' })).toBeInstanceOf(identity.DefaultAzureCredential);
    const kms = createAzureKms({ tenantId: 't', clientId: 'c', clientSecret: 'hunter2' });
    expect(`${String(kms)} ${JSON.stringify(kms)} ${inspect(kms)}`).not.toContain('hunter2');
  });

  it('supports only azure-kms URIs (and only keyUris when given)', () => {
    expect(createAzureKms().supports(uri)).toBe(true);
    expect(createAzureKms().supports('aws-kms://arn')).toBe(false);
    const only = createAzureKms({ keyUris: [uri] });
    expect(only.supports(uri)).toBe(true);
    expect(only.supports(`${uri}2`)).toBe(false);
  });
});
