/**
 * Protobuf serializer / deserializer with Confluent-compatible client-side field level
 * encryption.
 *
 * The flow (schema resolution, rules, framing) is core's `createFormatSerde`, shared by every
 * format; this file supplies the Protobuf part: parse a registered `.proto` schema (with its
 * imports as references), pick the message type of a value and its message indexes, build each
 * message type's field walk, encode and decode with protobufjs, and error messages that never
 * quote values.
 *
 * Nothing per record parses a schema or walks one: all of that happens once per schema id (and
 * per message type and rule, lazily).
 */
import {
  ErrorCodes,
  SerdeError,
  createFormatSerde,
  readMessageIndexes,
  writeMessageIndexes,
  type DeserializeResult,
  type Deserializer,
  type Format,
  type FormatMessage,
  type LocalSchema,
  type PreparedSchema,
  type RegisteredSchema,
  type SchemaInfo,
  type SerdeHeaders,
  type SerdeOptions,
  type Serializer,
} from '@csfle/core';
import { checkReadOptions, conversionOptions, decodeMessage, encodeMessage, invalidValueError, isProtobufjsMessage, type ProtobufReadOptions } from './codec.js';
import { findMessage, scanSchema, parseProtobufSchema, parseWithImports, protoTextOf, type ParsedProtoSchema, type ProtoMessage, type ProtobufParseOptions } from './schema.js';
import { isBuiltinImport } from './builtins.js';
import { buildProtobufTransformer } from './walk.js';

/** Kafka-style headers (kafkajs `IHeaders`): only the schema-id headers are read. */
export type ProtobufHeaders = SerdeHeaders;

/** Options shared by the Protobuf serializer and deserializer. Defaults in brackets. */
export interface ProtobufDeserializerOptions extends SerdeOptions {
  /** protobufjs parse options (`keepCase`: field names as written in the .proto). [camelCase names] */
  readonly parseOptions?: ProtobufParseOptions;
  /**
   * How decoded messages become plain objects: longs as strings, enums as names, unset fields
   * with their defaults, unless set otherwise. `bytes` fields are always Buffers.
   */
  readonly readOptions?: ProtobufReadOptions;
}

/** Options of {@link createProtobufSerializer}. */
export interface ProtobufSerializerOptions extends ProtobufDeserializerOptions {
  /**
   * The local schema: `.proto` text, or a `SchemaInfo` (`{ schema, references?, metadata?,
   * ruleSet? }`) whose references name the imported files (`name` = the import path). Used to
   * register it (`autoRegisterSchemas`), to look it up (the default when neither
   * `useLatestVersion`, `useLatestWithMetadata` nor `useSchemaId` is set) and for the record
   * name of the record subject-name strategies (its first message). Rules and tags always come
   * from the registry's copy. [none]
   */
  readonly schema?: SchemaInfo | string;
  /**
   * The message type values are written as, by full name (`shop.Order`, `shop.Order.Line`) or
   * name relative to the package. Without it: the type of a protobufjs message instance
   * (`$type.fullName`), else the schema's first message. [none]
   */
  readonly messageName?: string;
}

/** Options of {@link createProtobufSerde}: both sides. */
export type ProtobufSerdeOptions = ProtobufSerializerOptions;

/** Serializes values to Confluent-framed Protobuf. */
export interface ProtobufSerializer extends Serializer {
  /** True if this serializer writes keys (`<topic>-key`). */
  readonly isKey: boolean;
  /**
   * Serializes `value` (a plain object or a protobufjs message instance) for `topic`:
   * `0x00 || schema id || message indexes || body`, with encryption rules applied.
   * The caller's value is never mutated.
   * @throws {SerdeError} `SERIALIZATION_FAILED` when the value does not match its message type
   *   (the message names the field path, never the value), `SCHEMA_ERROR`, `REGISTRY_*`.
   * @throws {RuleError} when an encryption rule fails (`RULE_FAILED`, `PLAINTEXT_REFUSED`, ...).
   */
  serialize(topic: string, value: unknown, headers?: ProtobufHeaders): Promise<Buffer>;
}

/** What {@link ProtobufDeserializer.deserializeWithReport} resolves. */
export type ProtobufDeserializeResult = DeserializeResult;

/** Deserializes Confluent-framed Protobuf into plain objects. */
export interface ProtobufDeserializer extends Deserializer {
  readonly isKey: boolean;
  /**
   * Deserializes a message written by any Confluent-compatible Protobuf serializer.
   * @throws {SerdeError} `INVALID_FRAME` (short frame, bad message indexes),
   *   `REGISTRY_NOT_FOUND` (unknown schema id), `DESERIALIZATION_FAILED` (body not valid for
   *   the message type), `SCHEMA_ERROR`.
   * @throws {RuleError} when a decryption rule fails and its `onFailure` is `ERROR` / `DLQ`.
   */
  deserialize(topic: string, bytes: Uint8Array, headers?: ProtobufHeaders): Promise<unknown>;
  /** Like `deserialize`, and reports what happened to each protected field. */
  deserializeWithReport(topic: string, bytes: Uint8Array, headers?: ProtobufHeaders): Promise<ProtobufDeserializeResult>;
}

/** Both sides, sharing schema caches and DEK caches. */
export interface ProtobufSerde extends ProtobufSerializer, ProtobufDeserializer {}

// ---------------------------------------------------------------------------------------------

interface FormatConfig {
  readonly parse: ProtobufParseOptions;
  readonly read: ProtobufReadOptions;
  readonly messageName: string | undefined;
}

/** The prepared form of one registered schema: a FormatMessage per message type of its file. */
function prepareSchema(schema: RegisteredSchema, parsed: ParsedProtoSchema, config: FormatConfig): PreparedSchema {
  const externalTags = schema.metadata?.tags;
  const conv = conversionOptions(config.read);
  const messages = new Map<ProtoMessage, FormatMessage>();
  const formatMessage = (m: ProtoMessage): FormatMessage => {
    let fm = messages.get(m);
    if (fm) return fm;
    const type = m.type;
    fm = {
      // One stable target per message type: the engine caches each rule's walk per target.
      target: {
        info: schema,
        buildTransformer: (match) => buildProtobufTransformer({ parsed, externalTags }, type, match),
      },
      indexes: writeMessageIndexes(m.indexes),
      encode: (v, original) => encodeMessage(type, v, original, schema.id),
      decode: (body) => decodeMessage(type, body, conv, schema.id),
      // A rule failing because the value does not fit the type is a serialization error.
      explainWriteFailure: (value) => invalidValueError(type, value, schema.id),
    };
    messages.set(m, fm);
    return fm;
  };
  for (const m of parsed.byName.values()) formatMessage(m);

  const noMessage = (): SerdeError => new SerdeError(ErrorCodes.SCHEMA_ERROR, `protobuf: schema id ${schema.id} declares no message`, { schemaId: schema.id });
  const first = parsed.topLevel[0];
  let named: FormatMessage | SerdeError | undefined;
  if (config.messageName !== undefined) {
    const m = findMessage(parsed, config.messageName);
    named = m
      ? formatMessage(m)
      : new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `protobuf: message ${config.messageName} is not declared in schema id ${schema.id}`, {
          schemaId: schema.id,
        });
  }

  return {
    recordName: parsed.recordName,
    messageFor(value) {
      if (named) {
        if (named instanceof SerdeError) throw named;
        return named;
      }
      if (value !== null && typeof value === 'object' && isProtobufjsMessage(value)) {
        const name = (value as { $type: { fullName: string } }).$type.fullName;
        const m = findMessage(parsed, name);
        if (!m) {
          throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `protobuf: message type ${name.replace(/^\./, '')} is not declared in schema id ${schema.id}`, {
            schemaId: schema.id,
          });
        }
        return formatMessage(m);
      }
      if (!first) throw noMessage();
      return formatMessage(first);
    },
    messageAt(rest) {
      const { indexes, length } = readMessageIndexes(rest);
      if (!first) throw noMessage();
      let list: readonly ProtoMessage[] = parsed.topLevel;
      let m: ProtoMessage | undefined;
      for (const i of indexes) {
        m = list[i];
        if (!m) {
          throw new SerdeError(ErrorCodes.INVALID_FRAME, `protobuf: message indexes [${indexes.join(', ')}] do not name a message of schema id ${schema.id}`, {
            schemaId: schema.id,
          });
        }
        list = m.nested;
      }
      if (!m) throw noMessage();
      return { message: formatMessage(m), offset: length };
    },
  };
}

/** The Protobuf format for core's shared serde flow. */
function protobufFormat(config: FormatConfig): Format {
  return {
    name: 'protobuf',
    schemaType: 'PROTOBUF',
    async prepare(schema, registry) {
      const parsed = await parseProtobufSchema(schema, registry, config.parse);
      return prepareSchema(schema, parsed, config);
    },
  };
}

/** Reads the local schema option into a SchemaInfo, validating the .proto text eagerly. */
function localSchemaOf(schema: SchemaInfo | string | undefined, parse: ProtobufParseOptions): LocalSchema | undefined {
  if (schema === undefined) return undefined;
  let info: SchemaInfo;
  if (typeof schema === 'string') {
    info = { schema, schemaType: 'PROTOBUF' };
  } else if (typeof schema === 'object' && schema !== null && typeof (schema as { schema?: unknown }).schema === 'string') {
    if (schema.schemaType !== undefined && schema.schemaType !== 'PROTOBUF') {
      throw new TypeError(`protobuf: "schema.schemaType" expected "PROTOBUF", got ${JSON.stringify(schema.schemaType)}`);
    }
    info = schema.schemaType === 'PROTOBUF' ? schema : { ...schema, schemaType: 'PROTOBUF' };
  } else {
    throw new TypeError(`protobuf: "schema" expected .proto text or a SchemaInfo, got ${schema === null ? 'null' : typeof schema}`);
  }
  let recordName: string | undefined;
  try {
    const text = protoTextOf(info.schema, 'schema');
    const scanned = scanSchema(text);
    recordName = scanned.recordName;
    // With only built-in imports the schema can be resolved now; other imports need the registry.
    if (scanned.imports.every(isBuiltinImport)) parseWithImports(text, new Map(), parse);
  } catch (e) {
    throw new TypeError(`protobuf: "schema" expected a valid .proto schema: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { info, recordName };
}

function configOf(options: ProtobufSerializerOptions): FormatConfig {
  if (!options || typeof options !== 'object') throw new TypeError(`protobuf: options expected an object, got ${options === null ? 'null' : typeof options}`);
  const parse = options.parseOptions ?? {};
  if (typeof parse !== 'object' || parse === null) throw new TypeError(`protobuf: "parseOptions" expected an object, got ${parse === null ? 'null' : typeof parse}`);
  if (parse.keepCase !== undefined && typeof parse.keepCase !== 'boolean') {
    throw new TypeError(`protobuf: "parseOptions.keepCase" expected a boolean, got ${typeof parse.keepCase}`);
  }
  if (options.messageName !== undefined && (typeof options.messageName !== 'string' || options.messageName === '')) {
    throw new TypeError(`protobuf: "messageName" expected a non-empty string, got ${JSON.stringify(options.messageName)}`);
  }
  return { parse, read: checkReadOptions(options.readOptions), messageName: options.messageName };
}

/**
 * Creates a Protobuf serializer.
 *
 * @param options - {@link ProtobufSerializerOptions}: a registry client (required), the DEK
 *   registry and KMS clients when schemas carry encryption rules, how to pick the schema and the
 *   message type, rule options.
 * @returns a {@link ProtobufSerializer}.
 * @throws {TypeError} for bad options (missing registry, unparsable local schema, ...).
 * @example
 * ```ts
 * const serializer = createProtobufSerializer({ registry, deks, kms: [createLocalKms({ secret })], useLatestVersion: true });
 * const bytes = await serializer.serialize('customers', { id: 1, ssn: '123-45-6789' });
 * ```
 */
export function createProtobufSerializer(options: ProtobufSerializerOptions): ProtobufSerializer {
  const { isKey, serialize } = createProtobufSerde(options);
  return { isKey, serialize };
}

/**
 * Creates a Protobuf deserializer (writer schema from the registry by the id in the message,
 * message type by the message indexes). Values are plain objects (see `readOptions`).
 *
 * @param options - {@link ProtobufDeserializerOptions}.
 * @returns a {@link ProtobufDeserializer}.
 * @throws {TypeError} for bad options.
 * @example
 * ```ts
 * const deserializer = createProtobufDeserializer({ registry, deks, kms: [createLocalKms({ secret })] });
 * const customer = await deserializer.deserialize('customers', bytes);
 * ```
 */
export function createProtobufDeserializer(options: ProtobufDeserializerOptions): ProtobufDeserializer {
  const { isKey, deserialize, deserializeWithReport } = createFormatSerde(protobufFormat(configOf(options)), options);
  return { isKey, deserialize, deserializeWithReport };
}

/**
 * Creates a serializer and deserializer in one object, sharing schema and DEK caches.
 *
 * @param options - {@link ProtobufSerdeOptions}.
 * @returns a {@link ProtobufSerde}.
 * @throws {TypeError} for bad options.
 * @example
 * ```ts
 * const serde = createProtobufSerde({ registry, deks, kms, useLatestVersion: true });
 * const value = await serde.deserialize('customers', await serde.serialize('customers', customer));
 * ```
 */
export function createProtobufSerde(options: ProtobufSerdeOptions): ProtobufSerde {
  const config = configOf(options);
  return createFormatSerde(protobufFormat(config), options, localSchemaOf(options.schema, config.parse));
}
