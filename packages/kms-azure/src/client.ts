/**
 * `createAzureKms`: a `KmsClient` for Azure Key Vault (and Managed HSM), byte-compatible with
 * Confluent's `azure-kms` driver: RSA-OAEP-256 encrypt/decrypt with the key, the raw result stored;
 * plus the `azure:v1:<version>:` header of Confluent's Java/Go/Python clients (read always, written
 * when the KEK's `encrypt.azure.key.version.save` is `true`).
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { CryptographyClient, KeyClient, type CryptographyClientOptions } from '@azure/keyvault-keys';
import { configValue, runKmsCall, type KmsCallOptions, type KmsCallPolicy, type KmsClient } from '@csfle/core';
import { classifyAzureError } from './errors.js';
import { addVersionHeader, AZURE_KMS_PREFIX, AZURE_KMS_TYPE, isHeaderVersion, parseAzureKeyUri, readVersionHeader } from './uri.js';

/** Confluent's rule-config / KEK `kmsProps` keys read by this adapter. */
export const AzureKmsParams = {
  TENANT_ID: 'tenant.id',
  CLIENT_ID: 'client.id',
  CLIENT_SECRET: 'client.secret',
  /** `true`: prefix wrapped DEKs with the exact key version (`azure:v1:<version>:`). */
  KEY_VERSION_SAVE: 'encrypt.azure.key.version.save',
} as const;

type TokenCredential = ConstructorParameters<typeof KeyClient>[1];

export interface AzureKmsOptions extends KmsCallPolicy {
  /** A credential (wins over params). Default: Confluent's tenant/client/secret params, else `DefaultAzureCredential`. */
  readonly credential?: TokenCredential;
  /** Explicit params as in Confluent's rule config. Call props win. */
  readonly params?: Readonly<Record<string, string>>;
  /** Options for the SDK clients (proxy, additionalPolicies, `disableChallengeResourceVerification`, …). */
  readonly clientOptions?: CryptographyClientOptions;
  /** Only serve these key URIs. Default: every `azure-kms://` URI. */
  readonly keyUris?: readonly string[];
}

const ALGORITHM = 'RSA-OAEP-256' as const;

class AzureKmsClient implements KmsClient {
  readonly kmsType = AZURE_KMS_TYPE;
  readonly #options: AzureKmsOptions;
  readonly #crypto = new Map<string, CryptographyClient>();
  readonly #keys = new Map<string, KeyClient>();
  readonly #credentials = new Map<string, TokenCredential>();
  readonly #uris: ReadonlySet<string> | undefined;

  constructor(options: AzureKmsOptions) {
    this.#options = options;
    this.#uris = options.keyUris ? new Set(options.keyUris) : undefined;
  }

  supports(uri: string): boolean {
    if (typeof uri !== 'string' || !uri.startsWith(AZURE_KMS_PREFIX)) return false;
    return this.#uris === undefined || this.#uris.has(uri);
  }

  #credential(props: Readonly<Record<string, string>>): TokenCredential {
    if (this.#options.credential) return this.#options.credential;
    const tenant = configValue(props, AzureKmsParams.TENANT_ID);
    const client = configValue(props, AzureKmsParams.CLIENT_ID);
    const secret = configValue(props, AzureKmsParams.CLIENT_SECRET);
    const key = tenant && client && secret ? createHash('sha256').update(`${tenant}\0${client}\0${secret}`).digest('base64') : 'default';
    let c = this.#credentials.get(key);
    if (!c) {
      c = tenant && client && secret ? new ClientSecretCredential(tenant, client, secret) : new DefaultAzureCredential();
      this.#credentials.set(key, c);
    }
    return c;
  }

  #cryptoClient(keyId: string, credential: TokenCredential): CryptographyClient {
    let c = this.#crypto.get(keyId);
    if (!c) {
      // SDK retries off: runKmsCall retries retriable failures only.
      c = new CryptographyClient(keyId, credential, { ...(this.#options.clientOptions ?? {}), retryOptions: { maxRetries: 0 } });
      this.#crypto.set(keyId, c);
    }
    return c;
  }

  async #currentVersion(vaultUrl: string, name: string, credential: TokenCredential, signal: AbortSignal): Promise<string> {
    let k = this.#keys.get(vaultUrl);
    if (!k) {
      k = new KeyClient(vaultUrl, credential, { ...(this.#options.clientOptions ?? {}), retryOptions: { maxRetries: 0 } });
      this.#keys.set(vaultUrl, k);
    }
    const key = await k.getKey(name, { abortSignal: signal });
    const version = key.properties.version;
    if (!isHeaderVersion(version)) throw Object.assign(new Error('the key has no 32-hex version to save'), { statusCode: 400 });
    return version;
  }

  async #call(op: 'wrap' | 'unwrap', uri: string, input: Uint8Array, options: KmsCallOptions | undefined): Promise<Uint8Array> {
    const id = parseAzureKeyUri(uri);
    if (!(input instanceof Uint8Array)) throw new TypeError(`azure-kms: ${op} expected Uint8Array, got ${typeof input}`);
    const props = { ...(this.#options.params ?? {}), ...(options?.props ?? {}) };
    const credential = this.#credential(props);
    const base = `${id.vaultUrl}/keys/${id.name}`;
    return runKmsCall({ ...this.#options, provider: AZURE_KMS_TYPE, kekUri: uri, op, signal: options?.signal, classify: classifyAzureError }, async (signal) => {
      if (op === 'wrap') {
        const save = configValue(props, AzureKmsParams.KEY_VERSION_SAVE)?.toLowerCase() === 'true';
        const version = save ? (id.version ?? (await this.#currentVersion(id.vaultUrl, id.name, credential, signal))) : id.version;
        const keyId = version === undefined ? base : `${base}/${version}`;
        const r = await this.#cryptoClient(keyId, credential).encrypt({ algorithm: ALGORITHM, plaintext: input }, { abortSignal: signal });
        return save ? addVersionHeader(version as string, r.result) : Buffer.from(r.result);
      }
      // A header names the exact version that wrapped the DEK; it wins over the URI's version.
      const { version, ciphertext } = readVersionHeader(input);
      const v = version ?? id.version;
      const keyId = v === undefined ? base : `${base}/${v}`;
      const r = await this.#cryptoClient(keyId, credential).decrypt({ algorithm: ALGORITHM, ciphertext }, { abortSignal: signal });
      return Buffer.from(r.result);
    });
  }

  wrap(uri: string, plaintext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array> {
    return this.#call('wrap', uri, plaintext, options);
  }
  unwrap(uri: string, ciphertext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array> {
    return this.#call('unwrap', uri, ciphertext, options);
  }
  toString(): string {
    return `AzureKmsClient(${AZURE_KMS_TYPE})`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Creates an Azure Key Vault client for `azure-kms://https://<vault>/keys/<name>[/<version>]`.
 *
 * Credentials: `options.credential`; else Confluent's `tenant.id` + `client.id` +
 * `client.secret` (all three → client-secret credential) from the KEK's props / rule config /
 * `options.params`; else `DefaultAzureCredential`.
 */
export function createAzureKms(options: AzureKmsOptions = {}): KmsClient {
  if (typeof options !== 'object' || options === null) throw new TypeError('azure-kms: options expected an object');
  return new AzureKmsClient(options);
}
