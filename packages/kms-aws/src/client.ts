/**
 * `createAwsKms`: a `KmsClient` for AWS KMS, byte-compatible with Confluent's `aws-kms` driver:
 * `Encrypt`/`Decrypt` with `KeyId` = the key ARN, no encryption context, and the stored DEK is the
 * raw `CiphertextBlob`.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { DecryptCommand, EncryptCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { fromIni, fromTemporaryCredentials, fromTokenFile } from '@aws-sdk/credential-providers';
import { configValue, runKmsCall, type KmsCallOptions, type KmsCallPolicy, type KmsClient } from '@csfle/core';
import { classifyAwsError } from './errors.js';
import { AWS_KMS_PREFIX, AWS_KMS_TYPE, parseAwsKeyUri } from './uri.js';

/** Confluent's rule-config / KEK `kmsProps` keys read by this adapter. */
export const AwsKmsParams = {
  ACCESS_KEY_ID: 'access.key.id',
  SECRET_ACCESS_KEY: 'secret.access.key',
  PROFILE: 'profile',
  ROLE_ARN: 'role.arn',
  ROLE_SESSION_NAME: 'role.session.name',
  ROLE_EXTERNAL_ID: 'role.external.id',
} as const;

const DEFAULT_SESSION_NAME = 'confluent-encrypt';

export interface AwsKmsOptions extends KmsCallPolicy {
  /** Credentials (or a provider). Default: Confluent's params from the call's props, else the SDK's default chain. */
  readonly credentials?: KMSClientConfig['credentials'];
  /** Explicit params, as in Confluent's rule config (`access.key.id`, `profile`, `role.arn`, …). Call props win. */
  readonly params?: Readonly<Record<string, string>>;
  /** Endpoint override, e.g. a VPC endpoint (`https://vpce-….kms.<region>.vpce.amazonaws.com`) or an emulator. */
  readonly endpoint?: string;
  /** Extra `KMSClient` config (e.g. `requestHandler`). `region`, `credentials`, `endpoint`, `maxAttempts` are set by the adapter. */
  readonly clientConfig?: Omit<KMSClientConfig, 'region' | 'credentials' | 'endpoint' | 'maxAttempts'>;
  /** Builds the SDK client for a region yourself (wins over everything above except timeouts/retries). */
  readonly clientFactory?: (region: string) => Pick<KMSClient, 'send'>;
  /** Restrict to these key ARNs (and their `aws-kms://` URIs). Default: every `aws-kms://` URI. */
  readonly keyArns?: readonly string[];
}

type Sender = Pick<KMSClient, 'send'>;

function credentialsFrom(props: Readonly<Record<string, string>>, region: string, explicit: AwsKmsOptions['credentials']): AwsKmsOptions['credentials'] {
  let base: AwsKmsOptions['credentials'] = explicit;
  const accessKeyId = configValue(props, AwsKmsParams.ACCESS_KEY_ID);
  const secretAccessKey = configValue(props, AwsKmsParams.SECRET_ACCESS_KEY);
  const profile = configValue(props, AwsKmsParams.PROFILE);
  if (base === undefined && accessKeyId !== undefined && secretAccessKey !== undefined) base = { accessKeyId, secretAccessKey };
  else if (base === undefined && profile !== undefined) base = fromIni({ profile });
  const roleArn = configValue(props, AwsKmsParams.ROLE_ARN, 'AWS_ROLE_ARN');
  if (roleArn === undefined) return base;
  const roleSessionName = configValue(props, AwsKmsParams.ROLE_SESSION_NAME, 'AWS_ROLE_SESSION_NAME') ?? DEFAULT_SESSION_NAME;
  const externalId = configValue(props, AwsKmsParams.ROLE_EXTERNAL_ID, 'AWS_ROLE_EXTERNAL_ID');
  const tokenFile = process.env.AWS_WEB_IDENTITY_TOKEN_FILE;
  if (tokenFile) return fromTokenFile({ roleArn, roleSessionName, webIdentityTokenFile: tokenFile });
  return fromTemporaryCredentials({
    ...(base === undefined ? {} : { masterCredentials: base }),
    params: { RoleArn: roleArn, RoleSessionName: roleSessionName, ...(externalId === undefined ? {} : { ExternalId: externalId }) },
    clientConfig: { region },
  });
}

/** A cache key for a credential configuration that never holds a secret in clear. */
function configKey(region: string, props: Readonly<Record<string, string>>): string {
  const h = createHash('sha256');
  h.update(region);
  for (const k of Object.values(AwsKmsParams)) h.update(`\0${k}=${props[k] ?? ''}`);
  return h.digest('base64');
}

class AwsKmsClient implements KmsClient {
  readonly kmsType = AWS_KMS_TYPE;
  readonly #options: AwsKmsOptions;
  readonly #clients = new Map<string, Sender>();
  readonly #arns: ReadonlySet<string> | undefined;

  constructor(options: AwsKmsOptions) {
    this.#options = options;
    this.#arns = options.keyArns ? new Set(options.keyArns) : undefined;
  }

  supports(uri: string): boolean {
    if (typeof uri !== 'string' || !uri.startsWith(AWS_KMS_PREFIX)) return false;
    return this.#arns === undefined || this.#arns.has(uri.slice(AWS_KMS_PREFIX.length));
  }

  #client(region: string, props: Readonly<Record<string, string>>): Sender {
    if (this.#options.clientFactory) {
      const key = `factory:${region}`;
      let c = this.#clients.get(key);
      if (!c) this.#clients.set(key, (c = this.#options.clientFactory(region)));
      return c;
    }
    const key = configKey(region, props);
    let c = this.#clients.get(key);
    if (!c) {
      const credentials = credentialsFrom(props, region, this.#options.credentials);
      c = new KMSClient({
        ...(this.#options.clientConfig ?? {}),
        region,
        maxAttempts: 1, // retries are runKmsCall's, for retriable failures only
        ...(credentials === undefined ? {} : { credentials }),
        ...(this.#options.endpoint === undefined ? {} : { endpoint: this.#options.endpoint }),
      });
      this.#clients.set(key, c);
    }
    return c;
  }

  async #call(op: 'wrap' | 'unwrap', uri: string, input: Uint8Array, options: KmsCallOptions | undefined): Promise<Uint8Array> {
    const key = parseAwsKeyUri(uri);
    if (!(input instanceof Uint8Array)) throw new TypeError(`aws-kms: ${op} expected Uint8Array, got ${typeof input}`);
    const props = { ...(this.#options.params ?? {}), ...(options?.props ?? {}) };
    const client = this.#client(key.region, props);
    return runKmsCall(
      { ...this.#options, provider: AWS_KMS_TYPE, kekUri: uri, op, signal: options?.signal, classify: classifyAwsError },
      async (signal) => {
        if (op === 'wrap') {
          const out = await client.send(new EncryptCommand({ KeyId: key.arn, Plaintext: input }), { abortSignal: signal });
          if (!out.CiphertextBlob) throw Object.assign(new Error('Encrypt returned no CiphertextBlob'), { name: 'KMSInternalException' });
          return out.CiphertextBlob;
        }
        const out = await client.send(new DecryptCommand({ KeyId: key.arn, CiphertextBlob: input }), { abortSignal: signal });
        if (!out.Plaintext) throw Object.assign(new Error('Decrypt returned no Plaintext'), { name: 'KMSInternalException' });
        return out.Plaintext;
      },
    );
  }

  wrap(uri: string, plaintext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array> {
    return this.#call('wrap', uri, plaintext, options);
  }
  unwrap(uri: string, ciphertext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array> {
    return this.#call('unwrap', uri, ciphertext, options);
  }

  toString(): string {
    return `AwsKmsClient(${AWS_KMS_TYPE})`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Creates an AWS KMS client for `aws-kms://arn:aws:kms:<region>:<account>:key/<id>` URIs.
 *
 * Credentials, first that applies: `options.credentials`; Confluent's `access.key.id` +
 * `secret.access.key`, or `profile`, from the call's props (KEK `kmsProps` / rule config) or
 * `options.params`; else the SDK's default chain. With `role.arn` (or `AWS_ROLE_ARN`) the role is
 * assumed on top (session name `role.session.name`, default `confluent-encrypt`; `role.external.id`),
 * through web identity when `AWS_WEB_IDENTITY_TOKEN_FILE` is set.
 *
 * @example
 * const kms = createAwsKms();                                         // default credential chain
 * const vpce = createAwsKms({ endpoint: 'https://vpce-0abc.kms.eu-west-1.vpce.amazonaws.com' });
 */
export function createAwsKms(options: AwsKmsOptions = {}): KmsClient {
  if (typeof options !== 'object' || options === null) throw new TypeError('aws-kms: options expected an object');
  return new AwsKmsClient(options);
}
