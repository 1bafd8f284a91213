/**
 * `createGcpKms`: a `KmsClient` for Google Cloud KMS, byte-compatible with Confluent's `gcp-kms`
 * driver (`encrypt`/`decrypt` on the CryptoKey name, no additional authenticated data, the DEK
 * registry stores the raw ciphertext), plus the integrity checks Google documents for both calls.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { configValue, runKmsCall, type KmsCallOptions, type KmsCallPolicy, type KmsClient } from '@csfle/core';
import { crc32c } from './crc32c.js';
import { classifyGcpError, IntegrityError } from './errors.js';
import { GCP_KMS_PREFIX, GCP_KMS_TYPE, parseGcpKeyUri } from './uri.js';

/** Confluent's rule-config / KEK `kmsProps` keys read by this adapter. */
export const GcpKmsParams = {
  ACCOUNT_TYPE: 'account.type',
  CLIENT_ID: 'client.id',
  CLIENT_EMAIL: 'client.email',
  PRIVATE_KEY_ID: 'private.key.id',
  PRIVATE_KEY: 'private.key',
} as const;

/** The slice of `KeyManagementServiceClient` the adapter uses (inject your own, or a test double). */
export type GcpKmsApi = Pick<KeyManagementServiceClient, 'encrypt' | 'decrypt'>;

type ClientOptions = NonNullable<ConstructorParameters<typeof KeyManagementServiceClient>[0]>;

export interface GcpKmsOptions extends KmsCallPolicy {
  /** Explicit params as in Confluent's rule config (service account fields). Call props win. */
  readonly params?: Readonly<Record<string, string>>;
  /** Extra client options (e.g. `apiEndpoint`, `port`, `sslCreds`, `projectId`). */
  readonly clientOptions?: ClientOptions;
  /** Builds the client yourself (wins over params and clientOptions). */
  readonly clientFactory?: () => GcpKmsApi;
  /** Extra gax call options for every request, e.g. `{ otherArgs: { headers } }`. */
  readonly callOptions?: { readonly otherArgs?: { readonly headers?: Readonly<Record<string, string>> } };
  /** Only serve these CryptoKey names. Default: every `gcp-kms://` URI. */
  readonly keyNames?: readonly string[];
}

function credentialsFrom(props: Readonly<Record<string, string>>): ClientOptions['credentials'] | undefined {
  const client_id = configValue(props, GcpKmsParams.CLIENT_ID);
  const client_email = configValue(props, GcpKmsParams.CLIENT_EMAIL);
  const private_key_id = configValue(props, GcpKmsParams.PRIVATE_KEY_ID);
  const private_key = configValue(props, GcpKmsParams.PRIVATE_KEY);
  if (!client_id || !client_email || !private_key_id || !private_key) return undefined; // application default credentials
  const type = configValue(props, GcpKmsParams.ACCOUNT_TYPE) ?? 'service_account';
  return { type, client_id, client_email, private_key_id, private_key } as ClientOptions['credentials'];
}

function configKey(props: Readonly<Record<string, string>>): string {
  const h = createHash('sha256');
  for (const k of Object.values(GcpKmsParams)) h.update(`\0${k}=${props[k] ?? ''}`);
  return h.digest('base64');
}

const u32 = (v: unknown): number | undefined => {
  const x = (v as { value?: unknown } | null | undefined)?.value;
  if (x === undefined || x === null) return undefined;
  return Number(x);
};

class GcpKmsClient implements KmsClient {
  readonly kmsType = GCP_KMS_TYPE;
  readonly #options: GcpKmsOptions;
  readonly #clients = new Map<string, GcpKmsApi>();
  readonly #names: ReadonlySet<string> | undefined;

  constructor(options: GcpKmsOptions) {
    this.#options = options;
    this.#names = options.keyNames ? new Set(options.keyNames) : undefined;
  }

  supports(uri: string): boolean {
    if (typeof uri !== 'string' || !uri.startsWith(GCP_KMS_PREFIX)) return false;
    return this.#names === undefined || this.#names.has(uri.slice(GCP_KMS_PREFIX.length));
  }

  #client(props: Readonly<Record<string, string>>): GcpKmsApi {
    const key = this.#options.clientFactory ? 'factory' : configKey(props);
    let c = this.#clients.get(key);
    if (!c) {
      if (this.#options.clientFactory) c = this.#options.clientFactory();
      else {
        const credentials = credentialsFrom(props);
        c = new KeyManagementServiceClient({ ...(this.#options.clientOptions ?? {}), ...(credentials ? { credentials } : {}) });
      }
      this.#clients.set(key, c);
    }
    return c;
  }

  async #call(op: 'wrap' | 'unwrap', uri: string, input: Uint8Array, options: KmsCallOptions | undefined): Promise<Uint8Array> {
    const key = parseGcpKeyUri(uri);
    if (!(input instanceof Uint8Array)) throw new TypeError(`gcp-kms: ${op} expected Uint8Array, got ${typeof input}`);
    const props = { ...(this.#options.params ?? {}), ...(options?.props ?? {}) };
    const client = this.#client(props);
    const timeout = this.#options.timeoutMs ?? 10_000;
    // gax retries off (ours retry retriable failures only); the deadline is also runKmsCall's.
    const callOptions = { ...(this.#options.callOptions ?? {}), timeout, retry: null };
    const crc = crc32c(input);
    return runKmsCall({ ...this.#options, provider: GCP_KMS_TYPE, kekUri: uri, op, signal: options?.signal, classify: classifyGcpError }, async () => {
      if (op === 'wrap') {
        const [res] = await client.encrypt({ name: key.name, plaintext: input, plaintextCrc32c: { value: crc } }, callOptions as never);
        const ciphertext = res.ciphertext as Uint8Array | null | undefined;
        if (!ciphertext) throw new IntegrityError('no ciphertext in the response');
        if (res.verifiedPlaintextCrc32c !== true) throw new IntegrityError('the request plaintext was not verified by the service');
        if (u32(res.ciphertextCrc32c) !== crc32c(ciphertext)) throw new IntegrityError('response ciphertext CRC32C mismatch');
        if (typeof res.name === 'string' && res.name !== '' && !res.name.startsWith(`${key.name}/cryptoKeyVersions/`)) {
          throw new IntegrityError('the response names another key');
        }
        return Buffer.from(ciphertext);
      }
      const [res] = await client.decrypt({ name: key.name, ciphertext: input, ciphertextCrc32c: { value: crc } }, callOptions as never);
      const plaintext = res.plaintext as Uint8Array | null | undefined;
      if (!plaintext) throw new IntegrityError('no plaintext in the response');
      if (u32(res.plaintextCrc32c) !== crc32c(plaintext)) throw new IntegrityError('response plaintext CRC32C mismatch');
      return Buffer.from(plaintext);
    });
  }

  wrap(uri: string, plaintext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array> {
    return this.#call('wrap', uri, plaintext, options);
  }
  unwrap(uri: string, ciphertext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array> {
    return this.#call('unwrap', uri, ciphertext, options);
  }
  toString(): string {
    return `GcpKmsClient(${GCP_KMS_TYPE})`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Creates a Cloud KMS client for `gcp-kms://projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`.
 *
 * Credentials: Confluent's `client.id`, `client.email`, `private.key.id`, `private.key` (and
 * `account.type`, default `service_account`) from the KEK's props / rule config / `options.params`
 * when all four are set; else application default credentials.
 *
 * Integrity (Google's recommended checks): the request carries the CRC32C of its data; the
 * response must say the service verified it, carry a matching CRC32C of what it returns, and name
 * a version of the requested key. A failed check is `KMS_UNAVAILABLE` (retriable): data was
 * damaged in transit, and a retry is the documented remedy.
 */
export function createGcpKms(options: GcpKmsOptions = {}): KmsClient {
  if (typeof options !== 'object' || options === null) throw new TypeError('gcp-kms: options expected an object');
  return new GcpKmsClient(options);
}
