/**
 * @csfle/kms-aws — AWS KMS for csfle: wraps and unwraps DEKs under a KMS key, with the key URIs,
 * config keys and stored bytes of Confluent's `aws-kms` driver.
 */
export { createAwsKms, AwsKmsParams, type AwsKmsOptions } from './client.js';
export { parseAwsKeyUri, AWS_KMS_TYPE, type AwsKeyArn } from './uri.js';
export { classifyAwsError } from './errors.js';
