/**
 * `createAzureKms`: a `KmsClient` for Azure Key Vault (and Managed HSM), byte-compatible with
 * Confluent's `azure-kms` driver: RSA-OAEP-256 `encrypt`/`decrypt` with the key, the raw result
 * stored; plus the `azure:v1:<version>:` header of Confluent's Java/Python/.NET clients (always
 * read; written when the KEK's `encrypt.azure.key.version.save` is `true`). See uri.ts.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { CryptographyClient, type CryptographyClientOptions, type DecryptResult, type EncryptResult, type KeyClient } from '@azure/keyvault-keys';
import { configValue, ErrorCodes, kmsError, runKmsCall, type KmsCallOptions, type KmsCallPolicy, type KmsClient } from '@csfle/core';
import { classifyAzureError } from './errors.js';
import { addVersionHeader, AZURE_KMS_PREFIX, AZURE_KMS_TYPE, isHeaderVersion, keyIdentifier, parseAzureKeyUri, readVersionHeader } from './uri.js';

/** Confluent's rule-config / KEK `kmsProps` keys read by this adapter. */
export const AzureKmsParams = {
  TENANT_ID: 'tenant.id',
  CLIENT_ID: 'client.id',
  CLIENT_SECRET: 'client.secret',
  /** `true`: prefix wrapped DEKs with the exact key version (`azure:v1:<version>:`). */
  KEY_VERSION_SAVE: 'encrypt.azure.key.version.save',
} as const;

/** An `@azure/identity`-compatible token credential (`getToken(scopes, options)`). */
export type AzureTokenCredential = ConstructorParameters<typeof KeyClient>[1];

/** The part of `CryptographyClient` the adapter calls; what a `clientFactory` must return. */
export interface AzureCryptoClient {
  encrypt(parameters: { algorithm: 'RSA-OAEP-256'; plaintext: Uint8Array }, options?: { abortSignal?: AbortSignal }): Promise<EncryptResult>;
  decrypt(parameters: { algorithm: 'RSA-OAEP-256'; ciphertext: Uint8Array }, options?: { abortSignal?: AbortSignal }): Promise<DecryptResult>;
}

/**
 * Builds the SDK client for one key identifier (`https://<vault>/keys/<name>[/<version>]`).
 * `options` already has `retryOptions.maxRetries = 0` (the adapter retries) merged over
 * {@link AzureKmsOptions.clientOptions}.
 */
export type AzureCryptoClientFactory = (keyId: string, credential: AzureTokenCredential, options: CryptographyClientOptions) => AzureCryptoClient;

/** Options of {@link createAzureKms}. Every field is optional. */
export interface AzureKmsOptions extends KmsCallPolicy {
  /** A token credential; wins over every other credential source. */
  readonly credential?: AzureTokenCredential;
  /** Entra ID tenant (with `clientId` + `clientSecret` → `ClientSecretCredential`). Wins over props. */
  readonly tenantId?: string;
  /** Application (client) id; see `tenantId`. */
  readonly clientId?: string;
  /** Client secret; see `tenantId`. Never logged or put in an error. */
  readonly clientSecret?: string;
  /** Defaults for Confluent's params (`tenant.id`, `client.id`, `client.secret`, `encrypt.azure.key.version.save`); the KEK's props / rule config win. */
  readonly params?: Readonly<Record<string, string>>;
  /** Options for the SDK clients (proxy, `additionalPolicies`, `disableChallengeResourceVerification`, …). */
  readonly clientOptions?: CryptographyClientOptions;
  /** Builds the SDK client per key identifier. Default: `new CryptographyClient(keyId, credential, options)`. */
  readonly clientFactory?: AzureCryptoClientFactory;
  /** Only serve these key URIs. Default: every `azure-kms://` URI. */
  readonly keyUris?: readonly string[];
}

const ALGORITHM = 'RSA-OAEP-256' as const;

/** The version segment of a key id `https://<vault>/keys/<name>/<version>` returned by Key Vault. */
function versionOfKid(kid: string | undefined, name: string): string | undefined {
  if (kid === undefined) return undefined;
  try {
    const seg = new URL(kid).pathname.split('/').filter((x) => x !== '');
    return seg.length === 3 && seg[0] === 'keys' && seg[1] === name ? seg[2] : undefined;
  } catch {
    return undefined;
  }
}

const defaultFactory: AzureCryptoClientFactory = (keyId, credential, options) => new CryptographyClient(keyId, credential, options);

function resolveOptions(options: AzureKmsOptions): AzureKmsOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`azure-kms: options expected an object, got ${options === null ? 'null' : typeof options}`);
  const { timeoutMs, retries, retryBaseDelayMs, tenantId, clientId, clientSecret, credential, clientFactory, keyUris } = options;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new RangeError(`azure-kms: "timeoutMs" expected a positive number, got ${String(timeoutMs)}`);
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) throw new RangeError(`azure-kms: "retries" expected a non-negative integer, got ${String(retries)}`);
  if (retryBaseDelayMs !== undefined && !(Number.isFinite(retryBaseDelayMs) && retryBaseDelayMs >= 0)) {
    throw new RangeError(`azure-kms: "retryBaseDelayMs" expected a non-negative number, got ${String(retryBaseDelayMs)}`);
  }
  const trio = [tenantId, clientId, clientSecret];
  for (const [k, v] of [['tenantId', tenantId], ['clientId', clientId], ['clientSecret', clientSecret]] as const) {
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw new TypeError(`azure-kms: "${k}" expected a non-empty string, got ${typeof v === 'string' ? '""' : typeof v}`);
  }
  const given = trio.filter((v) => v !== undefined).length;
  if (given !== 0 && given !== 3) throw new TypeError(`azure-kms: "tenantId", "clientId" and "clientSecret" expected all three or none, got ${given} of 3`);
  if (credential !== undefined && typeof (credential as { getToken?: unknown }).getToken !== 'function') throw new TypeError('azure-kms: "credential" expected a TokenCredential (an object with getToken), got another value');
  if (clientFactory !== undefined && typeof clientFactory !== 'function') throw new TypeError(`azure-kms: "clientFactory" expected a function, got ${typeof clientFactory}`);
  if (keyUris !== undefined) {
    if (!Array.isArray(keyUris)) throw new TypeError('azure-kms: "keyUris" expected an array of key URIs');
    for (const u of keyUris) parseAzureKeyUri(u);
  }
  return options;
}

class AzureKmsClient implements KmsClient {
  readonly kmsType = AZURE_KMS_TYPE;
  readonly #options: AzureKmsOptions;
  readonly #factory: AzureCryptoClientFactory;
  /** SDK clients by credential slot + key identifier: each instance has its own (no globals). */
  readonly #clients = new Map<string, AzureCryptoClient>();
  readonly #credentials = new Map<string, AzureTokenCredential>();
  readonly #uris: ReadonlySet<string> | undefined;

  constructor(options: AzureKmsOptions) {
    this.#options = options;
    this.#factory = options.clientFactory ?? defaultFactory;
    this.#uris = options.keyUris ? new Set(options.keyUris) : undefined;
  }

  supports(uri: string): boolean {
    if (typeof uri !== 'string' || !uri.startsWith(AZURE_KMS_PREFIX)) return false;
    return this.#uris === undefined || this.#uris.has(uri);
  }

  /** The credential and a cache slot for it (a hash, so no secret is kept as a map key). */
  #credential(props: Readonly<Record<string, string>>): { slot: string; credential: AzureTokenCredential } {
    const o = this.#options;
    if (o.credential) return { slot: 'injected', credential: o.credential };
    const tenant = o.tenantId ?? configValue(props, AzureKmsParams.TENANT_ID);
    const client = o.clientId ?? configValue(props, AzureKmsParams.CLIENT_ID);
    const secret = o.clientSecret ?? configValue(props, AzureKmsParams.CLIENT_SECRET);
    const explicit = tenant !== undefined && client !== undefined && secret !== undefined;
    const slot = explicit ? createHash('sha256').update(`${tenant}\0${client}\0${secret}`).digest('base64url') : 'default';
    let credential = this.#credentials.get(slot);
    if (!credential) {
      // As Confluent's drivers: all three params → client secret, else the default chain.
      credential = explicit ? new ClientSecretCredential(tenant, client, secret) : new DefaultAzureCredential();
      this.#credentials.set(slot, credential);
    }
    return { slot, credential };
  }

  #client(keyId: string, slot: string, credential: AzureTokenCredential): AzureCryptoClient {
    const cacheKey = `${slot}\0${keyId}`;
    let c = this.#clients.get(cacheKey);
    if (!c) {
      // SDK retries off: runKmsCall retries retriable failures under one deadline.
      const clientOptions = this.#options.clientOptions ?? {};
      c = this.#factory(keyId, credential, { ...clientOptions, retryOptions: { ...(clientOptions.retryOptions ?? {}), maxRetries: 0 } });
      this.#clients.set(cacheKey, c);
    }
    return c;
  }

  async #call(op: 'wrap' | 'unwrap', uri: string, input: Uint8Array, options: KmsCallOptions | undefined): Promise<Uint8Array> {
    const id = parseAzureKeyUri(uri);
    if (!(input instanceof Uint8Array)) throw new TypeError(`azure-kms: ${op} expected a Uint8Array, got ${typeof input}`);
    const props = { ...(this.#options.params ?? {}), ...(options?.props ?? {}) };
    const save = op === 'wrap' && configValue(props, AzureKmsParams.KEY_VERSION_SAVE)?.toLowerCase() === 'true';
    let unwrapVersion: string | undefined;
    let unwrapInput = input;
    if (op === 'unwrap') {
      try {
        ({ version: unwrapVersion, ciphertext: unwrapInput } = readVersionHeader(input));
      } catch (e) {
        throw kmsError(ErrorCodes.KMS_INVALID_CIPHERTEXT, AZURE_KMS_TYPE, uri, `unwrap under ${uri} failed: the wrapped DEK has a malformed azure:v1: key version header`, e);
      }
    }
    const { slot, credential } = this.#credential(props);
    return runKmsCall({ ...this.#options, provider: AZURE_KMS_TYPE, kekUri: uri, op, signal: options?.signal, classify: classifyAzureError }, async (signal) => {
      if (op === 'wrap') {
        const r = await this.#client(keyIdentifier(id), slot, credential).encrypt({ algorithm: ALGORITHM, plaintext: input }, { abortSignal: signal });
        if (!save) return Buffer.from(r.result);
        // Save the version that actually encrypted: the URI's, else the one Key Vault reports in
        // the result's `kid` (no extra GET, no keys/get permission, no race with a rotation).
        const version = id.version ?? versionOfKid(r.keyID, id.name);
        if (!isHeaderVersion(version)) {
          throw kmsError(ErrorCodes.INVALID_ARGUMENT, AZURE_KMS_TYPE, uri, `wrap under ${uri} failed: ${AzureKmsParams.KEY_VERSION_SAVE}=true needs a 32-hex key version, Key Vault reported none of that shape`);
        }
        return addVersionHeader(version, r.result);
      }
      // A header names the exact version that wrapped the DEK; it wins over the URI's version.
      const r = await this.#client(keyIdentifier(id, unwrapVersion ?? id.version), slot, credential).decrypt({ algorithm: ALGORITHM, ciphertext: unwrapInput }, { abortSignal: signal });
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
 * Credentials, first match wins: `options.credential`; `tenantId` + `clientId` + `clientSecret`
 * (options, else Confluent's `tenant.id` / `client.id` / `client.secret` from the KEK's props, the
 * rule config or `options.params`) → `ClientSecretCredential`; else `DefaultAzureCredential`.
 *
 * @param options see {@link AzureKmsOptions}; validated here, not at the first call.
 * @returns a `KmsClient` of type `azure-kms`.
 * @throws {TypeError} / {RangeError} for malformed options; {CsfleError} `INVALID_ARGUMENT` for a malformed `keyUris` entry.
 * @example
 * const kms = createAzureKms(); // DefaultAzureCredential
 * const wrapped = await kms.wrap('azure-kms://https://v.vault.azure.net/keys/k/0123…', dek);
 */
export function createAzureKms(options: AzureKmsOptions = {}): KmsClient {
  return new AzureKmsClient(resolveOptions(options));
}
