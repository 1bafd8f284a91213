/**
 * `createVaultKms`: a `KmsClient` for HashiCorp Vault (or OpenBao) transit, byte-compatible with
 * Confluent's `hcvault` driver: the DEK registry stores the UTF-8 bytes of Vault's
 * `vault:v<N>:<base64>` ciphertext string.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import nodeVault from 'node-vault';
import { configValue, runKmsCall, type KmsCallOptions, type KmsCallPolicy, type KmsClient } from '@csfle/core';
import { classifyVaultError } from './errors.js';
import { createTransport } from './transport.js';
import { parseVaultKeyUri, VAULT_KMS_TYPE, VAULT_PREFIX, type VaultKeyRef } from './uri.js';

/** Confluent's rule-config / KEK `kmsProps` keys read by this adapter (env fallbacks in brackets). */
export const VaultKmsParams = {
  TOKEN_ID: 'token.id', // [VAULT_TOKEN]
  NAMESPACE: 'namespace', // [VAULT_NAMESPACE]
  APPROLE_ROLE_ID: 'approle.role.id', // [VAULT_APPROLE_ROLE_ID]
  APPROLE_SECRET_ID: 'approle.secret.id', // [VAULT_APPROLE_SECRET_ID]
} as const;

export interface VaultKmsOptions extends KmsCallPolicy {
  /** Explicit params as in Confluent's rule config (`token.id`, `namespace`, `approle.*`). Call props win. */
  readonly params?: Readonly<Record<string, string>>;
  /** Mount path of the AppRole auth method. Default `approle`. */
  readonly appRoleMount?: string;
  /** PEM CA(s) to verify the Vault server's TLS certificate with (instead of Node's defaults). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Only serve these key URIs. Default: every `hcvault://` URI. */
  readonly keyUris?: readonly string[];
}

type VaultClient = ReturnType<typeof nodeVault>;

interface Auth {
  readonly token: string | undefined;
  readonly namespace: string | undefined;
  readonly roleId: string | undefined;
  readonly secretId: string | undefined;
}

interface Session {
  readonly client: VaultClient;
  readonly auth: Auth;
  login?: Promise<void> | undefined;
}

function authFrom(props: Readonly<Record<string, string>>): Auth {
  return {
    token: configValue(props, VaultKmsParams.TOKEN_ID, 'VAULT_TOKEN'),
    namespace: configValue(props, VaultKmsParams.NAMESPACE, 'VAULT_NAMESPACE'),
    roleId: configValue(props, VaultKmsParams.APPROLE_ROLE_ID, 'VAULT_APPROLE_ROLE_ID'),
    secretId: configValue(props, VaultKmsParams.APPROLE_SECRET_ID, 'VAULT_APPROLE_SECRET_ID'),
  };
}

/** A session key that never holds a secret in clear. */
function sessionKey(endpoint: string, a: Auth): string {
  return createHash('sha256').update(`${endpoint}\0${a.token ?? ''}\0${a.namespace ?? ''}\0${a.roleId ?? ''}\0${a.secretId ?? ''}`).digest('base64');
}

class VaultKmsClient implements KmsClient {
  readonly kmsType = VAULT_KMS_TYPE;
  readonly #options: VaultKmsOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #uris: ReadonlySet<string> | undefined;
  readonly #transport: ReturnType<typeof createTransport>;

  constructor(options: VaultKmsOptions) {
    this.#options = options;
    this.#uris = options.keyUris ? new Set(options.keyUris) : undefined;
    this.#transport = createTransport(options.ca === undefined ? {} : { ca: options.ca });
  }

  supports(uri: string): boolean {
    if (typeof uri !== 'string' || !uri.startsWith(VAULT_PREFIX)) return false;
    return this.#uris === undefined || this.#uris.has(uri);
  }

  #session(endpoint: string, props: Readonly<Record<string, string>>): Session {
    const auth = authFrom(props);
    const key = sessionKey(endpoint, auth);
    let s = this.#sessions.get(key);
    if (!s) {
      const client = nodeVault({
        endpoint,
        apiVersion: 'v1',
        ...(auth.token === undefined ? {} : { token: auth.token }),
        ...(auth.namespace === undefined ? {} : { namespace: auth.namespace }),
        'request-promise': this.#transport,
      } as Parameters<typeof nodeVault>[0]);
      s = { client, auth };
      this.#sessions.set(key, s);
    }
    return s;
  }

  /** AppRole login (once per session; again after a 403). */
  async #ensureLogin(s: Session, signal: AbortSignal, force = false): Promise<void> {
    if (s.auth.roleId === undefined || s.auth.secretId === undefined) return;
    if (force || !s.client.token) s.login = undefined;
    s.login ??= (async () => {
      const mount = this.#options.appRoleMount ?? 'approle';
      const res = (await s.client.request({
        path: `/auth/${mount}/login`,
        method: 'POST',
        json: { role_id: s.auth.roleId, secret_id: s.auth.secretId },
        signal,
      } as never)) as { auth?: { client_token?: string } };
      const token = res?.auth?.client_token;
      if (!token) throw Object.assign(new Error('AppRole login returned no token'), { response: { statusCode: 403 } });
      s.client.token = token;
    })().catch((e: unknown) => {
      s.login = undefined;
      // Vault answers a wrong role/secret id with 400 ("invalid role or secret ID"): that is a refusal.
      const status = (e as { response?: { statusCode?: number } }).response?.statusCode;
      if (status !== undefined && status >= 400 && status < 500) {
        throw Object.assign(new Error('AppRole login refused'), { name: 'AppRoleLoginError', response: { statusCode: 403 } });
      }
      throw e;
    });
    await s.login;
  }

  async #transit(s: Session, key: VaultKeyRef, op: 'encrypt' | 'decrypt', json: Record<string, string>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const path = `/${key.mount.split('/').map(encodeURIComponent).join('/')}/${op}/${encodeURIComponent(key.name)}`;
    const call = async () => {
      await this.#ensureLogin(s, signal);
      return (await s.client.request({ path, method: 'POST', json, signal } as never)) as { data?: Record<string, unknown> };
    };
    let res: { data?: Record<string, unknown> };
    try {
      res = await call();
    } catch (e) {
      const status = (e as { response?: { statusCode?: number } }).response?.statusCode;
      if (status !== 403 || s.auth.roleId === undefined) throw e;
      await this.#ensureLogin(s, signal, true); // the AppRole token may have expired: log in again, once
      res = await call();
    }
    if (!res?.data) throw Object.assign(new Error('transit response has no data'), { response: { statusCode: 502 } });
    return res.data;
  }

  async #call(op: 'wrap' | 'unwrap', uri: string, input: Uint8Array, options: KmsCallOptions | undefined): Promise<Uint8Array> {
    const key = parseVaultKeyUri(uri);
    if (!(input instanceof Uint8Array)) throw new TypeError(`hcvault: ${op} expected Uint8Array, got ${typeof input}`);
    const props = { ...(this.#options.params ?? {}), ...(options?.props ?? {}) };
    const s = this.#session(key.endpoint, props);
    return runKmsCall({ ...this.#options, provider: VAULT_KMS_TYPE, kekUri: uri, op, signal: options?.signal, classify: classifyVaultError }, async (signal) => {
      if (op === 'wrap') {
        const data = await this.#transit(s, key, 'encrypt', { plaintext: Buffer.from(input).toString('base64') }, signal);
        if (typeof data.ciphertext !== 'string') throw Object.assign(new Error('no ciphertext'), { response: { statusCode: 502 } });
        return Buffer.from(data.ciphertext, 'utf8');
      }
      const data = await this.#transit(s, key, 'decrypt', { ciphertext: Buffer.from(input).toString('utf8') }, signal);
      if (typeof data.plaintext !== 'string') throw Object.assign(new Error('no plaintext'), { response: { statusCode: 502 } });
      return Buffer.from(data.plaintext, 'base64');
    });
  }

  wrap(uri: string, plaintext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array> {
    return this.#call('wrap', uri, plaintext, options);
  }
  unwrap(uri: string, ciphertext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array> {
    return this.#call('unwrap', uri, ciphertext, options);
  }
  toString(): string {
    return `VaultKmsClient(${VAULT_KMS_TYPE})`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Creates a Vault / OpenBao transit client for `hcvault://<scheme>://<host>:<port>/<mount>/keys/<name>`.
 *
 * Auth, per call: Confluent's `token.id`, `namespace`, `approle.role.id` + `approle.secret.id`
 * from the KEK's props / rule config or `options.params`, else `VAULT_TOKEN`, `VAULT_NAMESPACE`,
 * `VAULT_APPROLE_ROLE_ID`, `VAULT_APPROLE_SECRET_ID`. AppRole logs in once and again after a 403.
 *
 * @example
 * const kms = createVaultKms({ params: { 'token.id': process.env.VAULT_TOKEN! }, ca: readFileSync('vault-ca.pem') });
 */
export function createVaultKms(options: VaultKmsOptions = {}): KmsClient {
  if (typeof options !== 'object' || options === null) throw new TypeError('hcvault: options expected an object');
  return new VaultKmsClient(options);
}
