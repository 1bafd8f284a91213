/**
 * moto (the AWS emulator) for tests: keys, IAM users with and without KMS permissions, and moto's
 * switch that makes it check credentials (POST /moto-api/reset-auth).
 */
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';

export interface MotoKeys {
  readonly url: string;
  readonly allowed: { accessKeyId: string; secretAccessKey: string };
  readonly denied: { accessKeyId: string; secretAccessKey: string };
  readonly key1: string;
  readonly key2: string;
  readonly alias1: string;
  /** A role with KMS Encrypt/Decrypt, assumable by `assumer`. */
  readonly roleArn: string;
  /** A user whose only permission is sts:AssumeRole. */
  readonly assumer: { accessKeyId: string; secretAccessKey: string };
}

async function iam(url: string, params: Record<string, string>): Promise<string> {
  // With auth off, moto routes unsigned requests by the credential scope's service name.
  const r = await fetch(`${url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=setup/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString(),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`moto IAM ${params.Action} failed: HTTP ${r.status}`);
  return text;
}

function accessKey(xml: string): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: /<AccessKeyId>(.*?)</.exec(xml)?.[1] as string, secretAccessKey: /<SecretAccessKey>(.*?)</.exec(xml)?.[1] as string };
}

/** Turns moto's credential checks on (true) or off (false) for every later request. */
export async function motoAuth(url: string, on: boolean): Promise<void> {
  const r = await fetch(`${url}/moto-api/reset-auth`, { method: 'POST', body: on ? '0' : 'inf' });
  if (!r.ok) throw new Error(`moto reset-auth failed: HTTP ${r.status}`);
}

/** Creates two keys (one with an alias) and two IAM users, then turns auth on. */
export async function setupMoto(url: string, region = 'us-east-1'): Promise<MotoKeys> {
  await motoAuth(url, false);
  const suffix = Math.random().toString(36).slice(2, 8);
  await iam(url, { Action: 'CreateUser', UserName: `csfle-allowed-${suffix}` });
  await iam(url, {
    Action: 'PutUserPolicy',
    UserName: `csfle-allowed-${suffix}`,
    PolicyName: 'kms-envelope',
    // Least privilege for csfle: Encrypt (wrap) and Decrypt (unwrap); the rest is for test setup.
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:CreateKey', 'kms:CreateAlias', 'kms:DescribeKey', 'sts:AssumeRole'], Resource: '*' }] }),
  });
  const roleXml = await iam(url, {
    Action: 'CreateRole',
    RoleName: `csfle-kek-user-${suffix}`,
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] }),
  });
  const roleArn = /<Arn>(.*?)</.exec(roleXml)?.[1] as string;
  await iam(url, {
    Action: 'PutRolePolicy',
    RoleName: `csfle-kek-user-${suffix}`,
    PolicyName: 'kms-envelope',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }] }),
  });
  const allowed = accessKey(await iam(url, { Action: 'CreateAccessKey', UserName: `csfle-allowed-${suffix}` }));
  await iam(url, { Action: 'CreateUser', UserName: `csfle-assumer-${suffix}` });
  await iam(url, {
    Action: 'PutUserPolicy',
    UserName: `csfle-assumer-${suffix}`,
    PolicyName: 'assume-only',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: '*' }] }),
  });
  const assumer = accessKey(await iam(url, { Action: 'CreateAccessKey', UserName: `csfle-assumer-${suffix}` }));
  await iam(url, { Action: 'CreateUser', UserName: `csfle-denied-${suffix}` });
  const denied = accessKey(await iam(url, { Action: 'CreateAccessKey', UserName: `csfle-denied-${suffix}` }));
  const kms = new KMSClient({ region, endpoint: url, credentials: allowed });
  const key1 = (await kms.send(new CreateKeyCommand({ Description: 'csfle test KEK 1' }))).KeyMetadata?.Arn as string;
  const key2 = (await kms.send(new CreateKeyCommand({ Description: 'csfle test KEK 2' }))).KeyMetadata?.Arn as string;
  await kms.send(new CreateAliasCommand({ AliasName: `alias/csfle-${suffix}`, TargetKeyId: key1 }));
  const alias1 = key1.replace(/key\/.*$/, `alias/csfle-${suffix}`);
  kms.destroy();
  await motoAuth(url, true);
  return { url, allowed, denied, key1, key2, alias1, roleArn, assumer };
}
