/**
 * In-memory Schema Registry and DEK Registry with the semantics of Confluent's server
 * (Java `schema-registry` / `dek-registry`), for your own unit tests and embedded examples.
 * They implement the same interfaces as the HTTP clients, and back the test server
 * (`@csfle/registry/server`), so a contract suite runs unchanged against all three.
 *
 * Errors are `RegistryError`s carrying the status and `error_code` the real server would send
 * (e.g. 404/40401 subject not found, 404/40403 schema not found, 409/40971 key exists).
 *
 * Not for production: nothing is persisted, there is no compatibility checking (every schema
 * is "compatible"), and state lives in one process.
 */
import { randomUUID } from 'node:crypto';
import type { CallOptions, Dek, DekAlgorithm, Kek, KmsClient, RegisteredSchema, SchemaInfo, SchemaReference } from '@csfle/core';
import { generateDek as generateDekProto, keyUri } from '@csfle/core';
import { registryFailure, throwIfAborted } from './internal/errors.js';
import { canonicalJson, jsonClone } from './internal/util.js';
import type { DekRegistryAdminClient, RegistryConfig, RegistryConfigUpdate, SchemaRegistryAdminClient } from './types.js';

// ---------------------------------------------------------------------------------------------
// Schema Registry
// ---------------------------------------------------------------------------------------------

/** Options of {@link createInMemorySchemaRegistry}. */
export interface InMemorySchemaRegistryOptions {
  /** GUID source for new schemas. Default `crypto.randomUUID`. */
  readonly randomUUID?: () => string;
}

/** A subject/version pair, as `GET /schemas/ids/{id}/versions` answers. */
export interface SubjectVersion {
  subject: string;
  version: number;
}

/** The in-memory Schema Registry: the client contract, admin operations and a few extras. */
export interface InMemorySchemaRegistry extends SchemaRegistryAdminClient {
  /** Subject/version pairs that use schema `id`. */
  getSubjectVersionsById(id: number, options?: CallOptions & { deleted?: boolean }): Promise<SubjectVersion[]>;
  /** Checks a schema as `register` would (type, syntax, references), without registering it. */
  validateSchema(schema: SchemaInfo, options?: CallOptions): Promise<void>;
}

interface StoredSchema {
  readonly id: number;
  readonly guid: string;
  /** Normalised REST fields: no `schemaType` for AVRO, no empty `references`. */
  readonly info: SchemaInfo;
}

interface StoredVersion {
  readonly version: number;
  readonly id: number;
  deleted: boolean;
}

const SCHEMA_TYPES = ['AVRO', 'JSON', 'PROTOBUF'];
const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
];

// biome-ignore lint/suspicious/noControlCharactersInRegex: ISO control characters are what is rejected.
const ISO_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The canonical identity of a schema: what makes two registrations "the same schema". */
function identityOf(info: SchemaInfo): string {
  return canonicalJson({
    schema: info.schema,
    schemaType: info.schemaType ?? 'AVRO',
    references: info.references ?? [],
    metadata: info.metadata ?? null,
    ruleSet: info.ruleSet ?? null,
  });
}

/**
 * Creates an empty in-memory Schema Registry. Ids are global and stable per identical schema
 * (schema text + type + references + metadata + ruleSet); versions count per subject;
 * registering an identical schema again returns the existing id and version.
 *
 * @param options - see {@link InMemorySchemaRegistryOptions}.
 * @returns a registry implementing the `SchemaRegistryClient` contract and admin operations.
 * @example
 * ```ts
 * const registry = createInMemorySchemaRegistry();
 * const id = await registry.register('orders-value', { schema: '{"type":"string"}' });
 * ```
 */
export function createInMemorySchemaRegistry(options: InMemorySchemaRegistryOptions = {}): InMemorySchemaRegistry {
  const newGuid = options.randomUUID ?? randomUUID;
  const byId = new Map<number, StoredSchema>();
  const byGuid = new Map<string, StoredSchema>();
  const idByIdentity = new Map<string, number>();
  const subjects = new Map<string, StoredVersion[]>();
  let nextId = 1;
  let globalConfig: RegistryConfig = { compatibilityLevel: 'BACKWARD' };
  const subjectConfigs = new Map<string, RegistryConfig>();

  function checkSubject(subject: unknown): string {
    if (typeof subject !== 'string' || subject === '' || ISO_CONTROL.test(subject)) {
      throw registryFailure(422, 42208, `The specified subject is not a valid subject.`);
    }
    return subject;
  }

  function liveVersions(subject: string, deleted: boolean): StoredVersion[] {
    return (subjects.get(subject) ?? []).filter((v) => deleted || !v.deleted);
  }

  function subjectNotFound(subject: string): Error {
    return registryFailure(404, 40401, `Subject '${subject}' not found.`);
  }

  function versionsOrThrow(subject: string, deleted: boolean): StoredVersion[] {
    const versions = liveVersions(subject, deleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    return versions;
  }

  function parseVersion(version: unknown): number {
    if (version === 'latest') return -1;
    const n = typeof version === 'number' ? version : Number.NaN;
    if (!Number.isInteger(n) || (n < 1 && n !== -1) || n > 2147483647) {
      throw registryFailure(
        422,
        42202,
        `The specified version '${String(version)}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
      );
    }
    return n;
  }

  /** Validates and normalises a schema for storage (throws 422 like the server). */
  function normaliseInfo(raw: SchemaInfo, normalize: boolean): SchemaInfo {
    if (raw === null || typeof raw !== 'object') throw registryFailure(422, 42201, 'Invalid schema: expected an object');
    const schemaType = raw.schemaType ?? 'AVRO';
    if (typeof schemaType !== 'string' || !SCHEMA_TYPES.includes(schemaType)) {
      throw registryFailure(422, 42201, `Invalid schema type ${String(schemaType)}`);
    }
    let schema = raw.schema;
    if (typeof schema !== 'string' || schema.trim() === '') throw registryFailure(422, 42201, 'Invalid schema: empty schema');
    if (schemaType !== 'PROTOBUF') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(schema);
      } catch {
        throw registryFailure(422, 42201, `Invalid schema: not valid ${schemaType === 'AVRO' ? 'Avro' : 'JSON'} schema text`);
      }
      const ok = schemaType === 'AVRO' ? parsed !== null && typeof parsed !== 'number' && typeof parsed !== 'boolean' : (parsed !== null && typeof parsed === 'object') || typeof parsed === 'boolean';
      if (!ok) throw registryFailure(422, 42201, `Invalid schema: not valid ${schemaType === 'AVRO' ? 'Avro' : 'JSON'} schema text`);
      // Approximation of the server's normalisation: whitespace-insensitive JSON.
      if (normalize) schema = JSON.stringify(parsed);
    }
    const info: SchemaInfo = { schema };
    if (schemaType !== 'AVRO') info.schemaType = schemaType;
    if (raw.references !== undefined && raw.references !== null) {
      if (!Array.isArray(raw.references)) throw registryFailure(422, 42201, 'Invalid schema: references must be an array');
      const refs: SchemaReference[] = [];
      for (const ref of raw.references as unknown[]) {
        const r = (ref ?? {}) as Partial<SchemaReference>;
        if (typeof r.name !== 'string' || typeof r.subject !== 'string' || typeof r.version !== 'number') {
          throw registryFailure(422, 42201, 'Invalid schema: a reference needs name, subject and version');
        }
        const versions = subjects.get(r.subject) ?? [];
        const target = r.version === -1 ? versions.filter((v) => !v.deleted).at(-1) : versions.find((v) => v.version === r.version);
        if (target === undefined) {
          throw registryFailure(422, 42201, `Invalid schema: reference ${r.name} to subject ${r.subject} version ${r.version} not found`);
        }
        refs.push({ name: r.name, subject: r.subject, version: target.version });
      }
      if (refs.length > 0) info.references = refs;
    }
    if (raw.metadata !== undefined && raw.metadata !== null) {
      if (typeof raw.metadata !== 'object' || Array.isArray(raw.metadata)) throw registryFailure(422, 42201, 'Invalid schema: metadata must be an object');
      info.metadata = jsonClone(raw.metadata);
    }
    if (raw.ruleSet !== undefined && raw.ruleSet !== null) {
      if (typeof raw.ruleSet !== 'object' || Array.isArray(raw.ruleSet)) throw registryFailure(422, 42210, 'Invalid rule set: must be an object');
      checkRuleSet(raw.ruleSet as unknown as Record<string, unknown>);
      info.ruleSet = jsonClone(raw.ruleSet);
    }
    return info;
  }

  function checkRuleSet(ruleSet: Record<string, unknown>): void {
    const names = new Set<string>();
    for (const phase of ['migrationRules', 'domainRules', 'encodingRules']) {
      const rules = ruleSet[phase];
      if (rules === undefined || rules === null) continue;
      if (!Array.isArray(rules)) throw registryFailure(422, 42210, `Invalid rule set: ${phase} must be an array`);
      for (const rule of rules as unknown[]) {
        const r = (rule ?? {}) as Record<string, unknown>;
        if (typeof r.name !== 'string' || r.name === '') throw registryFailure(422, 42210, 'Invalid rule set: a rule needs a name');
        if (typeof r.type !== 'string' || r.type === '') throw registryFailure(422, 42210, `Invalid rule set: rule ${r.name} needs a type`);
        if (names.has(r.name)) throw registryFailure(422, 42210, `Invalid rule set: duplicate rule name ${r.name}`);
        names.add(r.name);
      }
    }
  }

  function entity(stored: StoredSchema): SchemaInfo {
    return jsonClone(stored.info);
  }

  function registeredAt(subject: string, v: StoredVersion): RegisteredSchema {
    const stored = byId.get(v.id) as StoredSchema;
    return { subject, version: v.version, id: stored.id, guid: stored.guid, ...entity(stored) };
  }

  function isReferenced(subject: string, version: number): boolean {
    for (const [s, versions] of subjects) {
      for (const v of versions) {
        if (v.deleted) continue;
        const refs = byId.get(v.id)?.info.references ?? [];
        if (refs.some((r) => r.subject === subject && r.version === version) && !(s === subject && v.version === version)) return true;
      }
    }
    return false;
  }

  function findVersion(subject: string, version: number, deleted: boolean): StoredVersion {
    const versions = versionsOrThrow(subject, deleted);
    const found = version === -1 ? versions.at(-1) : versions.find((v) => v.version === version);
    if (found === undefined) throw registryFailure(404, 40402, `Version ${version} not found.`);
    return found;
  }

  const registry: InMemorySchemaRegistry = {
    async register(subject, schema, opts = {}) {
      return (await registry.registerFull(subject, schema, opts)).id;
    },

    async registerFull(subject, schema, opts = {}) {
      throwIfAborted('register', opts.signal);
      checkSubject(subject);
      const info = normaliseInfo(schema, opts.normalize === true);
      const versions = subjects.get(subject) ?? [];
      // Like Confluent's server: a new version registered without metadata or a ruleSet keeps the
      // previous version's, so evolving a schema cannot silently drop its encryption rules.
      if (info.metadata === undefined || info.ruleSet === undefined) {
        const live = versions.filter((v) => !v.deleted);
        const latest = live.length > 0 ? (byId.get((live[live.length - 1] as StoredVersion).id) as StoredSchema).info : undefined;
        if (latest?.metadata !== undefined && info.metadata === undefined) info.metadata = jsonClone(latest.metadata);
        if (latest?.ruleSet !== undefined && info.ruleSet === undefined) info.ruleSet = jsonClone(latest.ruleSet);
      }
      const identity = identityOf(info);
      const existing = versions.find((v) => !v.deleted && identityOf((byId.get(v.id) as StoredSchema).info) === identity);
      if (existing !== undefined) return registeredAt(subject, existing);
      let id = idByIdentity.get(identity);
      if (id === undefined) {
        id = nextId++;
        const stored: StoredSchema = { id, guid: newGuid(), info };
        byId.set(id, stored);
        byGuid.set(stored.guid, stored);
        idByIdentity.set(identity, id);
      }
      const version = versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
      const added: StoredVersion = { version, id, deleted: false };
      versions.push(added);
      subjects.set(subject, versions);
      return registeredAt(subject, added);
    },

    async lookup(subject, schema, opts = {}) {
      throwIfAborted('lookup', opts.signal);
      checkSubject(subject);
      const deleted = opts.deleted === true;
      const versions = versionsOrThrow(subject, deleted);
      const identity = identityOf(normaliseInfo(schema, opts.normalize === true));
      for (let i = versions.length - 1; i >= 0; i--) {
        const v = versions[i] as StoredVersion;
        if (identityOf((byId.get(v.id) as StoredSchema).info) === identity) return registeredAt(subject, v);
      }
      throw registryFailure(404, 40403, 'Schema not found');
    },

    async getById(id, opts = {}) {
      throwIfAborted('getById', opts.signal);
      const stored = byId.get(id);
      if (stored === undefined) throw registryFailure(404, 40403, `Schema ${id} not found`);
      return { id: stored.id, guid: stored.guid, ...entity(stored) };
    },

    async getByGuid(guid, opts = {}) {
      throwIfAborted('getByGuid', opts.signal);
      const stored = byGuid.get(guid);
      if (stored === undefined) throw registryFailure(404, 40403, `Schema ${guid} not found`);
      return { id: stored.id, guid: stored.guid, ...entity(stored) };
    },

    async getByVersion(subject, version, opts = {}) {
      throwIfAborted('getByVersion', opts.signal);
      checkSubject(subject);
      const v = findVersion(subject, parseVersion(version), opts.deleted === true);
      return registeredAt(subject, v);
    },

    async getLatest(subject, opts = {}) {
      return registry.getByVersion(subject, -1, opts);
    },

    async getLatestWithMetadata(subject, metadata, opts = {}) {
      throwIfAborted('getLatestWithMetadata', opts.signal);
      checkSubject(subject);
      const versions = versionsOrThrow(subject, opts.deleted === true);
      const wanted = Object.entries(metadata ?? {});
      for (let i = versions.length - 1; i >= 0; i--) {
        const v = versions[i] as StoredVersion;
        const props = (byId.get(v.id) as StoredSchema).info.metadata?.properties ?? {};
        if (wanted.every(([k, val]) => props[k] === val)) return registeredAt(subject, v);
      }
      throw registryFailure(404, 40403, 'Schema not found');
    },

    async getSubjects(opts = {}) {
      throwIfAborted('getSubjects', opts.signal);
      return [...subjects.keys()].filter((s) => liveVersions(s, opts.deleted === true).length > 0).sort();
    },

    async getVersions(subject, opts = {}) {
      throwIfAborted('getVersions', opts.signal);
      checkSubject(subject);
      return versionsOrThrow(subject, opts.deleted === true).map((v) => v.version);
    },

    async getSubjectVersionsById(id, opts = {}) {
      throwIfAborted('getSubjectVersionsById', opts.signal);
      if (!byId.has(id)) throw registryFailure(404, 40403, `Schema ${id} not found`);
      const out: SubjectVersion[] = [];
      for (const subject of [...subjects.keys()].sort()) {
        for (const v of liveVersions(subject, opts.deleted === true)) if (v.id === id) out.push({ subject, version: v.version });
      }
      return out;
    },

    async validateSchema(schema, opts = {}) {
      throwIfAborted('validateSchema', opts.signal);
      normaliseInfo(schema, false);
    },

    async deleteSubject(subject, opts = {}) {
      throwIfAborted('deleteSubject', opts.signal);
      checkSubject(subject);
      const versions = subjects.get(subject) ?? [];
      if (versions.length === 0) throw subjectNotFound(subject);
      if (opts.permanent === true) {
        if (versions.some((v) => !v.deleted)) {
          throw registryFailure(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`);
        }
        subjects.delete(subject);
        subjectConfigs.delete(subject);
        return versions.map((v) => v.version);
      }
      const live = versions.filter((v) => !v.deleted);
      if (live.length === 0) {
        throw registryFailure(404, 40404, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`);
      }
      for (const v of live) {
        if (isReferenced(subject, v.version)) {
          throw registryFailure(422, 42206, `One or more references exist to the schema {subject=${subject},version=${v.version}}.`);
        }
      }
      for (const v of live) v.deleted = true;
      return live.map((v) => v.version);
    },

    async deleteSubjectVersion(subject, version, opts = {}) {
      throwIfAborted('deleteSubjectVersion', opts.signal);
      checkSubject(subject);
      const n = parseVersion(version);
      const all = subjects.get(subject) ?? [];
      if (all.length === 0) throw subjectNotFound(subject);
      const v = n === -1 ? all.filter((x) => !x.deleted).at(-1) : all.find((x) => x.version === n);
      if (v === undefined) throw registryFailure(404, 40402, `Version ${n} not found.`);
      if (opts.permanent === true) {
        if (!v.deleted) {
          throw registryFailure(404, 40407, `Subject '${subject}' Version ${v.version} was not deleted first before being permanently deleted`);
        }
        all.splice(all.indexOf(v), 1);
        if (all.length === 0) subjects.delete(subject);
        return v.version;
      }
      if (v.deleted) {
        throw registryFailure(404, 40406, `Subject '${subject}' Version ${v.version} was soft deleted.Set permanent=true to delete permanently`);
      }
      if (isReferenced(subject, v.version)) {
        throw registryFailure(422, 42206, `One or more references exist to the schema {subject=${subject},version=${v.version}}.`);
      }
      v.deleted = true;
      return v.version;
    },

    async getConfig(subject, opts = {}) {
      throwIfAborted('getConfig', opts.signal);
      if (subject === undefined) return jsonClone(globalConfig);
      checkSubject(subject);
      const config = subjectConfigs.get(subject);
      if (config !== undefined) return jsonClone(config);
      if (opts.defaultToGlobal === true) return jsonClone(globalConfig);
      throw registryFailure(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`);
    },

    async setConfig(subject, update, opts = {}) {
      throwIfAborted('setConfig', opts.signal);
      if (subject !== undefined) checkSubject(subject);
      if (update === null || typeof update !== 'object') throw registryFailure(422, 42203, 'Invalid compatibility level');
      const { compatibility, ...rest } = update as RegistryConfigUpdate;
      if (compatibility !== undefined && (typeof compatibility !== 'string' || !COMPATIBILITY_LEVELS.includes(compatibility))) {
        throw registryFailure(422, 42203, `Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive`);
      }
      const previous = subject === undefined ? globalConfig : (subjectConfigs.get(subject) ?? {});
      const next: RegistryConfig = { ...previous, ...jsonClone(rest) };
      if (compatibility !== undefined) next.compatibilityLevel = compatibility;
      if (subject === undefined) globalConfig = next;
      else subjectConfigs.set(subject, next);
      return jsonClone(update);
    },
  };

  return registry;
}

// ---------------------------------------------------------------------------------------------
// DEK Registry
// ---------------------------------------------------------------------------------------------

/** Server-side key material for a DEK under a shared KEK (both standard base64). */
export interface GeneratedDek {
  /** The KMS-wrapped DEK proto. */
  encryptedKeyMaterial: string;
  /** The raw DEK proto (what the server returns as `keyMaterial` for shared KEKs). */
  keyMaterial: string;
}

/** Options of {@link createInMemoryDekRegistry}. */
export interface InMemoryDekRegistryOptions {
  /** Clock for `ts` (ms), e.g. to test DEK expiry. Default `Date.now`. */
  readonly clock?: () => number;
  /**
   * Server-side DEK generation for shared KEKs (a create without `encryptedKeyMaterial`).
   * Without it such a create fails like a server whose KMS is unreachable (500 / 50070).
   * See {@link createKmsDekGenerator}.
   */
  readonly generateDek?: (kek: Kek, algorithm: DekAlgorithm) => Promise<GeneratedDek>;
  /**
   * Server-side unwrap, used to fill `keyMaterial` for shared-KEK DEKs that were created with
   * client-supplied `encryptedKeyMaterial`. Without it such DEKs are returned without it.
   */
  readonly unwrapDek?: (kek: Kek, encryptedKeyMaterial: string) => Promise<string>;
}

/** The in-memory DEK Registry: the client contract, admin operations and bulk DEK deletes. */
export interface InMemoryDekRegistry extends DekRegistryAdminClient {
  /** Soft-deletes (or permanently deletes) every version of a DEK. */
  deleteDekVersions(
    kekName: string,
    subject: string,
    options?: CallOptions & { algorithm?: DekAlgorithm; permanent?: boolean },
  ): Promise<void>;
  /** Undeletes every version of a DEK. */
  undeleteDekVersions(kekName: string, subject: string, options?: CallOptions & { algorithm?: DekAlgorithm }): Promise<void>;
}

interface StoredKek {
  name: string;
  kmsType: string;
  kmsKeyId: string;
  kmsProps: Record<string, string>;
  doc?: string;
  shared: boolean;
  ts: number;
  deleted: boolean;
}

interface StoredDek {
  kekName: string;
  subject: string;
  version: number;
  algorithm: DekAlgorithm;
  encryptedKeyMaterial: string;
  keyMaterial?: string;
  ts: number;
  deleted: boolean;
}

const DEK_ALGORITHMS: readonly string[] = ['AES128_GCM', 'AES256_GCM', 'AES256_SIV'];
const KEK_NAME = /^[\p{L}_][\p{L}\p{Nd}_-]*$/u;

function invalidKey(field: string): Error {
  return registryFailure(422, 42271, `Invalid or missing key info: ${field}`);
}

function keyNotFound(name: string): Error {
  return registryFailure(404, 40470, `Key '${name}' not found`);
}

function checkKekName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || name.length > 64 || !KEK_NAME.test(name)) throw invalidKey('name');
  return name;
}

function checkDekSubject(subject: unknown): string {
  if (typeof subject !== 'string' || subject === '' || ISO_CONTROL.test(subject)) throw invalidKey('subject');
  return subject;
}

function checkAlgorithm(algorithm: unknown): DekAlgorithm {
  if (algorithm === undefined || algorithm === null) return 'AES256_GCM';
  if (typeof algorithm !== 'string' || !DEK_ALGORITHMS.includes(algorithm)) throw invalidKey('algorithm');
  return algorithm as DekAlgorithm;
}

/** The server maps kms types starting with aws/azure/gcp to the canonical names. */
function normaliseKmsType(kmsType: string): string {
  const t = kmsType.toLowerCase();
  if (t.startsWith('aws')) return 'aws-kms';
  if (t.startsWith('azure')) return 'azure-kms';
  if (t.startsWith('gcp')) return 'gcp-kms';
  return kmsType;
}

function sortedProps(props: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (props === undefined || props === null) return out;
  if (typeof props !== 'object' || Array.isArray(props)) throw invalidKey('kmsProps');
  for (const key of Object.keys(props).sort()) {
    const v = props[key];
    if (typeof v !== 'string') throw invalidKey('kmsProps');
    out[key] = v;
  }
  return out;
}

/**
 * Creates an empty in-memory DEK Registry with the Java server's rules: KEK names
 * `[letter or _][letters, digits, _ , -]*` up to 64 chars; 409/40971 on a duplicate KEK or DEK
 * (a create of an equivalent soft-deleted key acts as undelete); `deleted` reads; default
 * algorithm AES256_GCM and version 1; `-1` = latest version; `ts` from `clock`; shared KEKs get
 * server-generated DEKs through `generateDek` and answers carry `keyMaterial`.
 *
 * @param options - see {@link InMemoryDekRegistryOptions}.
 * @returns a registry implementing the `DekRegistryClient` contract and admin operations.
 * @example
 * ```ts
 * const deks = createInMemoryDekRegistry({ clock: () => fakeNow });
 * await deks.createKek({ name: 'kek1', kmsType: 'local-kms', kmsKeyId: 'mykey', shared: false });
 * ```
 */
export function createInMemoryDekRegistry(options: InMemoryDekRegistryOptions = {}): InMemoryDekRegistry {
  const clock = options.clock ?? Date.now;
  const keks = new Map<string, StoredKek>();
  const deks = new Map<string, StoredDek>();

  const dekKey = (kekName: string, subject: string, algorithm: string, version: number): string =>
    JSON.stringify([kekName, subject, algorithm, version]);

  function kekEntity(k: StoredKek): Kek {
    const out: Kek = { name: k.name, kmsType: k.kmsType, kmsKeyId: k.kmsKeyId, kmsProps: { ...k.kmsProps }, shared: k.shared, ts: k.ts, deleted: k.deleted };
    if (k.doc !== undefined) out.doc = k.doc;
    return out;
  }

  async function dekEntity(d: StoredDek): Promise<Dek> {
    const out: Dek = {
      kekName: d.kekName,
      subject: d.subject,
      version: d.version,
      algorithm: d.algorithm,
      encryptedKeyMaterial: d.encryptedKeyMaterial,
      ts: d.ts,
      deleted: d.deleted,
    };
    const kek = keks.get(d.kekName);
    if (kek?.shared === true) {
      if (d.keyMaterial !== undefined) {
        out.keyMaterial = d.keyMaterial;
      } else if (options.unwrapDek !== undefined) {
        try {
          out.keyMaterial = await options.unwrapDek(kekEntity(kek), d.encryptedKeyMaterial);
        } catch (e) {
          throw registryFailure(500, 50070, `Could not generate raw dek for ${d.subject}`, e);
        }
      }
    }
    return out;
  }

  /** DEKs of (kek, subject, algorithm), ascending by version. */
  function dekVersions(kekName: string, subject: string, algorithm: DekAlgorithm, deleted: boolean): StoredDek[] {
    const out: StoredDek[] = [];
    for (const d of deks.values()) {
      if (d.kekName === kekName && d.subject === subject && d.algorithm === algorithm && (deleted || !d.deleted)) out.push(d);
    }
    return out.sort((a, b) => a.version - b.version);
  }

  function findDek(kekName: string, subject: string, version: number, algorithm: DekAlgorithm, deleted: boolean): StoredDek | undefined {
    if (version === -1) return dekVersions(kekName, subject, algorithm, deleted).at(-1);
    const d = deks.get(dekKey(kekName, subject, algorithm, version));
    return d !== undefined && (deleted || !d.deleted) ? d : undefined;
  }

  function liveKek(name: string, deleted: boolean): StoredKek | undefined {
    const k = keks.get(name);
    return k !== undefined && (deleted || !k.deleted) ? k : undefined;
  }

  function checkVersion(version: unknown, allowLatest: boolean): number {
    if (typeof version !== 'number' || !Number.isInteger(version) || (version < 1 && !(allowLatest && version === -1))) {
      throw registryFailure(
        422,
        42202,
        `The specified version '${String(version)}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
      );
    }
    return version;
  }

  const registry: InMemoryDekRegistry = {
    async getKek(name, opts = {}) {
      throwIfAborted('getKek', opts.signal);
      checkKekName(name);
      const k = liveKek(name, opts.deleted === true);
      return k === undefined ? undefined : kekEntity(k);
    },

    async createKek(kek, opts = {}) {
      throwIfAborted('createKek', opts.signal);
      if (kek === null || typeof kek !== 'object') throw invalidKey('name');
      const name = checkKekName(kek.name);
      if (typeof kek.kmsKeyId !== 'string' || kek.kmsKeyId === '') throw invalidKey('kmsKeyId');
      if (typeof kek.kmsType !== 'string' || kek.kmsType === '') throw invalidKey('kmsType');
      if (kek.doc !== undefined && kek.doc !== null && typeof kek.doc !== 'string') throw invalidKey('doc');
      const next: StoredKek = {
        name,
        kmsType: normaliseKmsType(kek.kmsType),
        kmsKeyId: kek.kmsKeyId,
        kmsProps: sortedProps(kek.kmsProps),
        shared: kek.shared === true,
        ts: 0,
        deleted: false,
      };
      if (typeof kek.doc === 'string') next.doc = kek.doc;
      const old = keks.get(name);
      // A create of an equivalent soft-deleted KEK acts as undelete (Java DekRegistry.createKek).
      if (old !== undefined && (!old.deleted || !kekEquivalent(old, next))) {
        throw registryFailure(409, 40971, `Key '${name}' already exists; use a different value`);
      }
      next.ts = clock();
      keks.set(name, next);
      return kekEntity(next);
    },

    async getDek(kekName, subject, version, algorithm, opts = {}) {
      throwIfAborted('getDek', opts.signal);
      checkKekName(kekName);
      checkDekSubject(subject);
      checkVersion(version, true);
      const alg = checkAlgorithm(algorithm);
      const deleted = opts.deleted === true;
      if (liveKek(kekName, deleted) === undefined) return undefined;
      const d = findDek(kekName, subject, version, alg, deleted);
      return d === undefined ? undefined : dekEntity(d);
    },

    async createDek(kekName, dek, opts = {}) {
      throwIfAborted('createDek', opts.signal);
      checkKekName(kekName);
      if (dek === null || typeof dek !== 'object') throw invalidKey('subject');
      const subject = checkDekSubject(dek.subject);
      const kek = liveKek(kekName, false);
      if (kek === undefined) throw keyNotFound(kekName);
      const algorithm = checkAlgorithm(dek.algorithm);
      const version = dek.version ?? 1;
      if (!Number.isInteger(version) || version < 1) throw invalidKey('version');
      const old = deks.get(dekKey(kekName, subject, algorithm, version));
      if (old !== undefined && !old.deleted) throw registryFailure(409, 40971, `Key '${subject}' already exists; use a different value`);
      let encryptedKeyMaterial = dek.encryptedKeyMaterial;
      let keyMaterial: string | undefined;
      if (encryptedKeyMaterial === undefined || encryptedKeyMaterial === null || encryptedKeyMaterial === '') {
        if (!kek.shared) throw invalidKey('encryptedKeyMaterial');
        if (options.generateDek === undefined) {
          throw registryFailure(500, 50070, `Could not generate encrypted dek for ${subject}: the registry has no KMS access`);
        }
        try {
          ({ encryptedKeyMaterial, keyMaterial } = await options.generateDek(kekEntity(kek), algorithm));
        } catch (e) {
          throw registryFailure(500, 50070, `Could not generate encrypted dek for ${subject}`, e);
        }
      } else if (typeof encryptedKeyMaterial !== 'string') {
        throw invalidKey('encryptedKeyMaterial');
      }
      if (old !== undefined && old.encryptedKeyMaterial !== encryptedKeyMaterial) {
        // Only an equivalent create may revive a soft-deleted DEK.
        throw registryFailure(409, 40971, `Key '${subject}' already exists; use a different value`);
      }
      const stored: StoredDek = { kekName, subject, version, algorithm, encryptedKeyMaterial, ts: clock(), deleted: false };
      if (keyMaterial !== undefined) stored.keyMaterial = keyMaterial;
      else if (old?.keyMaterial !== undefined) stored.keyMaterial = old.keyMaterial;
      deks.set(dekKey(kekName, subject, algorithm, version), stored);
      return dekEntity(stored);
    },

    async listKeks(opts = {}) {
      throwIfAborted('listKeks', opts.signal);
      return [...keks.values()].filter((k) => opts.deleted === true || !k.deleted).map((k) => k.name).sort();
    },

    async updateKek(name, update, opts = {}) {
      throwIfAborted('updateKek', opts.signal);
      checkKekName(name);
      const old = liveKek(name, false);
      if (old === undefined) throw keyNotFound(name);
      if (update === null || typeof update !== 'object') throw invalidKey('kmsProps');
      const next: StoredKek = {
        ...old,
        kmsProps: update.kmsProps !== undefined ? sortedProps(update.kmsProps) : old.kmsProps,
        shared: update.shared !== undefined ? update.shared === true : old.shared,
        deleted: false,
      };
      if (update.doc !== undefined) next.doc = update.doc;
      if (kekEquivalent(old, next)) return kekEntity(old);
      next.ts = clock();
      keks.set(name, next);
      return kekEntity(next);
    },

    async deleteKek(name, opts = {}) {
      throwIfAborted('deleteKek', opts.signal);
      checkKekName(name);
      const k = keks.get(name);
      if (k === undefined) throw keyNotFound(name);
      const permanent = opts.permanent === true;
      for (const d of deks.values()) {
        if (d.kekName === name && (permanent || !d.deleted)) {
          throw registryFailure(422, 42272, `One or more references exist to the key '${name}'`);
        }
      }
      if (permanent) {
        if (!k.deleted) throw registryFailure(404, 40471, `Key '${name}' was not deleted first before being permanently deleted`);
        keks.delete(name);
      } else if (!k.deleted) {
        keks.set(name, { ...k, deleted: true, ts: clock() });
      }
    },

    async undeleteKek(name, opts = {}) {
      throwIfAborted('undeleteKek', opts.signal);
      checkKekName(name);
      const k = keks.get(name);
      if (k === undefined) throw keyNotFound(name);
      if (k.deleted) keks.set(name, { ...k, deleted: false, ts: clock() });
    },

    async listDekSubjects(kekName, opts = {}) {
      throwIfAborted('listDekSubjects', opts.signal);
      checkKekName(kekName);
      const deleted = opts.deleted === true;
      if (liveKek(kekName, deleted) === undefined) throw keyNotFound(kekName);
      const out = new Set<string>();
      for (const d of deks.values()) if (d.kekName === kekName && (deleted || !d.deleted)) out.add(d.subject);
      return [...out].sort();
    },

    async listDekVersions(kekName, subject, opts = {}) {
      throwIfAborted('listDekVersions', opts.signal);
      checkKekName(kekName);
      checkDekSubject(subject);
      const deleted = opts.deleted === true;
      if (liveKek(kekName, deleted) === undefined) throw keyNotFound(kekName);
      return dekVersions(kekName, subject, checkAlgorithm(opts.algorithm), deleted).map((d) => d.version);
    },

    async deleteDek(kekName, subject, version, opts = {}) {
      throwIfAborted('deleteDek', opts.signal);
      checkKekName(kekName);
      checkDekSubject(subject);
      checkVersion(version, true);
      const algorithm = checkAlgorithm(opts.algorithm);
      if (keks.get(kekName) === undefined) throw keyNotFound(kekName);
      const d = findDek(kekName, subject, version, algorithm, true);
      if (d === undefined) throw keyNotFound(subject);
      const key = dekKey(kekName, subject, algorithm, d.version);
      if (opts.permanent === true) {
        if (!d.deleted) throw registryFailure(404, 40471, `Key '${subject}' was not deleted first before being permanently deleted`);
        deks.delete(key);
      } else if (!d.deleted) {
        deks.set(key, { ...d, deleted: true, ts: clock() });
      }
    },

    async undeleteDek(kekName, subject, version, opts = {}) {
      throwIfAborted('undeleteDek', opts.signal);
      checkKekName(kekName);
      checkDekSubject(subject);
      checkVersion(version, true);
      const algorithm = checkAlgorithm(opts.algorithm);
      const k = keks.get(kekName);
      if (k === undefined) throw keyNotFound(kekName);
      if (k.deleted) throw registryFailure(404, 40472, `Key '${kekName}' must be undeleted first`);
      const d = findDek(kekName, subject, version, algorithm, true);
      if (d === undefined) throw keyNotFound(subject);
      if (d.deleted) deks.set(dekKey(kekName, subject, algorithm, d.version), { ...d, deleted: false, ts: clock() });
    },

    async rewrapDek(kekName, dek, opts = {}) {
      throwIfAborted('rewrapDek', opts.signal);
      checkKekName(kekName);
      if (dek === null || typeof dek !== 'object') throw invalidKey('subject');
      const subject = checkDekSubject(dek.subject);
      const algorithm = checkAlgorithm(dek.algorithm);
      const version = dek.version;
      if (!Number.isInteger(version) || version < 1) throw invalidKey('version');
      if (typeof dek.encryptedKeyMaterial !== 'string' || dek.encryptedKeyMaterial === '') throw invalidKey('encryptedKeyMaterial');
      if (liveKek(kekName, false) === undefined) throw keyNotFound(kekName);
      const key = dekKey(kekName, subject, algorithm, version);
      const old = deks.get(key);
      if (old === undefined) throw keyNotFound(subject);
      const stored: StoredDek = { ...old, encryptedKeyMaterial: dek.encryptedKeyMaterial, ts: clock() };
      deks.set(key, stored);
      return dekEntity(stored);
    },

    async deleteDekVersions(kekName, subject, opts = {}) {
      throwIfAborted('deleteDekVersions', opts.signal);
      checkKekName(kekName);
      checkDekSubject(subject);
      const algorithm = checkAlgorithm(opts.algorithm);
      if (keks.get(kekName) === undefined) throw keyNotFound(kekName);
      const all = dekVersions(kekName, subject, algorithm, true);
      if (all.length === 0) throw keyNotFound(subject);
      if (opts.permanent === true) {
        if (all.some((d) => !d.deleted)) {
          throw registryFailure(404, 40471, `Key '${subject}' was not deleted first before being permanently deleted`);
        }
        for (const d of all) deks.delete(dekKey(kekName, subject, algorithm, d.version));
        return;
      }
      const ts = clock();
      for (const d of all) if (!d.deleted) deks.set(dekKey(kekName, subject, algorithm, d.version), { ...d, deleted: true, ts });
    },

    async undeleteDekVersions(kekName, subject, opts = {}) {
      throwIfAborted('undeleteDekVersions', opts.signal);
      checkKekName(kekName);
      checkDekSubject(subject);
      const algorithm = checkAlgorithm(opts.algorithm);
      const k = keks.get(kekName);
      if (k === undefined) throw keyNotFound(kekName);
      if (k.deleted) throw registryFailure(404, 40472, `Key '${kekName}' must be undeleted first`);
      const all = dekVersions(kekName, subject, algorithm, true);
      if (all.length === 0) throw keyNotFound(subject);
      const ts = clock();
      for (const d of all) if (d.deleted) deks.set(dekKey(kekName, subject, algorithm, d.version), { ...d, deleted: false, ts });
    },
  };
  return registry;
}

function kekEquivalent(a: StoredKek, b: StoredKek): boolean {
  return (
    a.name === b.name &&
    a.kmsType === b.kmsType &&
    a.kmsKeyId === b.kmsKeyId &&
    canonicalJson(a.kmsProps) === canonicalJson(b.kmsProps) &&
    a.doc === b.doc &&
    a.shared === b.shared
  );
}

// ---------------------------------------------------------------------------------------------
// Server-side DEK generation through a KmsClient
// ---------------------------------------------------------------------------------------------

/**
 * Server-side DEK generation and unwrap through KMS clients, for
 * `createInMemoryDekRegistry({ ...createKmsDekGenerator([kms]) })` or the test server:
 * generates a Tink key proto (§2.1, core's `generateDek`) and wraps it under
 * `kmsType://kmsKeyId` of the KEK.
 *
 * @param kms - the KMS client(s) the "server" may use; the first that `supports()` the KEK's URI is used.
 * @returns `{ generateDek, unwrapDek }` hooks.
 */
export function createKmsDekGenerator(
  kms: KmsClient | readonly KmsClient[],
): Required<Pick<InMemoryDekRegistryOptions, 'generateDek' | 'unwrapDek'>> {
  const clients: readonly KmsClient[] = Array.isArray(kms) ? kms : [kms as KmsClient];
  function clientFor(kek: Kek): { client: KmsClient; uri: string } {
    const uri = keyUri(kek.kmsType, kek.kmsKeyId);
    const client = clients.find((c) => c.supports(uri));
    if (client === undefined) throw new Error(`no KMS client supports ${uri}`);
    return { client, uri };
  }
  return {
    async generateDek(kek, algorithm) {
      const { client, uri } = clientFor(kek);
      const raw = generateDekProto(algorithm);
      try {
        const wrapped = await client.wrap(uri, raw, { props: kek.kmsProps ?? {} });
        return { encryptedKeyMaterial: Buffer.from(wrapped).toString('base64'), keyMaterial: Buffer.from(raw).toString('base64') };
      } finally {
        raw.fill(0);
      }
    },
    async unwrapDek(kek, encryptedKeyMaterial) {
      const { client, uri } = clientFor(kek);
      const raw = await client.unwrap(uri, Buffer.from(encryptedKeyMaterial, 'base64'), { props: kek.kmsProps ?? {} });
      return Buffer.from(raw).toString('base64');
    },
  };
}
