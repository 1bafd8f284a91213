/**
 * What every format's serializer/deserializer shares: options, subject naming, schema
 * resolution (auto-register / use-latest / use-latest-with-metadata / use-schema-id / lookup)
 * with caches, and the rule engine. Format packages (Avro, JSON Schema, Protobuf) add parsing,
 * encoding, and the field walk of their schemas.
 */
import { createRuleEngine, type FieldOutcome, type RuleEngine, type RuleEngineOptions } from './engine.js';
import { ErrorCodes, SerdeError, isCsfleError } from './errors.js';
import type { RegisteredSchema, SchemaInfo, SchemaRegistryClient } from './schema.js';
import type { SchemaRef } from './wire.js';

/** Derives the subject from topic, key/value and (for record strategies) the record's full name. */
export type SubjectNameStrategy = (topic: string, isKey: boolean, recordName: string | undefined) => string;

/** Confluent's strategies. */
export const SubjectNameStrategies = {
  /** `<topic>-key` / `<topic>-value` (the default). */
  topic: ((topic, isKey) => `${topic}-${isKey ? 'key' : 'value'}`) as SubjectNameStrategy,
  /** The record's fully-qualified name. */
  record: ((_topic, _isKey, recordName) => {
    if (!recordName) throw new SerdeError(ErrorCodes.SCHEMA_ERROR, 'serde: record name strategy needs a named record schema');
    return recordName;
  }) as SubjectNameStrategy,
  /** `<topic>-<record full name>`. */
  topicRecord: ((topic, _isKey, recordName) => {
    if (!recordName) throw new SerdeError(ErrorCodes.SCHEMA_ERROR, 'serde: topic-record name strategy needs a named record schema');
    return `${topic}-${recordName}`;
  }) as SubjectNameStrategy,
} as const;

/**
 * Options shared by every serializer and deserializer. Defaults in brackets. The rule-engine
 * options (`deks`, `kms`, `ruleConfig`, `ruleOverrides`, `actions`,
 * `unsafeAllowPlaintextOnWriteFailure`, `cacheTtlMs`, `now`, `logger`) are documented on
 * {@link RuleEngineOptions}.
 */
export interface SerdeOptions extends RuleEngineOptions {
  /** Schema Registry client (HTTP or in-memory). Required. */
  readonly registry: SchemaRegistryClient;
  /** Share one rule engine (and its DEK caches) between serdes. Overrides the rule-engine options. */
  readonly ruleEngine?: RuleEngine;
  /** Serializes keys (`<topic>-key`) instead of values. [false] */
  readonly isKey?: boolean;
  /** [SubjectNameStrategies.topic] */
  readonly subjectNameStrategy?: SubjectNameStrategy;
  /** Register the local schema on first use. [false] */
  readonly autoRegisterSchemas?: boolean;
  /** Write with the subject's latest registered schema. [false] */
  readonly useLatestVersion?: boolean;
  /** Write with the latest schema whose metadata properties include these. */
  readonly useLatestWithMetadata?: Readonly<Record<string, string>>;
  /** Write with this schema id. */
  readonly useSchemaId?: number;
  /** Ask the registry to normalize on register/lookup. [false] */
  readonly normalizeSchemas?: boolean;
  /** How long a "latest" resolution is reused before asking again, ms. [60,000] */
  readonly latestCacheTtlMs?: number;
}

/** The schema a serializer writes with. */
export interface WriteSchema {
  readonly id: number;
  readonly subject: string;
  readonly schema: RegisteredSchema;
}

export interface SerdeCore {
  readonly options: SerdeOptions;
  readonly isKey: boolean;
  readonly engine: RuleEngine;
  /** Subject for a topic (and record name for record strategies). */
  subject(topic: string, recordName?: string): string;
  /**
   * The schema to write with: sync when cached. `local` is the serializer's own schema, used for
   * auto-register and lookup; rules and tags always come from the registry's copy.
   */
  writeSchema(topic: string, local: SchemaInfo | undefined, recordName?: string): WriteSchema | Promise<WriteSchema>;
  /** A registered schema by id or GUID (cached forever: registered schemas are immutable). */
  schemaByRef(ref: SchemaRef, subject?: string): RegisteredSchema | Promise<RegisteredSchema>;
}

/** Builds the shared serde machinery; validates options eagerly. */
export function createSerdeCore(options: SerdeOptions): SerdeCore {
  if (!options || typeof options.registry !== 'object' || options.registry === null) {
    throw new TypeError('serde: "registry" expected a SchemaRegistryClient, got ' + typeof options?.registry);
  }
  if (options.useSchemaId !== undefined && (!Number.isInteger(options.useSchemaId) || options.useSchemaId < 0)) {
    throw new TypeError(`serde: "useSchemaId" expected a non-negative integer, got ${String(options.useSchemaId)}`);
  }
  const isKey = options.isKey ?? false;
  const strategy = options.subjectNameStrategy ?? SubjectNameStrategies.topic;
  const now = options.now ?? Date.now;
  const latestTtl = options.latestCacheTtlMs ?? 60_000;
  const engine = options.ruleEngine ?? createRuleEngine(options);
  const registry = options.registry;

  const subjects = new Map<string, string>();
  type WriteEntry = { value?: WriteSchema; pending?: Promise<WriteSchema>; at: number };
  // Keyed by subject, and per local schema object (a serializer's schema is one object; keying by
  // its text would rebuild and hash a possibly large string on every record).
  const writeCache = new Map<string, WriteEntry>();
  const writeCacheByLocal = new WeakMap<SchemaInfo, Map<string, WriteEntry>>();
  const byRef = new Map<string, { value?: RegisteredSchema; pending?: Promise<RegisteredSchema> }>();

  function subject(topic: string, recordName?: string): string {
    if (recordName === undefined) {
      let s = subjects.get(topic);
      if (s === undefined) {
        s = strategy(topic, isKey, undefined);
        subjects.set(topic, s);
      }
      return s;
    }
    return strategy(topic, isKey, recordName);
  }

  function wrapRegistryError(e: unknown, what: string, subj?: string): never {
    if (isCsfleError(e)) throw e;
    throw new SerdeError(ErrorCodes.REGISTRY_ERROR, `serde: ${what} failed: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
      ...(subj ? { subject: subj } : {}),
    });
  }

  async function resolveWrite(subj: string, local: SchemaInfo | undefined): Promise<WriteSchema> {
    try {
      let id: number;
      if (options.autoRegisterSchemas) {
        if (!local) throw new SerdeError(ErrorCodes.SCHEMA_ERROR, 'serde: autoRegisterSchemas needs a schema', { subject: subj });
        id = await registry.register(subj, local, { normalize: options.normalizeSchemas ?? false });
      } else if (options.useSchemaId !== undefined) {
        id = options.useSchemaId;
      } else if (options.useLatestWithMetadata && Object.keys(options.useLatestWithMetadata).length > 0) {
        const s = await registry.getLatestWithMetadata(subj, { ...options.useLatestWithMetadata });
        return { id: s.id, subject: subj, schema: s };
      } else if (options.useLatestVersion) {
        const s = await registry.getLatest(subj);
        return { id: s.id, subject: subj, schema: s };
      } else {
        if (!local) {
          throw new SerdeError(ErrorCodes.SCHEMA_ERROR, 'serde: no schema given and none of autoRegisterSchemas, useSchemaId, useLatestVersion set', {
            subject: subj,
          });
        }
        id = (await registry.lookup(subj, local, { normalize: options.normalizeSchemas ?? false })).id;
      }
      // Rules and tags are taken from the registry's copy (it may carry rules set centrally).
      const s = await getByRef({ id }, subj);
      return { id, subject: subj, schema: s };
    } catch (e) {
      return wrapRegistryError(e, `schema resolution for subject ${subj}`, subj);
    }
  }

  function writeSchema(topic: string, local: SchemaInfo | undefined, recordName?: string): WriteSchema | Promise<WriteSchema> {
    const subj = subject(topic, recordName);
    const latest = !options.autoRegisterSchemas && options.useSchemaId === undefined && (options.useLatestVersion || options.useLatestWithMetadata);
    let cache = writeCache;
    if (local) {
      let m = writeCacheByLocal.get(local);
      if (!m) {
        m = new Map();
        writeCacheByLocal.set(local, m);
      }
      cache = m;
    }
    const key = subj;
    const e = cache.get(key);
    const t = now();
    if (e) {
      if (e.pending) return e.pending;
      if (e.value && (!latest || t - e.at < latestTtl)) return e.value;
    }
    const entry: WriteEntry = e ?? { at: 0 };
    const p = resolveWrite(subj, local).then(
      (v) => {
        entry.value = v;
        entry.at = now();
        delete entry.pending;
        return v;
      },
      (err: unknown) => {
        delete entry.pending;
        // A stale "latest" keeps serving through a registry outage.
        if (entry.value && isCsfleError(err) && err.retriable) return entry.value;
        if (!entry.value) cache.delete(key);
        throw err;
      },
    );
    entry.pending = p;
    if (!e) cache.set(key, entry);
    return p;
  }

  async function fetchRef(ref: SchemaRef, subj?: string): Promise<RegisteredSchema> {
    if (ref.guid !== undefined) {
      const getByGuid = (registry as { getByGuid?: (g: string) => Promise<RegisteredSchema> }).getByGuid;
      if (typeof getByGuid !== 'function') {
        throw new SerdeError(ErrorCodes.SCHEMA_ERROR, `serde: schema GUID ${ref.guid} given but the registry client cannot look up GUIDs`);
      }
      return getByGuid.call(registry, ref.guid);
    }
    try {
      return await registry.getById(ref.id, subj ? { subject: subj } : {});
    } catch (e) {
      if (isCsfleError(e) && e.code === ErrorCodes.REGISTRY_NOT_FOUND) {
        throw new SerdeError(ErrorCodes.REGISTRY_NOT_FOUND, `serde: unknown schema id ${ref.id}`, { cause: e, schemaId: ref.id });
      }
      throw e;
    }
  }

  function getByRef(ref: SchemaRef, subj?: string): RegisteredSchema | Promise<RegisteredSchema> {
    const key = ref.guid !== undefined ? `g:${ref.guid}` : `i:${ref.id}`;
    const e = byRef.get(key);
    if (e) return e.value ?? (e.pending as Promise<RegisteredSchema>);
    const entry: { value?: RegisteredSchema; pending?: Promise<RegisteredSchema> } = {};
    entry.pending = fetchRef(ref, subj).then(
      (v) => {
        entry.value = ref.id !== undefined ? { ...v, id: ref.id } : v;
        delete entry.pending;
        return entry.value;
      },
      (err: unknown) => {
        byRef.delete(key);
        throw err;
      },
    );
    byRef.set(key, entry);
    return entry.pending;
  }

  return { options, isKey, engine, subject, writeSchema, schemaByRef: getByRef };
}


/** Kafka-style headers (kafkajs `IHeaders`): serdes read only the schema-id headers. */
export type SerdeHeaders = Readonly<Record<string, Uint8Array | string | ReadonlyArray<Uint8Array | string> | undefined>>;

/** A format's serializer: the interface the Kafka wrapper depends on. */
export interface Serializer {
  /** True if this serializer writes keys (`<topic>-key`). */
  readonly isKey: boolean;
  /** `0x00 || schema id || [indexes] || body`, with encryption rules applied; never mutates `value`. */
  serialize(topic: string, value: unknown, headers?: SerdeHeaders): Promise<Buffer>;
}

/** What `deserializeWithReport` resolves. */
export interface DeserializeResult {
  /** The decoded (and decrypted) value. */
  readonly value: unknown;
  /** The writer schema's id. */
  readonly schemaId: number;
  /** One outcome per protected field (and `$payload` for payload rules) the rules touched. */
  readonly outcomes: FieldOutcome[];
}

/** A format's deserializer: the interface the Kafka wrapper depends on. */
export interface Deserializer {
  readonly isKey: boolean;
  deserialize(topic: string, bytes: Uint8Array, headers?: SerdeHeaders): Promise<unknown>;
  /** Like `deserialize`, and reports what happened to each protected field. */
  deserializeWithReport(topic: string, bytes: Uint8Array, headers?: SerdeHeaders): Promise<DeserializeResult>;
}
