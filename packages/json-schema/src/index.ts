/**
 * `@csfle/json-schema`: JSON Schema serializer / deserializer for Kafka with client-side field
 * level encryption, byte-compatible with Confluent's CSFLE (`@confluentinc/schemaregistry` 1.10.x).
 *
 * Wire format and rule semantics: docs/confluent-csfle-format.md (§3.4 how JSON fields carry
 * ciphertext, §3.6 framing, §5 failure handling, §7 tag discovery). JSON Schema drafts 6, 7,
 * 2019-09 and 2020-12 (validation by ajv).
 */
export {
  createJsonSchemaDeserializer,
  createJsonSchemaSerde,
  createJsonSchemaSerializer,
  type JsonSchemaDeserializeResult,
  type JsonSchemaDeserializer,
  type JsonSchemaDeserializerOptions,
  type JsonSchemaHeaders,
  type JsonSchemaSerde,
  type JsonSchemaSerdeOptions,
  type JsonSchemaSerializer,
  type JsonSchemaSerializerOptions,
} from './serde.js';
export { dialectOf, parseJsonSchema, ROOT_DOCUMENT, type JsonSchemaDialect, type JsonSchemaDocument, type ParsedJsonSchema } from './schema.js';
export { createValidation, type AjvOptions, type InvalidValue, type Validation } from './validate.js';
export { buildJsonTransformer, fieldTypeOf, MAX_FIELD_DEPTH, type WalkSchema } from './walk.js';
