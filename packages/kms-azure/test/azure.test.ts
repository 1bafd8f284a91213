// Unit tests of @csfle/kms-azure without a vault: URIs, the azure:v1: header, error classification.
import { ErrorCodes } from '@csfle/core';
import { addVersionHeader, classifyAzureError, isHeaderVersion, parseAzureKeyUri, readVersionHeader } from '@csfle/kms-azure';

const V = '0123456789abcdef0123456789abcdef';

describe('parseAzureKeyUri', () => {
  it('reads vault URL, name and optional version', () => {
    expect(parseAzureKeyUri(`azure-kms://https://myvault.vault.azure.net/keys/orders/${V}`)).toEqual({ vaultUrl: 'https://myvault.vault.azure.net', name: 'orders', version: V });
    expect(parseAzureKeyUri('azure-kms://https://hsm.managedhsm.azure.net/keys/orders')).toEqual({ vaultUrl: 'https://hsm.managedhsm.azure.net', name: 'orders', version: undefined });
  });
  it.each([
    'azure-kms://http://myvault.vault.azure.net/keys/orders',
    'azure-kms://https://myvault.vault.azure.net/secrets/orders',
    'azure-kms://https://myvault.vault.azure.net/keys',
    'azure-kms://https://myvault.vault.azure.net/keys/a/b/c',
    'azure-kms://https://myvault.vault.azure.net/keys/a?x=1',
    'aws-kms://https://myvault.vault.azure.net/keys/a',
  ])('rejects %j with INVALID_ARGUMENT', (uri) => {
    expect(() => parseAzureKeyUri(uri)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
  });
});

describe('azure:v1: header (the layout of Confluent Java/Go/Python)', () => {
  it('round-trips and is exactly "azure:v1:" + 32 hex + ":" + raw bytes', () => {
    const raw = Buffer.from([1, 2, 3, 0x3a, 4]);
    const withHeader = addVersionHeader(V, raw);
    expect(withHeader.subarray(0, 42).toString('ascii')).toBe(`azure:v1:${V}:`);
    expect(readVersionHeader(withHeader)).toEqual({ version: V, ciphertext: raw });
  });
  it.each([
    ['legacy raw bytes', Buffer.from('legacy-unprefixed-ciphertext')],
    ['too short', Buffer.from('azure:v1:short')],
    ['missing colon after the version', Buffer.from(`azure:v1:${V}Xwrapped`)],
    ['non-hex version', Buffer.from(`azure:v1:${'g'.repeat(32)}:wrapped`)],
    ['header with nothing after it', Buffer.from(`azure:v1:${V}:`)],
  ])('%s is read as raw ciphertext (no version)', (_n, bytes) => {
    const r = readVersionHeader(bytes);
    expect(r.version).toBeUndefined();
    expect(Buffer.from(r.ciphertext)).toEqual(bytes);
  });
  it('refuses to write a version that is not 32 hex characters', () => {
    expect(isHeaderVersion('abc')).toBe(false);
    expect(() => addVersionHeader('abc', Buffer.alloc(1))).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
  });
});

describe('classifyAzureError', () => {
  const rest = (statusCode: number, code?: string) => Object.assign(new Error('m'), { name: 'RestError', statusCode, code });
  it.each([
    [rest(401, 'Unauthorized'), ErrorCodes.KMS_DENIED],
    [rest(403, 'Forbidden'), ErrorCodes.KMS_DENIED],
    [rest(404, 'KeyNotFound'), ErrorCodes.KMS_KEY_NOT_FOUND],
    [rest(400, 'BadParameter'), ErrorCodes.KMS_INVALID_CIPHERTEXT],
    [rest(429, 'Throttled'), ErrorCodes.KMS_UNAVAILABLE],
    [rest(503), ErrorCodes.KMS_UNAVAILABLE],
    [Object.assign(new Error('no credential'), { name: 'CredentialUnavailableError' }), ErrorCodes.KMS_DENIED],
    [Object.assign(new Error('connect ECONNREFUSED'), { name: 'RestError', code: 'ECONNREFUSED' }), ErrorCodes.KMS_UNAVAILABLE],
  ])('%s → %s', (e, code) => {
    expect(classifyAzureError(e).code).toBe(code);
  });
});
