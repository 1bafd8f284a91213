import { ErrorCodes, isCsfleError } from '../src/errors.js';
import { parseAlternateKeyIds, resolveEncryptionParams } from '../src/params.js';
import type { Rule, SchemaInfo } from '../src/schema.js';

const schema: SchemaInfo = { schema: '{}' };
const rule = (params: Record<string, string>): Rule => ({ name: 'r', type: 'ENCRYPT', params });

function errOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isCsfleError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a throw');
}

describe('resolveEncryptionParams', () => {
  it('reads rule params, with defaults', () => {
    expect(resolveEncryptionParams(rule({ 'encrypt.kek.name': 'k' }), schema)).toEqual({
      kekName: 'k',
      kmsType: undefined,
      kmsKeyId: undefined,
      algorithm: 'AES256_GCM',
      expiryDays: 0,
    });
  });
  it('falls back to schema metadata properties', () => {
    const s: SchemaInfo = {
      schema: '{}',
      metadata: { properties: { 'encrypt.kek.name': 'meta', 'encrypt.dek.algorithm': 'AES256_SIV', 'encrypt.kms.type': 'local-kms' } },
    };
    const p = resolveEncryptionParams(rule({ 'encrypt.kms.type': 'aws-kms' }), s);
    expect(p.kekName).toBe('meta');
    expect(p.algorithm).toBe('AES256_SIV');
    expect(p.kmsType).toBe('aws-kms'); // rule params win
  });
  it('accepts fractional expiry days', () => {
    expect(resolveEncryptionParams(rule({ 'encrypt.kek.name': 'k', 'encrypt.dek.expiry.days': '0.5' }), schema).expiryDays).toBe(0.5);
  });
  it.each([
    [{}, ErrorCodes.INVALID_RULE, 'rule r: "encrypt.kek.name" expected a KEK name, got none'],
    [{ 'encrypt.kek.name': '' }, ErrorCodes.INVALID_RULE, 'rule r: "encrypt.kek.name" expected non-empty string, got ""'],
    [{ 'encrypt.kek.name': 'k', 'encrypt.dek.expiry.days': 'x' }, ErrorCodes.INVALID_RULE, 'rule r: "encrypt.dek.expiry.days" expected a number, got "x"'],
    [{ 'encrypt.kek.name': 'k', 'encrypt.dek.expiry.days': '-1' }, ErrorCodes.INVALID_RULE, 'rule r: "encrypt.dek.expiry.days" expected >= 0, got "-1"'],
    [
      { 'encrypt.kek.name': 'k', 'encrypt.dek.algorithm': 'AES512' },
      ErrorCodes.UNSUPPORTED_ALGORITHM,
      'rule r: "encrypt.dek.algorithm" expected one of AES128_GCM, AES256_GCM, AES256_SIV, got "AES512"',
    ],
  ])('rejects %j', (params, code, message) => {
    expect(errOf(() => resolveEncryptionParams(rule(params as Record<string, string>), schema))).toEqual({ code, message });
  });
});

describe('parseAlternateKeyIds', () => {
  it('splits, trims and drops empties', () => {
    expect(parseAlternateKeyIds(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(parseAlternateKeyIds(undefined)).toEqual([]);
  });
});
