import * as errors from '../src/errors.js';

const { CsfleError, DecryptionError, RuleError, KmsError, RegistryError, SerdeError, ErrorCodes } = errors;

describe('error classes', () => {
  const built = [
    new CsfleError(ErrorCodes.INVALID_ARGUMENT, 'm'),
    new DecryptionError(),
    new RuleError(ErrorCodes.RULE_FAILED, 'm', { ruleName: 'r', fieldPath: 'a.b', action: 'DLQ' }),
    new KmsError(ErrorCodes.KMS_UNAVAILABLE, 'm', { provider: 'aws-kms', kekUri: 'aws-kms://x' }),
    new RegistryError(ErrorCodes.REGISTRY_NOT_FOUND, 'm', { status: 404, registryErrorCode: 40401 }),
    new SerdeError(ErrorCodes.INVALID_FRAME, 'm', { subject: 's', schemaId: 1 }),
  ];

  it.each(built.map((e) => [e.constructor.name, e] as const))('%s has the class name, a code, and JSON form', (name, e) => {
    expect(e.name).toBe(name);
    expect(Object.values(ErrorCodes)).toContain(e.code);
    expect(errors.isCsfleError(e)).toBe(true);
    const json = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
    expect(json.name).toBe(name);
    expect(json.code).toBe(e.code);
  });

  it('guards discriminate by brand and name, not instanceof', () => {
    expect(errors.isCsfleError(new Error('x'))).toBe(false);
    expect(errors.isCsfleError({ code: 'DECRYPTION_FAILED' })).toBe(false);
    expect(errors.isKmsError(built[3])).toBe(true);
    expect(errors.isKmsError(built[4])).toBe(false);
    expect(errors.isRegistryError(built[4])).toBe(true);
    expect(errors.isRuleError(built[2])).toBe(true);
    expect(errors.isDecryptionError(built[1])).toBe(true);
  });

  it('retriable follows the code for KMS and registry errors', () => {
    expect(new KmsError(ErrorCodes.KMS_UNAVAILABLE, 'm').retriable).toBe(true);
    expect(new KmsError(ErrorCodes.KMS_DENIED, 'm').retriable).toBe(false);
    expect(new RegistryError(ErrorCodes.REGISTRY_UNAVAILABLE, 'm').retriable).toBe(true);
    expect(new RegistryError(ErrorCodes.REGISTRY_NOT_FOUND, 'm').retriable).toBe(false);
  });

  it('decryption errors are opaque and identical', () => {
    expect(new DecryptionError().message).toBe('decryption failed');
    expect(new DecryptionError({ cause: new Error('tag mismatch at byte 3') }).message).toBe('decryption failed');
  });

  it('JSON form does not include the cause', () => {
    const e = new RuleError(ErrorCodes.RULE_FAILED, 'm', { cause: new Error('secret-ish detail') });
    expect(JSON.stringify(e)).not.toContain('secret-ish');
  });
});
