/**
 * The serializer/deserializer flow every format shares, written once:
 *
 * write: subject → schema (cached) → prepared schema (cached per id) → domain rules (WRITE)
 *        → format encode → encoding rules (WRITE) → `0x00 || id || [indexes] || body`
 * read:  unframe → schema by id/GUID (cached) → prepared schema → [indexes] → encoding rules
 *        (READ) → format decode → domain rules (READ) → value (+ per-field outcomes)
 *
 * A format (Avro, JSON Schema, Protobuf) supplies only what differs: how to prepare a registered
 * schema (parse, resolve references, build the field walk) and how to encode/decode one message.
 */
import type { FieldOutcome, RuleTarget, RunContext } from './engine.js';
import type { CsfleError } from './errors.js';
import type { RegisteredSchema, SchemaInfo, SchemaRegistryClient, SchemaType } from './schema.js';
import {
  createSerdeCore,
  SubjectNameStrategies,
  type DeserializeResult,
  type Deserializer,
  type SerdeHeaders,
  type SerdeOptions,
  type Serializer,
  type WriteSchema,
} from './serde.js';
import { frameWithId, KEY_SCHEMA_ID_HEADER, unframe, VALUE_SCHEMA_ID_HEADER } from './wire.js';

/** One message type of a prepared schema (Avro and JSON have one; a .proto file may have many). */
export interface FormatMessage {
  /** The registered schema and the field walk for this message type. */
  readonly target: RuleTarget;
  /** Bytes written between the schema id and the body (Protobuf message indexes), if any. */
  readonly indexes?: Uint8Array;
  /**
   * Encodes a (rule-transformed) value. `original` is the caller's value, for error messages.
   * @throws {SerdeError} `SERIALIZATION_FAILED`, naming a path and types, never a value.
   */
  encode(value: unknown, original: unknown): Buffer;
  /**
   * Decodes a body.
   * @throws {SerdeError} `DESERIALIZATION_FAILED`, never quoting decoded data.
   */
  decode(body: Buffer): unknown;
  /**
   * Explains why a domain rule failed on write when the cause is the value itself (it does not
   * fit the schema): returns a `SERIALIZATION_FAILED` error, or undefined to keep the rule error.
   */
  explainWriteFailure?(value: unknown): CsfleError | undefined;
}

/** A registered schema made ready for the per-record path. */
export interface PreparedSchema {
  /** Full name of the (first) record/message, for the record subject-name strategies. */
  readonly recordName: string | undefined;
  /** The message type a value is written as. */
  messageFor(value: unknown): FormatMessage;
  /** The message type of a read message and the offset of its body in `rest` (after indexes). */
  messageAt(rest: Buffer): { message: FormatMessage; offset: number };
}

/** What a format package implements. */
export interface Format {
  /** Prefix of error messages, e.g. `avro`. */
  readonly name: string;
  readonly schemaType: SchemaType;
  /** Parses a registered schema (resolving references through `registry`) and builds its walks. */
  prepare(schema: RegisteredSchema, registry: SchemaRegistryClient): Promise<PreparedSchema>;
}

/** The serializer's own schema, when it has one (for auto-register, lookup, record strategies). */
export interface LocalSchema {
  readonly info: SchemaInfo;
  readonly recordName?: string | undefined;
}

/** A serializer and deserializer sharing schema and DEK caches. */
export interface Serde extends Serializer, Deserializer {}

interface Ready {
  readonly prepared: PreparedSchema;
  readonly domainWrite: boolean;
  readonly encodingWrite: boolean;
  readonly domainRead: boolean;
  readonly encodingRead: boolean;
}

/**
 * Builds a serializer + deserializer for a format.
 * @throws {TypeError} for bad options (validated eagerly).
 */
export function createFormatSerde(format: Format, options: SerdeOptions, local?: LocalSchema): Serde {
  const core = createSerdeCore(options);
  const { engine, isKey } = core;
  const name = format.name;
  const strategy = options.subjectNameStrategy;
  const subjectNeedsRecord = strategy !== undefined && strategy !== SubjectNameStrategies.topic;
  const headerName = isKey ? KEY_SCHEMA_ID_HEADER : VALUE_SCHEMA_ID_HEADER;
  const ready = new Map<number | string, Ready | Promise<Ready>>();

  function prepare(schema: RegisteredSchema, key: number | string): Ready | Promise<Ready> {
    const hit = ready.get(key);
    if (hit) return hit;
    const p = format.prepare(schema, options.registry).then(
      (prepared): Ready => {
        const r: Ready = {
          prepared,
          domainWrite: engine.hasRules(schema, 'DOMAIN', 'WRITE'),
          encodingWrite: engine.hasRules(schema, 'ENCODING', 'WRITE'),
          domainRead: engine.hasRules(schema, 'DOMAIN', 'READ'),
          encodingRead: engine.hasRules(schema, 'ENCODING', 'READ'),
        };
        ready.set(key, r);
        return r;
      },
      (e: unknown) => {
        ready.delete(key);
        throw e;
      },
    );
    ready.set(key, p);
    return p;
  }

  // Register / lookup need the local schema; the "latest" and schema-id modes do not.
  const latestMode =
    !options.autoRegisterSchemas && options.useSchemaId === undefined && (options.useLatestVersion === true || options.useLatestWithMetadata !== undefined);
  const localInfo = latestMode || (options.useSchemaId !== undefined && !options.autoRegisterSchemas) ? undefined : local?.info;
  // Outside the "latest" modes a topic's write schema never changes once resolved.
  const fixedByTopic = latestMode ? undefined : new Map<string, WriteSchema>();

  async function serialize(topic: string, value: unknown): Promise<Buffer> {
    if (typeof topic !== 'string') throw new TypeError(`${name}: "topic" expected string, got ${typeof topic}`);
    let ws: WriteSchema | Promise<WriteSchema> | undefined = fixedByTopic?.get(topic);
    if (ws === undefined) {
      ws = core.writeSchema(topic, localInfo, subjectNeedsRecord ? local?.recordName : undefined);
      if (ws instanceof Promise) ws = await ws;
      if (fixedByTopic && fixedByTopic.size < 10_000) fixedByTopic.set(topic, ws);
    }
    let r = prepare(ws.schema, ws.id);
    if (r instanceof Promise) r = await r;
    const msg = r.prepared.messageFor(value);
    const rctx: RunContext = { subject: ws.subject, topic, isKey };
    let v = value;
    if (r.domainWrite) {
      try {
        v = await engine.runDomain(msg.target, 'WRITE', v, rctx);
      } catch (e) {
        throw msg.explainWriteFailure?.(value) ?? e;
      }
    }
    let body = msg.encode(v, value);
    if (r.encodingWrite) body = await engine.runEncoding(msg.target, 'WRITE', body, rctx);
    return frameWithId(ws.id, body, msg.indexes);
  }

  async function read(topic: string, bytes: Uint8Array, headers: SerdeHeaders | undefined, report: FieldOutcome[] | undefined) {
    if (typeof topic !== 'string') throw new TypeError(`${name}: "topic" expected string, got ${typeof topic}`);
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`${name}: "bytes" expected Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
    }
    const { ref, rest, headerRest } = unframe(bytes, headerBytes(headers, headerName));
    let schema = core.schemaByRef(ref);
    if (schema instanceof Promise) schema = await schema;
    const id = ref.id ?? schema.id;
    let r = prepare(schema, ref.id ?? `guid:${String(ref.guid)}`);
    if (r instanceof Promise) r = await r;
    // Header mode: message indexes (Protobuf) are in the header, the payload is the body alone.
    const { message, offset } = headerRest === undefined ? r.prepared.messageAt(rest) : { ...r.prepared.messageAt(headerRest), offset: 0 };
    const subject = core.subject(topic, subjectNeedsRecord ? r.prepared.recordName : undefined);
    const rctx: RunContext = report ? { subject, topic, isKey, report } : { subject, topic, isKey };
    let body = offset === 0 ? rest : rest.subarray(offset);
    if (r.encodingRead) body = await engine.runEncoding(message.target, 'READ', body, rctx);
    let value = message.decode(body);
    if (r.domainRead) value = await engine.runDomain(message.target, 'READ', value, rctx);
    return { value, schemaId: id };
  }

  return {
    isKey,
    serialize: (topic, value) => serialize(topic, value),
    async deserialize(topic, bytes, headers) {
      return (await read(topic, bytes, headers, undefined)).value;
    },
    async deserializeWithReport(topic, bytes, headers): Promise<DeserializeResult> {
      const outcomes: FieldOutcome[] = [];
      const { value, schemaId } = await read(topic, bytes, headers, outcomes);
      return { value, schemaId, outcomes };
    },
  };
}

function headerBytes(headers: SerdeHeaders | undefined, header: string): Uint8Array | undefined {
  if (!headers) return undefined;
  let h = headers[header];
  if (Array.isArray(h)) h = h[h.length - 1] as Uint8Array | string | undefined;
  if (h === undefined || h === null) return undefined;
  if (typeof h === 'string') return Buffer.from(h, 'latin1');
  return h as Uint8Array;
}
