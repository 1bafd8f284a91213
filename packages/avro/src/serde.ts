/**
 * Avro serializer / deserializer with Confluent-compatible client-side field level encryption.
 *
 * Write: subject → schema (core `writeSchema`, cached) → prepared schema (parsed type and
 * field walk, cached per schema id) → domain rules (field encryption, copy on write) → Avro
 * binary → encoding rules (payload encryption) → `0x00 || schema id || body`.
 * Read: the mirror image, from `0x00 || id`, `0x01 || GUID` or the `__value_schema_id` /
 * `__key_schema_id` header (compatibility facts §3.5, §3.6).
 *
 * Nothing per record parses a schema or walks one: all of that happens once per schema id.
 */
import {
  ErrorCodes,
  KEY_SCHEMA_ID_HEADER,
  SerdeError,
  SubjectNameStrategies,
  VALUE_SCHEMA_ID_HEADER,
  createSerdeCore,
  frameWithId,
  unframe,
  type FieldOutcome,
  type RegisteredSchema,
  type RuleTarget,
  type RunContext,
  type SchemaInfo,
  type SerdeCore,
  type SerdeOptions,
  type WriteSchema,
  type SerdeHeaders,
  type Serializer,
  type Deserializer,
  type DeserializeResult,
} from '@csfle/core';
import { parseAvroSchema, parseSchemaJson, parseWithDependencies, recordNameOf, type AvroType, type AvroTypeOptions } from './schema.js';
import { buildAvroTransformer } from './walk.js';

/** Kafka-style headers (kafkajs `IHeaders`): only the schema-id headers are read. */
export type AvroHeaders = SerdeHeaders;

/** Options shared by the Avro serializer and deserializer. Defaults in brackets. */
export interface AvroDeserializerOptions extends SerdeOptions {
  /**
   * avsc `Type.forSchema` options used for every schema (e.g. `wrapUnions`, `logicalTypes`,
   * `omitRecordMethods`). `registry` is managed by the serde. [avsc defaults: unions are
   * unwrapped unless ambiguous, logical types are read as their underlying type]
   */
  readonly avroOptions?: AvroTypeOptions;
}

/** Options of {@link createAvroSerializer}. */
export interface AvroSerializerOptions extends AvroDeserializerOptions {
  /**
   * The local schema: a `SchemaInfo` (`{ schema, references?, metadata?, ruleSet? }`), the Avro
   * schema JSON text, or the Avro schema as a JSON value. Used to register it
   * (`autoRegisterSchemas`), to look it up (the default when neither `useLatestVersion`,
   * `useLatestWithMetadata` nor `useSchemaId` is set) and for the record name of the record
   * subject-name strategies. Rules and tags always come from the registry's copy. [none]
   */
  readonly schema?: SchemaInfo | string | object;
}

/** Options of {@link createAvroSerde}: both sides. */
export type AvroSerdeOptions = AvroSerializerOptions;

/** Serializes values to Confluent-framed Avro. */
export interface AvroSerializer extends Serializer {
  /** True if this serializer writes keys (`<topic>-key`). */
  readonly isKey: boolean;
  /**
   * Serializes `value` for `topic`: `0x00 || schema id || body`, with encryption rules applied.
   * The caller's value is never mutated.
   * @throws {SerdeError} `SERIALIZATION_FAILED` when the value does not match the schema (the
   *   message names the path, never the value), `SCHEMA_ERROR`, `REGISTRY_*`.
   * @throws {RuleError} when an encryption rule fails (`RULE_FAILED`, `PLAINTEXT_REFUSED`, ...).
   */
  serialize(topic: string, value: unknown, headers?: AvroHeaders): Promise<Buffer>;
}

/** What {@link AvroDeserializer.deserializeWithReport} resolves. */
export type AvroDeserializeResult = DeserializeResult;

/** Deserializes Confluent-framed Avro. */
export interface AvroDeserializer extends Deserializer {
  readonly isKey: boolean;
  /**
   * Deserializes a message written by any Confluent-compatible Avro serializer.
   * @throws {SerdeError} `INVALID_FRAME`, `REGISTRY_NOT_FOUND` (unknown schema id),
   *   `DESERIALIZATION_FAILED` (body not valid for the schema), `SCHEMA_ERROR`.
   * @throws {RuleError} when a decryption rule fails and its `onFailure` is `ERROR` / `DLQ`.
   */
  deserialize(topic: string, bytes: Uint8Array, headers?: AvroHeaders): Promise<unknown>;
  /** Like `deserialize`, and reports what happened to each protected field. */
  deserializeWithReport(topic: string, bytes: Uint8Array, headers?: AvroHeaders): Promise<AvroDeserializeResult>;
}

/** Both sides, sharing schema caches and DEK caches. */
export interface AvroSerde extends AvroSerializer, AvroDeserializer {}

// ---------------------------------------------------------------------------------------------

/** A registered schema made ready for the per-record path. */
interface Prepared {
  readonly id: number;
  readonly type: AvroType;
  readonly target: RuleTarget;
  readonly recordName: string | undefined;
  readonly domainWrite: boolean;
  readonly encodingWrite: boolean;
  readonly domainRead: boolean;
  readonly encodingRead: boolean;
}

/** The state a serializer and a deserializer share. */
interface AvroContext {
  readonly core: SerdeCore;
  readonly isKey: boolean;
  /** True when the subject depends on the record name (record strategies, custom ones). */
  readonly subjectNeedsRecord: boolean;
  /** The prepared schema, cached by `key` (the schema id, or the GUID when the registry gave no id). */
  prepare(schema: RegisteredSchema, id: number, key: number | string): Prepared | Promise<Prepared>;
}

function createContext(options: AvroDeserializerOptions): AvroContext {
  const core = createSerdeCore(options);
  const avroOptions = options.avroOptions;
  if (avroOptions !== undefined && (typeof avroOptions !== 'object' || avroOptions === null)) {
    throw new TypeError(`avro: "avroOptions" expected an object, got ${avroOptions === null ? 'null' : typeof avroOptions}`);
  }
  const cache = new Map<number | string, Prepared | Promise<Prepared>>();
  const { engine } = core;

  async function load(schema: RegisteredSchema, id: number): Promise<Prepared> {
    const parsed = await parseAvroSchema(schema, core.options.registry, avroOptions);
    const externalTags = schema.metadata?.tags;
    const target: RuleTarget = {
      info: schema,
      buildTransformer: (match) => buildAvroTransformer({ type: parsed.type, inlineTags: parsed.inlineTags, externalTags }, match),
    };
    return {
      id,
      type: parsed.type,
      target,
      recordName: parsed.recordName,
      domainWrite: engine.hasRules(schema, 'DOMAIN', 'WRITE'),
      encodingWrite: engine.hasRules(schema, 'ENCODING', 'WRITE'),
      domainRead: engine.hasRules(schema, 'DOMAIN', 'READ'),
      encodingRead: engine.hasRules(schema, 'ENCODING', 'READ'),
    };
  }

  function prepare(schema: RegisteredSchema, id: number, key: number | string): Prepared | Promise<Prepared> {
    const hit = cache.get(key);
    if (hit) return hit;
    const p = load(schema, id).then(
      (v) => {
        cache.set(key, v);
        return v;
      },
      (e: unknown) => {
        cache.delete(key);
        throw e;
      },
    );
    cache.set(key, p);
    return p;
  }

  const strategy = options.subjectNameStrategy;
  return {
    core,
    isKey: core.isKey,
    subjectNeedsRecord: strategy !== undefined && strategy !== SubjectNameStrategies.topic,
    prepare,
  };
}

/** Reads the local schema option into a SchemaInfo, validating its JSON eagerly. */
function localSchemaOf(schema: SchemaInfo | string | object | undefined, avroOptions: AvroTypeOptions | undefined): { info: SchemaInfo; recordName: string | undefined } | undefined {
  if (schema === undefined) return undefined;
  let info: SchemaInfo;
  if (typeof schema === 'string') {
    info = { schema };
  } else if (typeof schema === 'object' && schema !== null && typeof (schema as { schema?: unknown }).schema === 'string') {
    info = schema as SchemaInfo;
  } else if (typeof schema === 'object' && schema !== null) {
    info = { schema: JSON.stringify(schema) };
  } else {
    throw new TypeError(`avro: "schema" expected a SchemaInfo, schema JSON text or a schema object, got ${schema === null ? 'null' : typeof schema}`);
  }
  if (info.schemaType !== undefined && info.schemaType !== 'AVRO') {
    throw new TypeError(`avro: "schema.schemaType" expected "AVRO", got ${JSON.stringify(info.schemaType)}`);
  }
  let json: unknown;
  try {
    json = parseSchemaJson(info.schema, 'schema');
  } catch {
    throw new TypeError('avro: "schema" expected Avro schema JSON, got unparsable text');
  }
  // Without references the schema can be checked now; with them it needs the registry.
  if (!info.references || info.references.length === 0) {
    try {
      parseWithDependencies(json, [], avroOptions);
    } catch (e) {
      throw new TypeError(`avro: "schema" expected a valid Avro schema: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { info, recordName: recordNameOf(json) };
}

function headerBytes(headers: AvroHeaders | undefined, name: string): Uint8Array | undefined {
  if (!headers) return undefined;
  let h = headers[name];
  if (Array.isArray(h)) h = h[h.length - 1] as Uint8Array | string | undefined;
  if (h === undefined || h === null) return undefined;
  if (typeof h === 'string') return Buffer.from(h, 'latin1');
  return h as Uint8Array;
}

/**
 * The SERIALIZATION_FAILED error for a value that does not fit the schema: names the first
 * bad path and the expected type, never the value (it may be plaintext PII).
 */
function invalidValueError(type: AvroType, value: unknown, schemaId: number, subject: string): SerdeError | undefined {
  let where: { path: string; expected: string; got: string } | undefined;
  const ok = type.isValid(value, {
    errorHook(path, any, t) {
      if (where) return;
      const got = any === null ? 'null' : Array.isArray(any) ? 'array' : Buffer.isBuffer(any) ? 'bytes' : typeof any;
      where = { path: path.join('.'), expected: t.branchName ?? t.typeName, got };
    },
  });
  if (ok) return undefined;
  const at = where ? (where.path === '' ? '<root>' : where.path) : '<unknown>';
  return new SerdeError(
    ErrorCodes.SERIALIZATION_FAILED,
    `avro: value at ${at} expected ${where?.expected ?? 'a value valid for the schema'}, got ${where?.got ?? 'an invalid value'}`,
    { schemaId, subject },
  );
}

function makeSerializer(ctx: AvroContext, options: AvroSerializerOptions): AvroSerializer {
  const local = localSchemaOf(options.schema, options.avroOptions);
  const { core, isKey } = ctx;
  const { engine } = core;
  // The local schema only matters for register / lookup; without it the write cache key is the subject.
  const needsLocal = options.autoRegisterSchemas === true || (options.useSchemaId === undefined && !options.useLatestVersion && !options.useLatestWithMetadata);
  const localInfo = needsLocal ? local?.info : undefined;
  const recordName = local?.recordName;
  // Outside the "latest" modes the write schema of a topic never changes once resolved, so it is
  // kept here per topic: core's cache key includes the whole local schema text, which would
  // otherwise be rebuilt and hashed on every record.
  const latestMode = !options.autoRegisterSchemas && options.useSchemaId === undefined && (options.useLatestVersion || options.useLatestWithMetadata !== undefined);
  const fixedByTopic = latestMode ? undefined : new Map<string, WriteSchema>();

  async function serialize(topic: string, value: unknown): Promise<Buffer> {
    if (typeof topic !== 'string') throw new TypeError(`avro: "topic" expected string, got ${typeof topic}`);
    let ws: WriteSchema | Promise<WriteSchema> | undefined = fixedByTopic?.get(topic);
    if (ws === undefined) {
      ws = core.writeSchema(topic, localInfo, ctx.subjectNeedsRecord ? recordName : undefined);
      if (ws instanceof Promise) ws = await ws;
      if (fixedByTopic && fixedByTopic.size < 10_000) fixedByTopic.set(topic, ws);
    }
    let p = ctx.prepare(ws.schema, ws.id, ws.id);
    if (p instanceof Promise) p = await p;
    const rctx: RunContext = { subject: ws.subject, topic, isKey };
    let v = value;
    if (p.domainWrite) {
      try {
        v = await engine.runDomain(p.target, 'WRITE', v, rctx);
      } catch (e) {
        // A rule failing because the value does not fit the schema is a serialization error.
        throw invalidValueError(p.type, value, ws.id, ws.subject) ?? e;
      }
    }
    let body: Buffer;
    try {
      body = p.type.toBuffer(v);
    } catch {
      // avsc's message contains the value: never surface it (it may be plaintext).
      throw (
        invalidValueError(p.type, value, ws.id, ws.subject) ??
        invalidValueError(p.type, v, ws.id, ws.subject) ??
        new SerdeError(ErrorCodes.SERIALIZATION_FAILED, 'avro: value could not be encoded with the schema', { schemaId: ws.id, subject: ws.subject })
      );
    }
    if (p.encodingWrite) body = await engine.runEncoding(p.target, 'WRITE', body, rctx);
    return frameWithId(ws.id, body);
  }

  return {
    isKey,
    serialize: (topic, value) => serialize(topic, value),
  };
}

/** avsc decode errors that never contain data. */
const SAFE_READ_ERRORS = /^(truncated buffer|trailing data|invalid union index(: -?\d+)?|invalid [\w.]+ enum index: -?\d+)$/;

function makeDeserializer(ctx: AvroContext): AvroDeserializer {
  const { core, isKey } = ctx;
  const { engine } = core;
  const headerName = isKey ? KEY_SCHEMA_ID_HEADER : VALUE_SCHEMA_ID_HEADER;

  async function run(topic: string, bytes: Uint8Array, headers: AvroHeaders | undefined, report: FieldOutcome[] | undefined): Promise<{ value: unknown; id: number }> {
    if (typeof topic !== 'string') throw new TypeError(`avro: "topic" expected string, got ${typeof topic}`);
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`avro: "bytes" expected Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
    }
    const { ref, rest } = unframe(bytes, headerBytes(headers, headerName));
    let schema = core.schemaByRef(ref);
    if (schema instanceof Promise) schema = await schema;
    const id = ref.id ?? schema.id;
    let p = ctx.prepare(schema, id, typeof id === 'number' ? id : `guid:${String(ref.guid)}`);
    if (p instanceof Promise) p = await p;
    const subject = core.subject(topic, ctx.subjectNeedsRecord ? p.recordName : undefined);
    const rctx: RunContext = report ? { subject, topic, isKey, report } : { subject, topic, isKey };
    let body = rest;
    if (p.encodingRead) body = await engine.runEncoding(p.target, 'READ', body, rctx);
    let value: unknown;
    try {
      value = p.type.fromBuffer(body);
    } catch (e) {
      // Only avsc's structural read errors are quoted; anything else (e.g. a logical type's
      // conversion error) could carry a decoded value, so it is not passed on.
      const m = e instanceof Error ? e.message : '';
      const reason = SAFE_READ_ERRORS.test(m) ? `: ${m}` : '';
      throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `avro: body is not valid Avro for schema id ${id}${reason}`, {
        schemaId: id,
        subject,
      });
    }
    if (p.domainRead) value = await engine.runDomain(p.target, 'READ', value, rctx);
    return { value, id };
  }

  return {
    isKey,
    async deserialize(topic, bytes, headers) {
      return (await run(topic, bytes, headers, undefined)).value;
    },
    async deserializeWithReport(topic, bytes, headers) {
      const outcomes: FieldOutcome[] = [];
      const { value, id } = await run(topic, bytes, headers, outcomes);
      return { value, schemaId: id, outcomes };
    },
  };
}

/**
 * Creates an Avro serializer.
 *
 * @param options - {@link AvroSerializerOptions}: a registry client (required), the DEK registry
 *   and KMS clients when schemas carry encryption rules, how to pick the schema, rule options.
 * @returns an {@link AvroSerializer}.
 * @throws {TypeError} for bad options (missing registry, unparsable local schema, ...).
 * @example
 * ```ts
 * const serializer = createAvroSerializer({ registry, deks, kms: [createLocalKms({ secret })], useLatestVersion: true });
 * const bytes = await serializer.serialize('customers', { id: 1, ssn: '123-45-6789' });
 * ```
 */
export function createAvroSerializer(options: AvroSerializerOptions): AvroSerializer {
  return makeSerializer(createContext(options), options);
}

/**
 * Creates an Avro deserializer (writer schema from the registry by the id in the message).
 *
 * @param options - {@link AvroDeserializerOptions}.
 * @returns an {@link AvroDeserializer}.
 * @throws {TypeError} for bad options.
 * @example
 * ```ts
 * const deserializer = createAvroDeserializer({ registry, deks, kms: [createLocalKms({ secret })] });
 * const customer = await deserializer.deserialize('customers', bytes);
 * ```
 */
export function createAvroDeserializer(options: AvroDeserializerOptions): AvroDeserializer {
  return makeDeserializer(createContext(options));
}

/**
 * Creates a serializer and deserializer in one object, sharing schema and DEK caches.
 *
 * @param options - {@link AvroSerdeOptions}.
 * @returns an {@link AvroSerde}.
 * @throws {TypeError} for bad options.
 * @example
 * ```ts
 * const serde = createAvroSerde({ registry, deks, kms, useLatestVersion: true });
 * const value = await serde.deserialize('customers', await serde.serialize('customers', customer));
 * ```
 */
export function createAvroSerde(options: AvroSerdeOptions): AvroSerde {
  const ctx = createContext(options);
  const s = makeSerializer(ctx, options);
  const d = makeDeserializer(ctx);
  return { isKey: ctx.isKey, serialize: s.serialize, deserialize: d.deserialize, deserializeWithReport: d.deserializeWithReport };
}
