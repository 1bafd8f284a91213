/**
 * The DEK manager: turns (KEK name, subject, algorithm, version) into a ready {@link DekCipher},
 * going through the DEK registry and the KMS only when its caches cannot answer.
 *
 * Behaviour follows Confluent's encryption executor (compatibility facts §4.2):
 * - write: get-or-create the KEK (non-shared, from the rule's kms type / key id), get the DEK
 *   (version 1, or latest when rotating), create it when missing or older than
 *   `encrypt.dek.expiry.days` (new version = old + 1), 409 → re-read;
 * - read: KEK and DEK must exist; DEKs are fetched with `deleted=true` so soft-deleted DEKs still
 *   decrypt old data;
 * - shared KEKs: the registry generates the DEK and returns `keyMaterial`; no KMS call;
 * - unwrap/wrap try the KEK's key id, then `encrypt.alternate.kms.key.ids` (KEK kmsProps, then config).
 *
 * Beyond Confluent: single-flight caches (1,000 concurrent cold uses → one registry fetch and one
 * KMS unwrap), no global lock, keys prepared once, a freshly generated DEK is used without a second
 * KMS round trip, and stale-if-error so a short KMS/registry outage does not stop a warm producer.
 */
import type { DekCipher } from './aead.js';
import { LoadingCache } from './cache.js';
import { createDekCipher, generateDek, type VersionedDekCipher } from './crypto/index.js';
import { ErrorCodes, KmsError, RuleError, isCsfleError, isRegistryError } from './errors.js';
import { keyUri, type KmsClient } from './kms.js';
import { ParamKeys, parseAlternateKeyIds, type EncryptionParams } from './params.js';
import type { Dek, DekAlgorithm, DekRegistryClient, Kek } from './schema.js';

const DAY_MS = 86_400_000;

/** Structured logger; only `warn` is used. Messages never carry key material. */
export interface Logger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface DekManagerOptions {
  /** The DEK registry. */
  readonly deks: DekRegistryClient;
  /** KMS clients; the first one whose `supports(keyUri)` is true is used. */
  readonly kms: readonly KmsClient[];
  /** Client-side config (Confluent's `ruleConfig`): alternate key ids and KMS credentials. Default `{}`. */
  readonly config?: Readonly<Record<string, string>>;
  /** How long KEKs and DEKs stay cached. Default 5 minutes; `Infinity` for Confluent's no-expiry. */
  readonly cacheTtlMs?: number;
  /** Serve a cached key this long past its TTL while the registry/KMS is unreachable. Default 1 hour. */
  readonly staleIfErrorMs?: number;
  /** Bound on cached entries per cache. Default 10,000. */
  readonly cacheMaxEntries?: number;
  /** Clock in ms (DEK age for rotation, cache TTLs). Default `Date.now`. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** A DEK ready for writing: the cipher and the DEK version to put in the rotation prefix. */
export interface WriteKey {
  readonly cipher: VersionedDekCipher;
  readonly version: number;
  /** DEK creation time (registry `ts`), for rotation. */
  readonly ts: number | undefined;
}

/** Counters of remote calls, for tests and benchmarks. */
export interface DekManagerStats {
  registryCalls: number;
  kmsWraps: number;
  kmsUnwraps: number;
}

export interface DekManager {
  /** The DEK to encrypt with. Synchronous when cached. */
  forWrite(params: EncryptionParams, subject: string, signal?: AbortSignal): WriteKey | Promise<WriteKey>;
  /** The DEK of `version` to decrypt with. Synchronous when cached. */
  forRead(params: EncryptionParams, subject: string, version: number, signal?: AbortSignal): DekCipher | Promise<DekCipher>;
  readonly stats: Readonly<DekManagerStats>;
  /** Drops every cached KEK and DEK (they are re-fetched on next use). */
  clear(): void;
}

/** Creates a DEK manager. Validates options eagerly. */
export function createDekManager(options: DekManagerOptions): DekManager {
  if (!options || typeof options.deks !== 'object' || options.deks === null) {
    throw new TypeError('dek-manager: "deks" expected a DekRegistryClient, got ' + typeof options?.deks);
  }
  if (!Array.isArray(options.kms)) {
    throw new TypeError('dek-manager: "kms" expected an array of KmsClient, got ' + typeof options.kms);
  }
  const now = options.now ?? Date.now;
  const config = options.config ?? {};
  const cacheOpts = {
    ttlMs: options.cacheTtlMs ?? 5 * 60_000,
    staleIfErrorMs: options.staleIfErrorMs ?? 60 * 60_000,
    maxEntries: options.cacheMaxEntries ?? 10_000,
    now,
  };
  const keks = new LoadingCache<Kek>(cacheOpts);
  const writeKeys = new LoadingCache<WriteKey>(cacheOpts);
  const readKeys = new LoadingCache<DekCipher>(cacheOpts);
  const stats: DekManagerStats = { registryCalls: 0, kmsWraps: 0, kmsUnwraps: 0 };
  const { deks } = options;

  function kekKey(name: string, write: boolean): string {
    return `${write ? 'w' : 'r'}\u0000${name}`;
  }
  function dekKey(p: EncryptionParams, subject: string, version: number | 'latest'): string {
    return `${p.kekName}\u0000${subject}\u0000${p.algorithm}\u0000${version}`;
  }

  function getKek(p: EncryptionParams, write: boolean, signal?: AbortSignal): Kek | Promise<Kek> {
    return keks.get(kekKey(p.kekName, write), () => loadKek(p, write, signal));
  }

  async function loadKek(p: EncryptionParams, write: boolean, signal?: AbortSignal): Promise<Kek> {
    let kek = await registry(() => deks.getKek(p.kekName, signal ? { deleted: false, signal } : { deleted: false }));
    if (kek === undefined) {
      if (!write) {
        throw new RuleError(ErrorCodes.KEK_NOT_FOUND, `no kek found for ${p.kekName} during consume`);
      }
      if (!p.kmsType) {
        throw new RuleError(ErrorCodes.INVALID_RULE, `no kms type found for ${p.kekName} during produce`);
      }
      if (!p.kmsKeyId) {
        throw new RuleError(ErrorCodes.INVALID_RULE, `no kms key id found for ${p.kekName} during produce`);
      }
      try {
        kek = await registry(() =>
          deks.createKek({ name: p.kekName, kmsType: p.kmsType as string, kmsKeyId: p.kmsKeyId as string, shared: false }, signal ? { signal } : {}),
        );
      } catch (e) {
        if (!isConflict(e)) throw e;
        kek = await registry(() => deks.getKek(p.kekName, signal ? { deleted: false, signal } : { deleted: false }));
      }
      if (kek === undefined) throw new RuleError(ErrorCodes.KEK_NOT_FOUND, `no kek found for ${p.kekName} during produce`);
    }
    if (p.kmsType && p.kmsType !== kek.kmsType) {
      throw new RuleError(
        ErrorCodes.KEK_MISMATCH,
        `found ${p.kekName} with kms type ${kek.kmsType} which differs from rule kms type ${p.kmsType}`,
      );
    }
    if (p.kmsKeyId && p.kmsKeyId !== kek.kmsKeyId) {
      throw new RuleError(
        ErrorCodes.KEK_MISMATCH,
        `found ${p.kekName} with kms key id ${kek.kmsKeyId} which differs from rule kms key id ${p.kmsKeyId}`,
      );
    }
    return kek;
  }

  async function registry<T>(call: () => Promise<T>): Promise<T> {
    stats.registryCalls++;
    return call();
  }

  function kmsProps(kek: Kek): Record<string, string> {
    return { ...config, ...(kek.kmsProps ?? {}) };
  }

  const keyUris = (kek: Kek): string[] => kekKeyUris(kek, config);

  function clientFor(uri: string): KmsClient | undefined {
    return options.kms.find((k) => k.supports(uri));
  }

  /** Runs a KMS operation against the KEK's key, then each alternate, until one succeeds. */
  async function withKms(kek: Kek, op: 'wrap' | 'unwrap', input: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const props = kmsProps(kek);
    const errors: unknown[] = [];
    for (const uri of keyUris(kek)) {
      const client = clientFor(uri);
      if (!client) {
        errors.push(new KmsError(ErrorCodes.KMS_NOT_CONFIGURED, `no KMS client configured for ${uri}`, { provider: kek.kmsType, kekUri: uri }));
        continue;
      }
      try {
        if (op === 'wrap') stats.kmsWraps++;
        else stats.kmsUnwraps++;
        const callOpts = signal ? { props, signal } : { props };
        return op === 'wrap' ? await client.wrap(uri, input, callOpts) : await client.unwrap(uri, input, callOpts);
      } catch (e) {
        if (isCsfleError(e) && e.code === ErrorCodes.ABORTED) throw e;
        errors.push(e);
      }
    }
    // Report the most actionable failure: anything retriable wins (so caches may serve stale keys).
    const retriable = errors.find((e) => isCsfleError(e) && e.retriable);
    const chosen = (retriable ?? errors[errors.length - 1]) as unknown;
    const code = isCsfleError(chosen) ? chosen.code : ErrorCodes.KMS_UNAVAILABLE;
    throw new KmsError(code, `failed to ${op} DEK with all KMS keys of KEK ${kek.name} (${errors.length} tried)`, {
      cause: chosen,
      provider: kek.kmsType,
      kekUri: keyUris(kek)[0] as string,
      retriable: retriable !== undefined,
    });
  }

  async function materialOf(kek: Kek, dek: Dek, signal?: AbortSignal): Promise<Uint8Array> {
    if (dek.keyMaterial) return Buffer.from(dek.keyMaterial, 'base64');
    if (!dek.encryptedKeyMaterial) {
      throw new RuleError(ErrorCodes.DEK_NOT_FOUND, `dek for ${kek.name}, subject ${dek.subject}, version ${dek.version} has no key material`);
    }
    return withKms(kek, 'unwrap', Buffer.from(dek.encryptedKeyMaterial, 'base64'), signal);
  }

  async function fetchDek(p: EncryptionParams, subject: string, version: number, deleted: boolean, signal?: AbortSignal): Promise<Dek | undefined> {
    const dek = await registry(() => deks.getDek(p.kekName, subject, version, p.algorithm, signal ? { deleted, signal } : { deleted }));
    // Like Confluent: a DEK without wrapped material counts as missing.
    return dek && dek.encryptedKeyMaterial ? dek : dek && dek.keyMaterial ? dek : undefined;
  }

  function isExpired(p: EncryptionParams, ts: number | undefined): boolean {
    return p.expiryDays > 0 && ts !== undefined && (now() - ts) / DAY_MS >= p.expiryDays;
  }

  async function loadWriteKey(p: EncryptionParams, subject: string, signal?: AbortSignal): Promise<WriteKey> {
    const kekOrP = getKek(p, true, signal);
    const kek = kekOrP instanceof Promise ? await kekOrP : kekOrP;
    const rotating = p.expiryDays > 0;
    const wantedVersion = rotating ? -1 : 1;
    let dek = await fetchDek(p, subject, wantedVersion, false, signal);
    const expired = dek !== undefined && rotating && isExpired(p, dek.ts);
    let material: Uint8Array | undefined;
    if (dek === undefined || expired) {
      const newVersion = expired && dek ? dek.version + 1 : 1;
      let generated: Uint8Array | undefined;
      let wrapped: string | undefined;
      if (!kek.shared) {
        generated = generateDek(p.algorithm);
        wrapped = Buffer.from(await withKms(kek, 'wrap', generated, signal)).toString('base64');
      }
      try {
        const body: { subject: string; version: number; algorithm: DekAlgorithm; encryptedKeyMaterial?: string } = {
          subject,
          version: newVersion,
          algorithm: p.algorithm,
        };
        if (wrapped !== undefined) body.encryptedKeyMaterial = wrapped;
        const created = await registry(() => deks.createDek(kek.name, body, signal ? { signal } : {}));
        dek = created;
        // Our own fresh DEK: no need to ask the KMS to unwrap what we just generated.
        if (generated && created.encryptedKeyMaterial === wrapped) material = generated;
      } catch (e) {
        if (isConflict(e)) {
          // Another writer won the race: use theirs.
          dek = await fetchDek(p, subject, wantedVersion, false, signal);
          if (dek === undefined) throw new RuleError(ErrorCodes.DEK_NOT_FOUND, `no dek found for ${p.kekName} during produce`);
        } else if (dek !== undefined) {
          options.logger?.warn('failed to create a new DEK version; keeping the existing one', {
            kekName: p.kekName,
            subject,
            version: newVersion,
            code: isCsfleError(e) ? e.code : undefined,
          });
        } else {
          throw e;
        }
      }
    }
    const keyBytes = material ?? (await materialOf(kek, dek, signal));
    const cipher = createDekCipher(p.algorithm, keyBytes);
    zero(keyBytes);
    readKeys.set(dekKey(p, subject, dek.version), cipher);
    return { cipher, version: dek.version, ts: dek.ts };
  }

  async function loadReadKey(p: EncryptionParams, subject: string, version: number, signal?: AbortSignal): Promise<DekCipher> {
    const kekOrP = getKek(p, false, signal);
    const kek = kekOrP instanceof Promise ? await kekOrP : kekOrP;
    const dek = await fetchDek(p, subject, version, true, signal);
    if (dek === undefined) throw new RuleError(ErrorCodes.DEK_NOT_FOUND, `no dek found for ${p.kekName} during consume`);
    const keyBytes = await materialOf(kek, dek, signal);
    const cipher = createDekCipher(p.algorithm, keyBytes);
    zero(keyBytes);
    return cipher;
  }

  return {
    forWrite(p, subject, signal) {
      return writeKeys.get(
        dekKey(p, subject, p.expiryDays > 0 ? 'latest' : 1),
        () => loadWriteKey(p, subject, signal),
        p.expiryDays > 0 ? (k) => !isExpired(p, k.ts) : undefined,
      );
    },
    forRead(p, subject, version, signal) {
      const v = version === 0 ? 1 : version;
      return readKeys.get(dekKey(p, subject, v), () => loadReadKey(p, subject, v, signal));
    },
    stats,
    clear() {
      keks.clear();
      writeKeys.clear();
      readKeys.clear();
    },
  };
}

function isConflict(e: unknown): boolean {
  return isRegistryError(e) && e.status === 409;
}

/** Best-effort wipe of a temporary key buffer once the prepared key exists. */
function zero(b: Uint8Array): void {
  b.fill(0);
}

/**
 * The key URIs a KEK's DEKs are wrapped/unwrapped with, in the order to try them: the KEK's own
 * key, then `encrypt.alternate.kms.key.ids` (from the KEK's `kmsProps`, else from `config`).
 */
export function kekKeyUris(kek: Pick<Kek, 'kmsType' | 'kmsKeyId' | 'kmsProps'>, config: Readonly<Record<string, string>> = {}): string[] {
  const alternates = kek.kmsProps?.[ParamKeys.ALTERNATE_KMS_KEY_IDS] ?? config[ParamKeys.ALTERNATE_KMS_KEY_IDS];
  return [kek.kmsKeyId, ...parseAlternateKeyIds(alternates)].map((id) => keyUri(kek.kmsType, id));
}
