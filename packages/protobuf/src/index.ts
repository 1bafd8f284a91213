/**
 * `@csfle/protobuf`: Protobuf serializer / deserializer for Kafka with client-side field level
 * encryption, byte-compatible with Confluent's CSFLE (`@confluentinc/schemaregistry` 1.10.x),
 * and correct where Confluent's JS client is not: tagged fields of nested messages are encrypted
 * at every depth (see docs/protobuf.md).
 *
 * Wire format and rule semantics: docs/confluent-csfle-format.md (§3 ciphertext layouts and
 * framing, §3.6 message indexes, §5 failure handling, §7 tag discovery).
 */
export {
  createProtobufDeserializer,
  createProtobufSerde,
  createProtobufSerializer,
  type ProtobufDeserializeResult,
  type ProtobufDeserializer,
  type ProtobufDeserializerOptions,
  type ProtobufHeaders,
  type ProtobufSerde,
  type ProtobufSerdeOptions,
  type ProtobufSerializer,
  type ProtobufSerializerOptions,
} from './serde.js';
export type { ProtobufReadOptions } from './codec.js';
export {
  findMessage,
  parseProtobufSchema,
  parseProtoText,
  toFileDescriptorProto,
  type FieldMeta,
  type ParsedProtoSchema,
  type ProtoMessage,
  type ProtobufParseOptions,
} from './schema.js';
export { fileDescriptorToProto, isSerializedSchema } from './descriptor.js';
export { CONFLUENT_META_PROTO, isBuiltinImport } from './builtins.js';
export { buildProtobufTransformer, fieldTypeOf, fieldTypeOfScalar, type WalkSchema } from './walk.js';
