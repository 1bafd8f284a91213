/**
 * JSON Schema serializer / deserializer with Confluent-compatible client-side field level
 * encryption.
 *
 * The flow (schema resolution, rules, framing) is core's `createFormatSerde`, shared by every
 * format; this file supplies the JSON part: parse a registered schema (with references), build
 * its field walk, validate with ajv, write and read the JSON text, and error messages that never
 * quote values.
 *
 * Wire body: the UTF-8 bytes of `JSON.stringify(value)` (no whitespace), exactly what Confluent's
 * `JsonSerializer` writes; framing `0x00 || schema id (int32 BE) || body` (facts §3.6).
 *
 * Validation (ajv, facts §7 / Confluent `validate`): on write it runs on the caller's value
 * *before* any rule, so constraints on a field that is then encrypted (`format`, `pattern`,
 * `maxLength`, ...) apply to the plaintext and an invalid value never reaches the KMS. Confluent
 * validates after its rules, i.e. the ciphertext. On read it runs after decryption, as Confluent.
 *
 * Nothing per record parses, compiles or walks a schema: all of that happens once per schema id.
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
import { indexDocuments, isObject, parseJsonSchema, parseSchemaJson, ROOT_DOCUMENT, titleOf, type ParsedJsonSchema } from './schema.js';
import { createValidation, invalidValueError, type AjvOptions, type Validation } from './validate.js';
import { buildJsonTransformer } from './walk.js';

/** Kafka-style headers (kafkajs `IHeaders`): only the schema-id headers are read. */
export type JsonSchemaHeaders = SerdeHeaders;

/** Options of {@link createJsonSchemaDeserializer}. Defaults in brackets. */
export interface JsonSchemaDeserializerOptions extends SerdeOptions {
  /**
   * Validate values against the writer schema: after decryption when reading, before any rule
   * when writing. [reads: false; writes: true]
   */
  readonly validate?: boolean;
  /**
   * ajv options for every schema (e.g. `allErrors`, `strict`, `formats`, `validateFormats`).
   * The serde always adds the `confluent:tags` keyword and the `ajv-formats` formats (formats given
   * here win). [`{ strict: false }`: registered schemas may carry vendor keywords]
   */
  readonly ajvOptions?: AjvOptions;
}

/** Options of {@link createJsonSchemaSerializer}. */
export interface JsonSchemaSerializerOptions extends JsonSchemaDeserializerOptions {
  /**
   * The local schema: a `SchemaInfo` (`{ schema, references?, metadata?, ruleSet? }`; its
   * `schemaType` is set to `JSON`), the JSON Schema text, or the JSON Schema as a value. Used to
   * register it (`autoRegisterSchemas`), to look it up (the default when neither
   * `useLatestVersion`, `useLatestWithMetadata` nor `useSchemaId` is set) and, through its
   * `title`, for the record subject-name strategies. Rules and tags always come from the
   * registry's copy. [none]
   */
  readonly schema?: SchemaInfo | string | object | boolean;
}

/** Options of {@link createJsonSchemaSerde}: both sides. */
export type JsonSchemaSerdeOptions = JsonSchemaSerializerOptions;

/** Serializes values to Confluent-framed JSON. */
export interface JsonSchemaSerializer extends Serializer {
  /** True if this serializer writes keys (`<topic>-key`). */
  readonly isKey: boolean;
  /**
   * Serializes `value` for `topic`: `0x00 || schema id || JSON text`, with encryption rules
   * applied. The caller's value is never mutated.
   * @throws {SerdeError} `SERIALIZATION_FAILED` when the value does not match the schema (the
   *   message names the path and keyword, never the value) or is not representable as JSON,
   *   `SCHEMA_ERROR`, `REGISTRY_*`.
   * @throws {RuleError} when an encryption rule fails (`RULE_FAILED`, `PLAINTEXT_REFUSED`, ...).
   */
  serialize(topic: string, value: unknown, headers?: JsonSchemaHeaders): Promise<Buffer>;
}

/** What {@link JsonSchemaDeserializer.deserializeWithReport} resolves. */
export type JsonSchemaDeserializeResult = DeserializeResult;

/** Deserializes Confluent-framed JSON. */
export interface JsonSchemaDeserializer extends Deserializer {
  readonly isKey: boolean;
  /**
   * Deserializes a message written by any Confluent-compatible JSON Schema serializer.
   * @throws {SerdeError} `INVALID_FRAME`, `REGISTRY_NOT_FOUND` (unknown schema id),
   *   `DESERIALIZATION_FAILED` (body not JSON, or not valid for the schema when validating),
   *   `SCHEMA_ERROR`.
   * @throws {RuleError} when a decryption rule fails and its `onFailure` is `ERROR` / `DLQ`.
   */
  deserialize(topic: string, bytes: Uint8Array, headers?: JsonSchemaHeaders): Promise<unknown>;
  /** Like `deserialize`, and reports what happened to each protected field. */
  deserializeWithReport(topic: string, bytes: Uint8Array, headers?: JsonSchemaHeaders): Promise<JsonSchemaDeserializeResult>;
}

/** Both sides, sharing schema caches and DEK caches. */
export interface JsonSchemaSerde extends JsonSchemaSerializer, JsonSchemaDeserializer {}

// ---------------------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface FormatConfig {
  readonly ajvOptions: AjvOptions | undefined;
  readonly validateWrite: boolean;
}

/** The JSON Schema format for core's shared serde flow, plus the validators by schema id (for reads). */
function jsonFormat(config: FormatConfig): Format & { validationOf(schemaId: number): Validation | undefined } {
  const validations = new Map<number, Validation>();
  return {
    name: 'json-schema',
    schemaType: 'JSON',
    validationOf: (id) => validations.get(id),
    async prepare(schema: RegisteredSchema, registry): Promise<PreparedSchema> {
      const parsed = await parseJsonSchema(schema, registry);
      const validation = createValidation(parsed, config.ajvOptions, schema.id);
      if (validations.size < 10_000) validations.set(schema.id, validation);
      const walk = {
        root: parsed.root,
        externalTags: schema.metadata?.tags,
        inlineTags: parsed.inlineTags,
        refOf: parsed.refOf,
        hasRef: parsed.hasRef,
        branch: validation.branch,
      };
      const explain = (value: unknown): SerdeError | undefined => {
        let bad;
        try {
          bad = validation.check(value);
        } catch {
          return undefined; // the schema cannot be compiled: keep the original error
        }
        return bad ? invalidValueError(bad, ErrorCodes.SERIALIZATION_FAILED, schema.id) : undefined;
      };
      const message: FormatMessage = {
        target: { info: schema, buildTransformer: (match) => buildJsonTransformer(walk, match) },
        encode(v) {
          let text: string | undefined;
          try {
            text = JSON.stringify(v);
          } catch (e) {
            // TypeError for BigInt / circular structures; its message may name keys, not values.
            throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, 'json-schema: value is not representable as JSON (BigInt or circular structure)', {
              schemaId: schema.id,
              cause: e instanceof TypeError ? new TypeError('JSON.stringify failed') : undefined,
            });
          }
          if (text === undefined) {
            throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `json-schema: value of type ${typeof v} is not representable as JSON`, { schemaId: schema.id });
          }
          return Buffer.from(text, 'utf8');
        },
        decode(body) {
          try {
            return JSON.parse(utf8.decode(body)) as unknown;
          } catch {
            // JSON.parse quotes the input in its message: never pass it on.
            throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `json-schema: body is not valid UTF-8 JSON text for schema id ${schema.id}`, {
              schemaId: schema.id,
            });
          }
        },
        // A rule failing because the value does not fit the schema is a serialization error.
        explainWriteFailure: (value) => explain(value),
      };
      return {
        recordName: parsed.recordName,
        // Runs before any rule: validation of the caller's (plaintext) value.
        messageFor(value) {
          if (value === undefined) {
            throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, 'json-schema: value of type undefined is not representable as JSON', { schemaId: schema.id });
          }
          if (config.validateWrite) validation.assert(value, ErrorCodes.SERIALIZATION_FAILED, schema.id);
          return message;
        },
        messageAt: () => ({ message, offset: 0 }),
      };
    },
  };
}

/** Reads the local schema option into a SchemaInfo, checking it eagerly where possible. */
function localSchemaOf(schema: JsonSchemaSerializerOptions['schema'], ajvOptions: AjvOptions | undefined, compile: boolean): LocalSchema | undefined {
  if (schema === undefined) return undefined;
  let info: SchemaInfo;
  if (typeof schema === 'string') {
    info = { schemaType: 'JSON', schema };
  } else if (isObject(schema) && typeof schema['schema'] === 'string') {
    const given = schema as unknown as SchemaInfo;
    if (given.schemaType !== undefined && given.schemaType !== 'JSON') {
      throw new TypeError(`json-schema: "schema.schemaType" expected "JSON", got ${JSON.stringify(given.schemaType)}`);
    }
    info = { ...given, schemaType: 'JSON' };
  } else if (isObject(schema) || typeof schema === 'boolean') {
    info = { schemaType: 'JSON', schema: JSON.stringify(schema) };
  } else {
    throw new TypeError(`json-schema: "schema" expected a SchemaInfo, JSON Schema text or a JSON Schema value, got ${schema === null ? 'null' : Array.isArray(schema) ? 'array' : typeof schema}`);
  }
  let json: unknown;
  try {
    json = parseSchemaJson(info.schema, 'schema');
  } catch {
    throw new TypeError('json-schema: "schema" expected JSON Schema text (an object or boolean), got unparsable or other JSON');
  }
  // Without references the schema can be checked now (its `$ref`s, and when writes validate, that
  // ajv compiles it); with references it needs the registry.
  if (!info.references || info.references.length === 0) {
    let parsed: ParsedJsonSchema;
    try {
      parsed = indexDocuments([{ name: ROOT_DOCUMENT, json }]);
      if (compile) createValidation(parsed, ajvOptions, undefined).check(null);
    } catch (e) {
      throw new TypeError(`json-schema: "schema" expected a valid JSON Schema: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { info, recordName: titleOf(json) };
}

function checkAjvOptions(ajvOptions: AjvOptions | undefined): AjvOptions | undefined {
  if (ajvOptions !== undefined && (typeof ajvOptions !== 'object' || ajvOptions === null)) {
    throw new TypeError(`json-schema: "ajvOptions" expected an object, got ${ajvOptions === null ? 'null' : typeof ajvOptions}`);
  }
  return ajvOptions;
}

function checkOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`json-schema: "options" expected an object, got ${options === null ? 'null' : typeof options}`);
  }
}

function checkValidate(validate: unknown): void {
  if (validate !== undefined && typeof validate !== 'boolean') {
    throw new TypeError(`json-schema: "validate" expected boolean, got ${typeof validate}`);
  }
}

/** Builds both sides; `validateRead` adds the post-decryption validation to reads. */
function build(options: JsonSchemaSerdeOptions, validateWrite: boolean, validateRead: boolean, local: LocalSchema | undefined): JsonSchemaSerde {
  checkValidate(options.validate);
  const ajvOptions = checkAjvOptions(options.ajvOptions);
  const format = jsonFormat({ ajvOptions, validateWrite });
  const serde = createFormatSerde(format, options, local);
  if (!validateRead) return serde;
  const check = (r: DeserializeResult): DeserializeResult => {
    format.validationOf(r.schemaId)?.assert(r.value, ErrorCodes.DESERIALIZATION_FAILED, r.schemaId);
    return r;
  };
  return {
    isKey: serde.isKey,
    serialize: serde.serialize,
    async deserialize(topic, bytes, headers) {
      return check(await serde.deserializeWithReport(topic, bytes, headers)).value;
    },
    async deserializeWithReport(topic, bytes, headers) {
      return check(await serde.deserializeWithReport(topic, bytes, headers));
    },
  };
}

/**
 * Creates a JSON Schema serializer.
 *
 * @param options - {@link JsonSchemaSerializerOptions}: a registry client (required), the DEK
 *   registry and KMS clients when schemas carry encryption rules, how to pick the schema,
 *   validation and rule options.
 * @returns a {@link JsonSchemaSerializer}.
 * @throws {TypeError} for bad options (missing registry, invalid local schema, ...).
 * @example
 * ```ts
 * const serializer = createJsonSchemaSerializer({ registry, deks, kms: [createLocalKms({ secret })], useLatestVersion: true });
 * const bytes = await serializer.serialize('customers', { id: 1, ssn: '123-45-6789' });
 * ```
 */
export function createJsonSchemaSerializer(options: JsonSchemaSerializerOptions): JsonSchemaSerializer {
  const { isKey, serialize } = createJsonSchemaSerde(options);
  return { isKey, serialize };
}

/**
 * Creates a JSON Schema deserializer (writer schema from the registry by the id in the message).
 *
 * @param options - {@link JsonSchemaDeserializerOptions}.
 * @returns a {@link JsonSchemaDeserializer}.
 * @throws {TypeError} for bad options.
 * @example
 * ```ts
 * const deserializer = createJsonSchemaDeserializer({ registry, deks, kms: [createLocalKms({ secret })] });
 * const customer = await deserializer.deserialize('customers', bytes);
 * ```
 */
export function createJsonSchemaDeserializer(options: JsonSchemaDeserializerOptions): JsonSchemaDeserializer {
  checkOptions(options);
  const { isKey, deserialize, deserializeWithReport } = build(options, false, options.validate ?? false, undefined);
  return { isKey, deserialize, deserializeWithReport };
}

/**
 * Creates a serializer and deserializer in one object, sharing schema and DEK caches.
 * `validate`, when given, applies to both sides; by default writes validate and reads do not.
 *
 * @param options - {@link JsonSchemaSerdeOptions}.
 * @returns a {@link JsonSchemaSerde}.
 * @throws {TypeError} for bad options.
 * @example
 * ```ts
 * const serde = createJsonSchemaSerde({ registry, deks, kms, useLatestVersion: true });
 * const value = await serde.deserialize('customers', await serde.serialize('customers', customer));
 * ```
 */
export function createJsonSchemaSerde(options: JsonSchemaSerdeOptions): JsonSchemaSerde {
  checkOptions(options);
  const ajvOptions = checkAjvOptions(options.ajvOptions);
  checkValidate(options.validate);
  const validateWrite = options.validate ?? true;
  return build(options, validateWrite, options.validate ?? false, localSchemaOf(options.schema, ajvOptions, validateWrite));
}
