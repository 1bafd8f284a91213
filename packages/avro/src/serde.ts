/**
 * Avro serializer / deserializer with Confluent-compatible client-side field level encryption.
 *
 * The flow (schema resolution, rules, framing) is core's `createFormatSerde`, shared by every
 * format; this file supplies the Avro part: parse a registered schema (with references), build
 * its field walk, encode and decode with avsc, and error messages that never quote values.
 *
 * Nothing per record parses a schema or walks one: all of that happens once per schema id.
 */
import {
  ErrorCodes,
  SerdeError,
  createFormatSerde,
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

/** The Avro format for core's shared serde flow. */
function avroFormat(avroOptions: AvroTypeOptions | undefined): Format {
  return {
    name: 'avro',
    schemaType: 'AVRO',
    async prepare(schema: RegisteredSchema, registry): Promise<PreparedSchema> {
      const parsed = await parseAvroSchema(schema, registry, avroOptions);
      const type = parsed.type;
      const externalTags = schema.metadata?.tags;
      const message: FormatMessage = {
        target: {
          info: schema,
          buildTransformer: (match) => buildAvroTransformer({ type, inlineTags: parsed.inlineTags, externalTags }, match),
        },
        encode(v, original) {
          try {
            return type.toBuffer(v);
          } catch {
            // avsc's message contains the value: never surface it (it may be plaintext).
            throw (
              invalidValueError(type, original, schema.id) ??
              invalidValueError(type, v, schema.id) ??
              new SerdeError(ErrorCodes.SERIALIZATION_FAILED, 'avro: value could not be encoded with the schema', { schemaId: schema.id })
            );
          }
        },
        decode(body) {
          try {
            return type.fromBuffer(body);
          } catch (e) {
            // Only avsc's structural read errors are quoted; anything else (e.g. a logical type's
            // conversion error) could carry a decoded value, so it is not passed on.
            const m = e instanceof Error ? e.message : '';
            const reason = SAFE_READ_ERRORS.test(m) ? `: ${m}` : '';
            throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `avro: body is not valid Avro for schema id ${schema.id}${reason}`, {
              schemaId: schema.id,
            });
          }
        },
        // A rule failing because the value does not fit the schema is a serialization error.
        explainWriteFailure: (value) => invalidValueError(type, value, schema.id),
      };
      return { recordName: parsed.recordName, messageFor: () => message, messageAt: () => ({ message, offset: 0 }) };
    },
  };
}

/** Reads the local schema option into a SchemaInfo, validating its JSON eagerly. */
function localSchemaOf(schema: SchemaInfo | string | object | undefined, avroOptions: AvroTypeOptions | undefined): LocalSchema | undefined {
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

/**
 * The SERIALIZATION_FAILED error for a value that does not fit the schema: names the first
 * bad path and the expected type, never the value (it may be plaintext PII).
 */
function invalidValueError(type: AvroType, value: unknown, schemaId: number): SerdeError | undefined {
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
    { schemaId },
  );
}

/** avsc decode errors that never contain data. */
const SAFE_READ_ERRORS = /^(truncated buffer|trailing data|invalid union index(: -?\d+)?|invalid [\w.]+ enum index: -?\d+)$/;

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
  const { isKey, serialize } = createAvroSerde(options);
  return { isKey, serialize };
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
  const { isKey, deserialize, deserializeWithReport } = createFormatSerde(avroFormat(checkAvroOptions(options.avroOptions)), options);
  return { isKey, deserialize, deserializeWithReport };
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
  const avroOptions = checkAvroOptions(options.avroOptions);
  return createFormatSerde(avroFormat(avroOptions), options, localSchemaOf(options.schema, avroOptions));
}

function checkAvroOptions(avroOptions: AvroTypeOptions | undefined): AvroTypeOptions | undefined {
  if (avroOptions !== undefined && (typeof avroOptions !== 'object' || avroOptions === null)) {
    throw new TypeError(`avro: "avroOptions" expected an object, got ${avroOptions === null ? 'null' : typeof avroOptions}`);
  }
  return avroOptions;
}
