/** AWS KMS key URIs: `aws-kms://arn:aws:kms:<region>:<account>:key/<id>` (or `alias/<name>`). */
import { CsfleError, ErrorCodes } from '@csfle/core';

export const AWS_KMS_TYPE = 'aws-kms';
export const AWS_KMS_PREFIX = `${AWS_KMS_TYPE}://`;

export interface AwsKeyArn {
  /** The ARN, passed as `KeyId` to Encrypt/Decrypt. */
  readonly arn: string;
  /** The partition (`aws`, `aws-cn`, `aws-us-gov`, …). */
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** `key/<id>` or `alias/<name>`. */
  readonly resource: string;
}

const ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):((?:key|alias)\/[A-Za-z0-9/_+=,.@-]+)$/;

/**
 * Parses `aws-kms://<key or alias ARN>`. The region is the ARN's fourth field, as in Confluent's
 * drivers.
 * @throws {CsfleError} `INVALID_ARGUMENT` for anything else (bare key ids and alias names are not
 *   accepted: without a region in the ARN a reader could not know where to go).
 */
export function parseAwsKeyUri(uri: string): AwsKeyArn {
  if (typeof uri !== 'string' || !uri.startsWith(AWS_KMS_PREFIX)) {
    throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `aws-kms: key URI expected "${AWS_KMS_PREFIX}arn:aws:kms:<region>:<account>:key/<id>", got ${JSON.stringify(String(uri))}`);
  }
  const arn = uri.slice(AWS_KMS_PREFIX.length);
  const m = ARN.exec(arn);
  if (!m) {
    throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `aws-kms: key URI expected a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id>), got ${JSON.stringify(arn)}`);
  }
  return { arn, partition: m[1] as string, region: m[2] as string, account: m[3] as string, resource: m[4] as string };
}
