/**
 * @csfle/kafkajs — kafkajs producer and consumer wrappers that serialize and encrypt (and decrypt
 * and deserialize) with csfle serdes, with a dead-letter queue for records that fail to decrypt.
 * Depends on the serde interfaces of `@csfle/core` only: bring `@csfle/avro`, `@csfle/json-schema`
 * or `@csfle/protobuf` for the format.
 */
export { wrapProducer, type CsfleProducer, type WrapProducerOptions, type PlainMessage, type PlainProducerRecord, type PlainProducerBatch, type PlainTopicMessages } from './producer.js';
export {
  wrapConsumer,
  DlqHeaders,
  type CsfleConsumer,
  type CsfleConsumerRunConfig,
  type WrapConsumerOptions,
  type DeadLetterOptions,
  type DeadLetteredRecord,
  type DecodedMessage,
  type DecodedBatch,
  type DecodedEachMessagePayload,
  type DecodedEachBatchPayload,
  type ErrorDecision,
} from './consumer.js';
export type { SerdeSelector, SerdeChoice } from './select.js';
export {
  RecordSerializationError,
  RecordDeserializationError,
  DeadLetterError,
  isRecordDeserializationError,
  isRecordSerializationError,
  type RecordPart,
} from './errors.js';
export {
  createCompatSchemaRegistry,
  SchemaType,
  type CompatSchemaRegistry,
  type CompatRegistryOptions,
  type CompatSchema,
  type SchemaTypeName,
  type SerdeFactory,
} from './compat.js';
