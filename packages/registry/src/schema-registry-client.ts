/**
 * Schema Registry client over HTTP (Confluent REST API v1), implementing the core
 * `SchemaRegistryClient` contract plus the admin operations of {@link SchemaRegistryAdminClient}.
 *
 * Caching (all caches are bounded LRUs of `cacheCapacity` entries):
 * - schema by id (and by guid): kept until evicted; registered schemas are immutable;
 * - register / lookup results by (subject, schema, flags): kept until evicted;
 * - schema by (subject, version): kept until evicted (dropped by this client's deletes);
 * - latest version and latest-with-metadata: kept `latestTtlMs` (default 60 s), so a new
 *   version registered elsewhere is seen within that time. `latestTtlMs: 0` disables it.
 * Concurrent identical reads share one HTTP request (single-flight).
 * Results are deep-frozen: copy them before changing them.
 */
import type { CallOptions, RegisteredSchema, SchemaInfo } from '@csfle/core';
import { ErrorCodes, RegistryError } from '@csfle/core';
import { type RegistryHttpOptions, type RegistryRestClient, createRegistryRestClient, encodePath } from './http.js';
import { invalidArgument, throwIfAborted } from './internal/errors.js';
import { LruCache } from './internal/lru.js';
import { SingleFlight, canonicalJson, deepFreeze } from './internal/util.js';
import type { RegistryConfig, RegistryConfigUpdate, SchemaRegistryAdminClient } from './types.js';

/** Options of {@link createSchemaRegistryClient}. */
export interface SchemaRegistryClientOptions extends RegistryHttpOptions {
  /** Maximum entries of each cache. Default 1000. 0 disables caching. */
  readonly cacheCapacity?: number;
  /** How long "latest" answers are cached, in ms. Default 60000. 0 disables that cache. */
  readonly latestTtlMs?: number;
  /** Clock for the TTL, in ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** The HTTP Schema Registry client: the core contract, admin operations, and cache control. */
export interface HttpSchemaRegistryClient extends SchemaRegistryAdminClient {
  /** Drops every cached answer. */
  clearCaches(): void;
}

function subjectArg(subject: unknown): string {
  if (typeof subject !== 'string' || subject === '') throw invalidArgument('subject', 'non-empty string', subject);
  return subject;
}

function versionArg(version: unknown): number {
  if (typeof version !== 'number' || !Number.isInteger(version) || (version < 1 && version !== -1)) {
    throw invalidArgument('version', 'positive integer or -1 (latest)', version);
  }
  return version;
}

function schemaArg(schema: unknown): SchemaInfo {
  if (schema === null || typeof schema !== 'object') throw invalidArgument('schema', 'SchemaInfo object', schema);
  const s = (schema as { schema?: unknown }).schema;
  if (typeof s !== 'string' || s === '') throw invalidArgument('schema.schema', 'non-empty string', s);
  return schema as SchemaInfo;
}

/** The request body for register / lookup: the schema fields only, in the REST shape. */
function schemaBody(info: SchemaInfo): Record<string, unknown> {
  const body: Record<string, unknown> = { schema: info.schema };
  if (info.schemaType !== undefined) body.schemaType = info.schemaType;
  if (info.references !== undefined) body.references = info.references;
  if (info.metadata !== undefined) body.metadata = info.metadata;
  if (info.ruleSet !== undefined) body.ruleSet = info.ruleSet;
  return body;
}

/** Cache-key form of a schema: the REST fields, canonical JSON, AVRO ≡ absent schemaType. */
function schemaKey(info: SchemaInfo): string {
  const body = schemaBody(info);
  if (body.schemaType === 'AVRO') delete body.schemaType;
  if (Array.isArray(body.references) && body.references.length === 0) delete body.references;
  return canonicalJson(body);
}

function unexpected(what: string, detail: string): RegistryError {
  return new RegistryError(ErrorCodes.REGISTRY_ERROR, `registry: ${what} answered with an unexpected body: ${detail}`, {
    retriable: false,
  });
}

/** Picks the known schema fields from a server answer, checking the ones we rely on. */
function toRegisteredSchema(what: string, raw: unknown, extra: { id?: number; subject?: string }): RegisteredSchema {
  if (raw === null || typeof raw !== 'object') throw unexpected(what, `expected object, got ${raw === null ? 'null' : typeof raw}`);
  const r = raw as Record<string, unknown>;
  const id = r.id ?? extra.id;
  if (typeof id !== 'number' || !Number.isInteger(id)) throw unexpected(what, '"id" expected integer');
  if (typeof r.schema !== 'string') throw unexpected(what, '"schema" expected string');
  const out: RegisteredSchema = { id, schema: r.schema };
  const subject = r.subject ?? extra.subject;
  if (typeof subject === 'string') out.subject = subject;
  if (typeof r.version === 'number') out.version = r.version;
  if (typeof r.guid === 'string') out.guid = r.guid;
  if (typeof r.schemaType === 'string') out.schemaType = r.schemaType;
  if (Array.isArray(r.references)) out.references = r.references as NonNullable<RegisteredSchema['references']>;
  if (r.metadata !== null && typeof r.metadata === 'object') out.metadata = r.metadata as NonNullable<RegisteredSchema['metadata']>;
  if (r.ruleSet !== null && typeof r.ruleSet === 'object') out.ruleSet = r.ruleSet as NonNullable<RegisteredSchema['ruleSet']>;
  return deepFreeze(out);
}

function numberArray(what: string, raw: unknown): number[] {
  if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'number')) throw unexpected(what, 'expected array of numbers');
  return raw as number[];
}

function stringArray(what: string, raw: unknown): string[] {
  if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'string')) throw unexpected(what, 'expected array of strings');
  return raw as string[];
}

/**
 * Creates a Schema Registry client over HTTP.
 *
 * @param options - base URL(s), auth, retries, timeouts, caching; see {@link SchemaRegistryClientOptions}.
 * @returns a client implementing the core `SchemaRegistryClient` and the admin operations.
 * @throws {CsfleError} `INVALID_ARGUMENT` for bad options (eagerly, here).
 * @example
 * ```ts
 * const registry = createSchemaRegistryClient({ url: 'http://127.0.0.1:8081' });
 * const id = await registry.register('orders-value', { schema: JSON.stringify(avroSchema) });
 * const latest = await registry.getLatest('orders-value');
 * ```
 */
export function createSchemaRegistryClient(options: SchemaRegistryClientOptions): HttpSchemaRegistryClient {
  const rest = createRegistryRestClient(options);
  return createSchemaRegistryClientOn(rest, options);
}

/** @internal Builds the client on an existing REST core (shared with the DEK client). */
export function createSchemaRegistryClientOn(rest: RegistryRestClient, options: SchemaRegistryClientOptions): HttpSchemaRegistryClient {
  const capacity = options.cacheCapacity ?? 1000;
  if (!Number.isInteger(capacity) || capacity < 0) throw invalidArgument('cacheCapacity', 'non-negative integer', capacity);
  const latestTtlMs = options.latestTtlMs ?? 60_000;
  if (!Number.isFinite(latestTtlMs) || latestTtlMs < 0) throw invalidArgument('latestTtlMs', 'non-negative number', latestTtlMs);
  const now = options.now ?? Date.now;

  // Keys start with the JSON-quoted subject and '|', so a subject's entries can be dropped.
  const byId = new LruCache<string, RegisteredSchema>(capacity, undefined, now);
  const byGuid = new LruCache<string, RegisteredSchema>(capacity, undefined, now);
  const registered = new LruCache<string, RegisteredSchema>(capacity, undefined, now);
  const lookedUp = new LruCache<string, RegisteredSchema>(capacity, undefined, now);
  const byVersion = new LruCache<string, RegisteredSchema>(capacity, undefined, now);
  const latest = new LruCache<string, RegisteredSchema>(capacity, latestTtlMs, now);
  const flights = new SingleFlight();

  const subjectPrefix = (subject: string): string => `${JSON.stringify(subject)}|`;

  function forgetSubject(subject: string): void {
    const prefix = subjectPrefix(subject);
    for (const cache of [registered, lookedUp, byVersion, latest]) cache.deleteWhere((k) => k.startsWith(prefix));
  }

  /** Cached, single-flight GET of a schema. */
  async function cachedGet(
    cache: LruCache<string, RegisteredSchema>,
    key: string,
    signal: AbortSignal | undefined,
    what: string,
    load: () => Promise<RegisteredSchema>,
  ): Promise<RegisteredSchema> {
    throwIfAborted(what, signal);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    return flights.run(
      `${what}\u0000${key}`,
      async () => {
        const value = await load();
        cache.set(key, value);
        return value;
      },
      signal,
      what,
    );
  }

  async function registerFull(
    subject: string,
    schema: SchemaInfo,
    opts: CallOptions & { normalize?: boolean } = {},
  ): Promise<RegisteredSchema> {
    subjectArg(subject);
    schemaArg(schema);
    const normalize = opts.normalize === true;
    const key = `${subjectPrefix(subject)}${normalize}|${schemaKey(schema)}`;
    const path = encodePath`/subjects/${subject}/versions`;
    return cachedGet(registered, key, opts.signal, `POST ${path}`, async () => {
      const raw = await rest.request<unknown>({
        method: 'POST',
        path,
        query: [['normalize', normalize]],
        body: schemaBody(schema),
        signal: undefined,
      });
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id !== 'number' || !Number.isInteger(id)) throw unexpected(`POST ${path}`, '"id" expected integer');
      // Older servers answer only `{ id }`; complete it with what we sent.
      const full = typeof (raw as { schema?: unknown }).schema === 'string' ? raw : { ...schemaBody(schema), ...(raw as object) };
      return toRegisteredSchema(`POST ${path}`, full, { subject });
    });
  }

  const client: HttpSchemaRegistryClient = {
    async register(subject, schema, opts = {}) {
      return (await registerFull(subject, schema, opts)).id;
    },

    registerFull,

    async lookup(subject, schema, opts = {}) {
      subjectArg(subject);
      schemaArg(schema);
      const normalize = opts.normalize === true;
      const deleted = opts.deleted === true;
      const key = `${subjectPrefix(subject)}${normalize}|${deleted}|${schemaKey(schema)}`;
      const path = encodePath`/subjects/${subject}`;
      return cachedGet(lookedUp, key, opts.signal, `POST ${path}`, async () => {
        const raw = await rest.request<unknown>({
          method: 'POST',
          path,
          query: [
            ['normalize', normalize],
            ['deleted', deleted],
          ],
          body: schemaBody(schema),
        });
        return toRegisteredSchema(`POST ${path}`, raw, { subject });
      });
    },

    async getById(id, opts = {}) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw invalidArgument('id', 'non-negative integer', id);
      const subject = opts.subject;
      if (subject !== undefined) subjectArg(subject);
      const key = `${id}|${subject ?? ''}`;
      const path = encodePath`/schemas/ids/${id}`;
      return cachedGet(byId, key, opts.signal, `GET ${path}`, async () => {
        const raw = await rest.request<unknown>({ method: 'GET', path, query: [['subject', subject]] });
        // The answer carries no id (and its `subject`, if any, is not ours to claim).
        const r = raw !== null && typeof raw === 'object' ? { ...(raw as object), id } : raw;
        return toRegisteredSchema(`GET ${path}`, r, {});
      });
    },

    async getByGuid(guid, opts = {}) {
      if (typeof guid !== 'string' || guid === '') throw invalidArgument('guid', 'non-empty string', guid);
      const path = encodePath`/schemas/guids/${guid}`;
      return cachedGet(byGuid, guid, opts.signal, `GET ${path}`, async () => {
        const raw = await rest.request<unknown>({ method: 'GET', path });
        const r = raw !== null && typeof raw === 'object' ? { ...(raw as object), guid } : raw;
        // GUID answers may lack the numeric id; 0 means "unknown".
        return toRegisteredSchema(`GET ${path}`, r, { id: 0 });
      });
    },

    async getByVersion(subject, version, opts = {}) {
      subjectArg(subject);
      versionArg(version);
      if (version === -1 && opts.deleted !== true) return client.getLatest(subject, opts);
      const deleted = opts.deleted === true;
      const key = `${subjectPrefix(subject)}${version}|${deleted}`;
      const cache = version === -1 ? latest : byVersion;
      const path = encodePath`/subjects/${subject}/versions/${version === -1 ? 'latest' : version}`;
      return cachedGet(cache, key, opts.signal, `GET ${path}`, async () => {
        const raw = await rest.request<unknown>({ method: 'GET', path, query: [['deleted', deleted]] });
        return toRegisteredSchema(`GET ${path}`, raw, { subject });
      });
    },

    async getLatest(subject, opts = {}) {
      subjectArg(subject);
      const key = `${subjectPrefix(subject)}latest`;
      const path = encodePath`/subjects/${subject}/versions/latest`;
      return cachedGet(latest, key, opts.signal, `GET ${path}`, async () => {
        const raw = await rest.request<unknown>({ method: 'GET', path });
        return toRegisteredSchema(`GET ${path}`, raw, { subject });
      });
    },

    async getLatestWithMetadata(subject, metadata, opts = {}) {
      subjectArg(subject);
      if (metadata === null || typeof metadata !== 'object') throw invalidArgument('metadata', 'object', metadata);
      const pairs = Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [k, v] of pairs) if (typeof v !== 'string') throw invalidArgument(`metadata.${k}`, 'string', v);
      const deleted = opts.deleted === true;
      const key = `${subjectPrefix(subject)}metadata|${deleted}|${canonicalJson(pairs)}`;
      const path = encodePath`/subjects/${subject}/metadata`;
      return cachedGet(latest, key, opts.signal, `GET ${path}`, async () => {
        const query: Array<[string, string | boolean]> = [['deleted', deleted]];
        for (const [k, v] of pairs) query.push(['key', k], ['value', v]);
        const raw = await rest.request<unknown>({ method: 'GET', path, query });
        return toRegisteredSchema(`GET ${path}`, raw, { subject });
      });
    },

    async getSubjects(opts = {}) {
      const raw = await rest.request<unknown>({
        method: 'GET',
        path: '/subjects',
        query: [['deleted', opts.deleted === true ? true : undefined]],
        signal: opts.signal,
      });
      return stringArray('GET /subjects', raw);
    },

    async getVersions(subject, opts = {}) {
      subjectArg(subject);
      const path = encodePath`/subjects/${subject}/versions`;
      const raw = await rest.request<unknown>({
        method: 'GET',
        path,
        query: [['deleted', opts.deleted === true ? true : undefined]],
        signal: opts.signal,
      });
      return numberArray(`GET ${path}`, raw);
    },

    async deleteSubject(subject, opts = {}) {
      subjectArg(subject);
      const path = encodePath`/subjects/${subject}`;
      forgetSubject(subject);
      const raw = await rest.request<unknown>({
        method: 'DELETE',
        path,
        query: [['permanent', opts.permanent === true]],
        signal: opts.signal,
      });
      forgetSubject(subject);
      return numberArray(`DELETE ${path}`, raw);
    },

    async deleteSubjectVersion(subject, version, opts = {}) {
      subjectArg(subject);
      if (!Number.isInteger(version) || version < 1) throw invalidArgument('version', 'positive integer', version);
      const path = encodePath`/subjects/${subject}/versions/${version}`;
      forgetSubject(subject);
      const raw = await rest.request<unknown>({
        method: 'DELETE',
        path,
        query: [['permanent', opts.permanent === true]],
        signal: opts.signal,
      });
      forgetSubject(subject);
      if (typeof raw !== 'number') throw unexpected(`DELETE ${path}`, 'expected a version number');
      return raw;
    },

    async getConfig(subject, opts = {}) {
      if (subject !== undefined) subjectArg(subject);
      const path = subject === undefined ? '/config' : encodePath`/config/${subject}`;
      const raw = await rest.request<unknown>({
        method: 'GET',
        path,
        query: [['defaultToGlobal', opts.defaultToGlobal === true ? true : undefined]],
        signal: opts.signal,
      });
      if (raw === null || typeof raw !== 'object') throw unexpected(`GET ${path}`, 'expected object');
      return raw as RegistryConfig;
    },

    async setConfig(subject, config, opts = {}) {
      if (subject !== undefined) subjectArg(subject);
      if (config === null || typeof config !== 'object') throw invalidArgument('config', 'object', config);
      const path = subject === undefined ? '/config' : encodePath`/config/${subject}`;
      const raw = await rest.request<unknown>({ method: 'PUT', path, body: config, signal: opts.signal });
      if (raw === null || typeof raw !== 'object') throw unexpected(`PUT ${path}`, 'expected object');
      return raw as RegistryConfigUpdate;
    },

    clearCaches() {
      for (const cache of [byId, byGuid, registered, lookedUp, byVersion, latest]) cache.clear();
    },
  };
  return client;
}
