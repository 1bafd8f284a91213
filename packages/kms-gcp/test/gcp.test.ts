// Unit tests of @csfle/kms-gcp without a server: CRC32C vectors, URI parsing, error classification.
import { ErrorCodes } from '@csfle/core';
import { classifyGcpError, crc32c, IntegrityError, parseGcpKeyUri } from '@csfle/kms-gcp';

describe('crc32c (RFC 3720 B.4 vectors and the standard check value)', () => {
  it.each([
    ['32 zero bytes', Buffer.alloc(32, 0), 0x8a9136aa],
    ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
    ['0..31 ascending', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
    ['31..0 descending', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
    ['"123456789"', Buffer.from('123456789'), 0xe3069283],
    ['empty', Buffer.alloc(0), 0],
  ])('%s', (_n, data, want) => {
    expect(crc32c(data)).toBe(want);
  });
});

describe('parseGcpKeyUri', () => {
  it('parses a CryptoKey name', () => {
    expect(parseGcpKeyUri('gcp-kms://projects/acme/locations/europe-west1/keyRings/kafka/cryptoKeys/orders')).toEqual({
      name: 'projects/acme/locations/europe-west1/keyRings/kafka/cryptoKeys/orders',
      project: 'acme',
      location: 'europe-west1',
      keyRing: 'kafka',
      cryptoKey: 'orders',
    });
  });
  it.each([
    'gcp-kms://projects/acme/locations/global/keyRings/kafka/cryptoKeys/orders/cryptoKeyVersions/1',
    'gcp-kms://projects/acme/keyRings/kafka/cryptoKeys/orders',
    'gcp-kms://orders',
    'aws-kms://projects/acme/locations/global/keyRings/kafka/cryptoKeys/orders',
  ])('rejects %j with INVALID_ARGUMENT', (uri) => {
    expect(() => parseGcpKeyUri(uri)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
  });
});

describe('classifyGcpError', () => {
  it.each([
    [7, ErrorCodes.KMS_DENIED],
    [16, ErrorCodes.KMS_DENIED],
    [9, ErrorCodes.KMS_DENIED],
    [5, ErrorCodes.KMS_KEY_NOT_FOUND],
    [3, ErrorCodes.KMS_INVALID_CIPHERTEXT],
    [14, ErrorCodes.KMS_UNAVAILABLE],
    [4, ErrorCodes.KMS_UNAVAILABLE],
    [8, ErrorCodes.KMS_UNAVAILABLE],
    [13, ErrorCodes.KMS_UNAVAILABLE],
  ])('gRPC status %i → %s', (code, want) => {
    expect(classifyGcpError(Object.assign(new Error('details may name resources'), { code })).code).toBe(want);
  });
  it('integrity failures and network errors are retriable KMS_UNAVAILABLE', () => {
    expect(classifyGcpError(new IntegrityError('response ciphertext CRC32C mismatch')).code).toBe(ErrorCodes.KMS_UNAVAILABLE);
    expect(classifyGcpError(new Error('socket hang up')).code).toBe(ErrorCodes.KMS_UNAVAILABLE);
  });
});
