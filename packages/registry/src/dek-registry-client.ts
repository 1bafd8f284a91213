/**
 * DEK Registry client over HTTP (`/dek-registry/v1`, docs/confluent-csfle-format.md §4),
 * implementing the core `DekRegistryClient` contract plus {@link DekRegistryAdminClient}.
 *
 * No caching here, on purpose: the core DEK manager caches KEKs and DEKs with its own TTL,
 * single-flight and "latest" eviction (§4.3), and a second cache underneath would make its TTL
 * meaningless. Every call is one HTTP request (plus retries for 5xx/429/network errors).
 *
 * - `getKek` / `getDek` resolve `undefined` on 404 (like Confluent's client, any 404).
 * - `createKek` / `createDek` reject with `RegistryError{status: 409, registryErrorCode: 40971}`
 *   when the key exists; re-reading is the DEK manager's job.
 * - `createDek` posts to `/keks/{kek}/deks/{subject}` and, on 405, falls back to the deprecated
 *   `/keks/{kek}/deks` with the same body (and keeps using it for this client).
 */
import type { Dek, DekAlgorithm, Kek } from '@csfle/core';
import { ErrorCodes, RegistryError, isRegistryError } from '@csfle/core';
import { type RegistryHttpOptions, type RegistryRestClient, createRegistryRestClient, encodePath } from './http.js';
import { invalidArgument } from './internal/errors.js';
import type { DekRegistryAdminClient } from './types.js';

/** Checks a create/rewrap DEK request and builds its body (`encryptedKeyMaterial` required for a rewrap). */
function dekBody(
  kekName: string,
  dek: { subject: string; version: number; algorithm: DekAlgorithm; encryptedKeyMaterial?: string },
  materialRequired: boolean,
): Record<string, unknown> {
  nameArg('kekName', kekName);
  if (dek === null || typeof dek !== 'object') throw invalidArgument('dek', 'object', dek);
  nameArg('dek.subject', dek.subject);
  versionArg(dek.version, false);
  algorithmArg(dek.algorithm);
  const body: Record<string, unknown> = { subject: dek.subject, version: dek.version, algorithm: dek.algorithm };
  if (materialRequired || dek.encryptedKeyMaterial !== undefined) {
    nameArg('dek.encryptedKeyMaterial', dek.encryptedKeyMaterial);
    body.encryptedKeyMaterial = dek.encryptedKeyMaterial;
  }
  return body;
}

/** Options of {@link createDekRegistryClient}: the REST core's options (no cache options). */
export interface DekRegistryClientOptions extends RegistryHttpOptions {}

const ALGORITHMS: readonly string[] = ['AES128_GCM', 'AES256_GCM', 'AES256_SIV'];

function nameArg(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalidArgument(field, 'non-empty string', value);
  return value;
}

function algorithmArg(value: unknown): DekAlgorithm {
  if (typeof value !== 'string' || !ALGORITHMS.includes(value)) {
    throw invalidArgument('algorithm', 'AES128_GCM, AES256_GCM or AES256_SIV', value);
  }
  return value as DekAlgorithm;
}

function versionArg(value: unknown, allowLatest: boolean): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || (value < 1 && !(allowLatest && value === -1))) {
    throw invalidArgument('version', allowLatest ? 'positive integer or -1 (latest)' : 'positive integer', value);
  }
  return value;
}

function unexpected(what: string, detail: string): RegistryError {
  return new RegistryError(ErrorCodes.REGISTRY_ERROR, `registry: ${what} answered with an unexpected body: ${detail}`, {
    retriable: false,
  });
}

function toKek(what: string, raw: unknown): Kek {
  if (raw === null || typeof raw !== 'object') throw unexpected(what, 'expected a KEK object');
  const r = raw as Record<string, unknown>;
  for (const f of ['name', 'kmsType', 'kmsKeyId'] as const) {
    if (typeof r[f] !== 'string') throw unexpected(what, `"${f}" expected string`);
  }
  const kek: Kek = {
    name: r.name as string,
    kmsType: r.kmsType as string,
    kmsKeyId: r.kmsKeyId as string,
    shared: r.shared === true,
  };
  if (r.kmsProps !== null && typeof r.kmsProps === 'object') kek.kmsProps = r.kmsProps as Record<string, string>;
  if (typeof r.doc === 'string') kek.doc = r.doc;
  if (typeof r.ts === 'number') kek.ts = r.ts;
  if (typeof r.deleted === 'boolean') kek.deleted = r.deleted;
  return kek;
}

function toDek(what: string, raw: unknown): Dek {
  if (raw === null || typeof raw !== 'object') throw unexpected(what, 'expected a DEK object');
  const r = raw as Record<string, unknown>;
  if (typeof r.kekName !== 'string') throw unexpected(what, '"kekName" expected string');
  if (typeof r.subject !== 'string') throw unexpected(what, '"subject" expected string');
  if (typeof r.version !== 'number') throw unexpected(what, '"version" expected number');
  if (typeof r.algorithm !== 'string') throw unexpected(what, '"algorithm" expected string');
  const dek: Dek = {
    kekName: r.kekName,
    subject: r.subject,
    version: r.version,
    algorithm: r.algorithm as DekAlgorithm,
  };
  if (typeof r.encryptedKeyMaterial === 'string') dek.encryptedKeyMaterial = r.encryptedKeyMaterial;
  if (typeof r.keyMaterial === 'string') dek.keyMaterial = r.keyMaterial;
  if (typeof r.ts === 'number') dek.ts = r.ts;
  if (typeof r.deleted === 'boolean') dek.deleted = r.deleted;
  return dek;
}

function stringArray(what: string, raw: unknown): string[] {
  if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'string')) throw unexpected(what, 'expected array of strings');
  return raw as string[];
}

async function undefinedOn404<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isRegistryError(e) && e.status === 404) return undefined;
    throw e;
  }
}

/**
 * Creates a DEK Registry client over HTTP.
 *
 * @param options - base URL(s), auth, retries, timeouts; see {@link RegistryHttpOptions}.
 * @returns a client implementing the core `DekRegistryClient` and the admin operations.
 * @throws {CsfleError} `INVALID_ARGUMENT` for bad options (eagerly, here).
 * @example
 * ```ts
 * const deks = createDekRegistryClient({ url: 'http://127.0.0.1:8081' });
 * const kek = await deks.getKek('kek1'); // undefined if absent
 * ```
 */
export function createDekRegistryClient(options: DekRegistryClientOptions): DekRegistryAdminClient {
  return createDekRegistryClientOn(createRegistryRestClient(options));
}

/** @internal Builds the client on an existing REST core (shared with the schema client). */
export function createDekRegistryClientOn(rest: RegistryRestClient): DekRegistryAdminClient {
  // Set once a server answered 405 to the subject-in-path create: use the old route from then on.
  let legacyCreate = false;

  return {
    async getKek(name, opts = {}) {
      nameArg('name', name);
      const path = encodePath`/dek-registry/v1/keks/${name}`;
      const raw = await undefinedOn404(
        rest.request<unknown>({ method: 'GET', path, query: [['deleted', opts.deleted === true]], signal: opts.signal }),
      );
      return raw === undefined ? undefined : toKek(`GET ${path}`, raw);
    },

    async createKek(kek, opts = {}) {
      if (kek === null || typeof kek !== 'object') throw invalidArgument('kek', 'object', kek);
      nameArg('kek.name', kek.name);
      nameArg('kek.kmsType', kek.kmsType);
      nameArg('kek.kmsKeyId', kek.kmsKeyId);
      if (typeof kek.shared !== 'boolean') throw invalidArgument('kek.shared', 'boolean', kek.shared);
      const body: Record<string, unknown> = { name: kek.name, kmsType: kek.kmsType, kmsKeyId: kek.kmsKeyId };
      if (kek.kmsProps !== undefined) body.kmsProps = kek.kmsProps;
      if (kek.doc !== undefined) body.doc = kek.doc;
      body.shared = kek.shared;
      const path = '/dek-registry/v1/keks';
      return toKek(`POST ${path}`, await rest.request<unknown>({ method: 'POST', path, body, signal: opts.signal }));
    },

    async getDek(kekName, subject, version, algorithm, opts = {}) {
      nameArg('kekName', kekName);
      nameArg('subject', subject);
      versionArg(version, true);
      algorithmArg(algorithm);
      const path = encodePath`/dek-registry/v1/keks/${kekName}/deks/${subject}/versions/${version}`;
      const raw = await undefinedOn404(
        rest.request<unknown>({
          method: 'GET',
          path,
          query: [
            ['algorithm', algorithm],
            ['deleted', opts.deleted === true],
          ],
          signal: opts.signal,
        }),
      );
      return raw === undefined ? undefined : toDek(`GET ${path}`, raw);
    },

    async createDek(kekName, dek, opts = {}) {
      const body = dekBody(kekName, dek, false);
      const legacyPath = encodePath`/dek-registry/v1/keks/${kekName}/deks`;
      if (!legacyCreate) {
        const path = encodePath`/dek-registry/v1/keks/${kekName}/deks/${dek.subject}`;
        try {
          return toDek(`POST ${path}`, await rest.request<unknown>({ method: 'POST', path, body, signal: opts.signal }));
        } catch (e) {
          if (!(isRegistryError(e) && e.status === 405)) throw e;
          legacyCreate = true;
        }
      }
      return toDek(
        `POST ${legacyPath}`,
        await rest.request<unknown>({ method: 'POST', path: legacyPath, body, signal: opts.signal }),
      );
    },

    async rewrapDek(kekName, dek, opts = {}) {
      const body = dekBody(kekName, dek, true);
      const path = encodePath`/dek-registry/v1/keks/${kekName}/deks/${dek.subject}`;
      return toDek(`POST ${path}?rewrap=true`, await rest.request<unknown>({ method: 'POST', path, query: [['rewrap', true]], body, signal: opts.signal }));
    },

    async listKeks(opts = {}) {
      const path = '/dek-registry/v1/keks';
      return stringArray(
        `GET ${path}`,
        await rest.request<unknown>({ method: 'GET', path, query: [['deleted', opts.deleted === true]], signal: opts.signal }),
      );
    },

    async updateKek(name, update, opts = {}) {
      nameArg('name', name);
      if (update === null || typeof update !== 'object') throw invalidArgument('update', 'object', update);
      const body: Record<string, unknown> = {};
      if (update.kmsProps !== undefined) body.kmsProps = update.kmsProps;
      if (update.doc !== undefined) body.doc = update.doc;
      if (update.shared !== undefined) body.shared = update.shared;
      const path = encodePath`/dek-registry/v1/keks/${name}`;
      return toKek(`PUT ${path}`, await rest.request<unknown>({ method: 'PUT', path, body, signal: opts.signal }));
    },

    async deleteKek(name, opts = {}) {
      nameArg('name', name);
      const path = encodePath`/dek-registry/v1/keks/${name}`;
      await rest.request<unknown>({ method: 'DELETE', path, query: [['permanent', opts.permanent === true]], signal: opts.signal });
    },

    async undeleteKek(name, opts = {}) {
      nameArg('name', name);
      const path = encodePath`/dek-registry/v1/keks/${name}/undelete`;
      await rest.request<unknown>({ method: 'POST', path, signal: opts.signal });
    },

    async listDekSubjects(kekName, opts = {}) {
      nameArg('kekName', kekName);
      const path = encodePath`/dek-registry/v1/keks/${kekName}/deks`;
      return stringArray(
        `GET ${path}`,
        await rest.request<unknown>({ method: 'GET', path, query: [['deleted', opts.deleted === true]], signal: opts.signal }),
      );
    },

    async listDekVersions(kekName, subject, opts = {}) {
      nameArg('kekName', kekName);
      nameArg('subject', subject);
      if (opts.algorithm !== undefined) algorithmArg(opts.algorithm);
      const path = encodePath`/dek-registry/v1/keks/${kekName}/deks/${subject}/versions`;
      const raw = await rest.request<unknown>({
        method: 'GET',
        path,
        query: [
          ['algorithm', opts.algorithm],
          ['deleted', opts.deleted === true],
        ],
        signal: opts.signal,
      });
      if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'number')) throw unexpected(`GET ${path}`, 'expected array of numbers');
      return raw as number[];
    },

    async deleteDek(kekName, subject, version, opts = {}) {
      nameArg('kekName', kekName);
      nameArg('subject', subject);
      versionArg(version, false);
      if (opts.algorithm !== undefined) algorithmArg(opts.algorithm);
      const path = encodePath`/dek-registry/v1/keks/${kekName}/deks/${subject}/versions/${version}`;
      await rest.request<unknown>({
        method: 'DELETE',
        path,
        query: [
          ['algorithm', opts.algorithm],
          ['permanent', opts.permanent === true],
        ],
        signal: opts.signal,
      });
    },

    async undeleteDek(kekName, subject, version, opts = {}) {
      nameArg('kekName', kekName);
      nameArg('subject', subject);
      versionArg(version, false);
      if (opts.algorithm !== undefined) algorithmArg(opts.algorithm);
      const path = encodePath`/dek-registry/v1/keks/${kekName}/deks/${subject}/versions/${version}/undelete`;
      await rest.request<unknown>({ method: 'POST', path, query: [['algorithm', opts.algorithm]], signal: opts.signal });
    },
  };
}
