/**
 * `@csfle/avro`: Avro serializer / deserializer for Kafka with client-side field level
 * encryption, byte-compatible with Confluent's CSFLE (`@confluentinc/schemaregistry` 1.10.x).
 *
 * Wire format and rule semantics: docs/confluent-csfle-format.md (§3 ciphertext layouts and
 * framing, §5 failure handling, §7 tag discovery). Avro 1.11 specification for the binary body.
 */
export {
  createAvroDeserializer,
  createAvroSerde,
  createAvroSerializer,
  type AvroDeserializeResult,
  type AvroDeserializer,
  type AvroDeserializerOptions,
  type AvroHeaders,
  type AvroSerde,
  type AvroSerdeOptions,
  type AvroSerializer,
  type AvroSerializerOptions,
} from './serde.js';
export { parseAvroSchema, recordNameOf, type AvroType, type AvroTypeOptions, type ParsedAvroSchema, type RecordTags } from './schema.js';
export { buildAvroTransformer, fieldTypeOf, type WalkSchema } from './walk.js';
