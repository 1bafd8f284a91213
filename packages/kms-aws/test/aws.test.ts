// Unit tests of @csfle/kms-aws without a network: URI parsing, error classification, client caching.
import { ErrorCodes } from '@csfle/core';
import { classifyAwsError, createAwsKms, parseAwsKeyUri } from '@csfle/kms-aws';

describe('parseAwsKeyUri', () => {
  it('reads region and account from key and alias ARNs, in every partition', () => {
    expect(parseAwsKeyUri('aws-kms://arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toEqual({
      arn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      partition: 'aws',
      region: 'eu-west-1',
      account: '111122223333',
      resource: 'key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    expect(parseAwsKeyUri('aws-kms://arn:aws:kms:us-east-2:111122223333:alias/team/orders').resource).toBe('alias/team/orders');
    expect(parseAwsKeyUri('aws-kms://arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1').partition).toBe('aws-us-gov');
  });
  it.each([
    'aws-kms://1234abcd-12ab-34cd-56ef-1234567890ab',
    'aws-kms://alias/orders',
    'aws-kms://arn:aws:s3:::bucket',
    'aws-kms://arn:aws:kms:eu-west-1:1111:key/x',
    'gcp-kms://projects/p',
    '',
  ])('rejects %j with INVALID_ARGUMENT', (uri) => {
    expect(() => parseAwsKeyUri(uri)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
  });
});

describe('classifyAwsError', () => {
  const err = (name: string, status?: number) => Object.assign(new Error('some AWS message with arn:aws:kms:…'), { name, $metadata: status === undefined ? {} : { httpStatusCode: status } });
  it.each([
    ['IncorrectKeyException', 400, ErrorCodes.KMS_INVALID_CIPHERTEXT],
    ['InvalidCiphertextException', 400, ErrorCodes.KMS_INVALID_CIPHERTEXT],
    ['NotFoundException', 400, ErrorCodes.KMS_KEY_NOT_FOUND],
    ['AccessDeniedException', 400, ErrorCodes.KMS_DENIED],
    ['UnrecognizedClientException', 400, ErrorCodes.KMS_DENIED],
    ['DisabledException', 400, ErrorCodes.KMS_DENIED],
    ['SyntaxError', 403, ErrorCodes.KMS_DENIED], // moto's XML 403 body on a JSON API
    ['ThrottlingException', 400, ErrorCodes.KMS_UNAVAILABLE],
    ['KMSInternalException', 500, ErrorCodes.KMS_UNAVAILABLE],
    ['Whatever', 503, ErrorCodes.KMS_UNAVAILABLE],
    ['ECONNREFUSED', undefined, ErrorCodes.KMS_UNAVAILABLE],
    ['ValidationException', 400, ErrorCodes.KMS_INVALID_CIPHERTEXT],
  ])('%s (HTTP %s) → %s, with a detail that does not copy the AWS message', (name, status, code) => {
    const c = classifyAwsError(err(name, status));
    expect(c.code).toBe(code);
    expect(c.detail).toContain(name);
    expect(c.detail).not.toContain('arn:aws');
  });
});

describe('createAwsKms', () => {
  it('supports aws-kms URIs (optionally only some ARNs) and reuses one SDK client per region', async () => {
    const regions: string[] = [];
    const sent: string[] = [];
    const kms = createAwsKms({
      keyArns: ['arn:aws:kms:eu-west-1:111122223333:key/a', 'arn:aws:kms:us-east-1:111122223333:key/b'],
      clientFactory: (region) => {
        regions.push(region);
        return { send: async (cmd: { input: { KeyId: string } }) => (sent.push(cmd.input.KeyId), { CiphertextBlob: new Uint8Array([1, 2, 3]) }) } as never;
      },
    });
    expect(kms.supports('aws-kms://arn:aws:kms:eu-west-1:111122223333:key/a')).toBe(true);
    expect(kms.supports('aws-kms://arn:aws:kms:eu-west-1:111122223333:key/zzz')).toBe(false);
    await kms.wrap('aws-kms://arn:aws:kms:eu-west-1:111122223333:key/a', new Uint8Array(32));
    await kms.wrap('aws-kms://arn:aws:kms:eu-west-1:111122223333:key/a', new Uint8Array(32));
    await kms.wrap('aws-kms://arn:aws:kms:us-east-1:111122223333:key/b', new Uint8Array(32));
    expect(regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(sent).toEqual(['arn:aws:kms:eu-west-1:111122223333:key/a', 'arn:aws:kms:eu-west-1:111122223333:key/a', 'arn:aws:kms:us-east-1:111122223333:key/b']);
  });

  it('retries only retriable failures, and never prints credentials', async () => {
    let calls = 0;
    const failing = (name: string, status: number) =>
      createAwsKms({
        params: { 'access.key.id': 'AKIDSECRETLOOKING', 'secret.access.key': 'super-secret-value' },
        retries: 2,
        retryBaseDelayMs: 1,
        clientFactory: () => ({ send: async () => { calls++; throw Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: status } }); } }) as never,
      });
    const uri = 'aws-kms://arn:aws:kms:eu-west-1:111122223333:key/a';
    await expect(failing('ThrottlingException', 400).wrap(uri, new Uint8Array(32))).rejects.toMatchObject({ code: ErrorCodes.KMS_UNAVAILABLE, retriable: true });
    expect(calls).toBe(3);
    calls = 0;
    const e = await failing('AccessDeniedException', 400).unwrap(uri, new Uint8Array(40)).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: ErrorCodes.KMS_DENIED, retriable: false, provider: 'aws-kms', kekUri: uri });
    expect(calls).toBe(1);
    expect(`${String(e)} ${JSON.stringify(e)}`).not.toMatch(/super-secret-value|AKIDSECRETLOOKING/);
    expect(String(failing('x', 1))).toBe('AwsKmsClient(aws-kms)');
  });
});
