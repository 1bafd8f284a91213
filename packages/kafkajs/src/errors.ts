/**
 * Errors of the Kafka wrappers. Each carries the record's coordinates and the failing part (key
 * or value); the `code` is the underlying serde/rule error's code and `cause` is that error.
 * Messages never contain a record's bytes or plaintext.
 */
import { CsfleError, ErrorCodes, isCsfleError, type CsfleErrorCode } from '@csfle/core';

/** Which part of a record failed. */
export type RecordPart = 'key' | 'value';

function codeOf(cause: unknown, fallback: CsfleErrorCode): CsfleErrorCode {
  return isCsfleError(cause) ? cause.code : fallback;
}

function detailOf(cause: unknown): string {
  return isCsfleError(cause) ? cause.message : cause instanceof Error ? cause.name : 'unknown error';
}

/** A message of a `send`/`sendBatch` could not be serialized; nothing of that call was sent. */
export class RecordSerializationError extends CsfleError {
  override readonly name: string = 'RecordSerializationError';
  readonly topic: string;
  /** Index of the message in its topic's `messages` array. */
  readonly index: number;
  readonly part: RecordPart;
  constructor(topic: string, index: number, part: RecordPart, cause: unknown) {
    super(
      codeOf(cause, ErrorCodes.SERIALIZATION_FAILED),
      `csfle/kafkajs: could not serialize the ${part} of message ${index} for topic "${topic}"; nothing of this send was produced: ${detailOf(cause)}`,
      { cause, retriable: isCsfleError(cause) ? cause.retriable : false },
    );
    this.topic = topic;
    this.index = index;
    this.part = part;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), topic: this.topic, index: this.index, part: this.part };
  }
}

/** A consumed record could not be deserialized (or decrypted under an `ERROR` rule). */
export class RecordDeserializationError extends CsfleError {
  override readonly name: string = 'RecordDeserializationError';
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly part: RecordPart;
  /** The `onFailure` action of the rule that failed, when a rule failed (`ERROR`, `DLQ`, …). */
  readonly action: string | undefined;
  constructor(topic: string, partition: number, offset: string, part: RecordPart, cause: unknown) {
    super(
      codeOf(cause, ErrorCodes.DESERIALIZATION_FAILED),
      `csfle/kafkajs: could not deserialize the ${part} of ${topic}[${partition}]@${offset}: ${detailOf(cause)}`,
      { cause, retriable: isCsfleError(cause) ? cause.retriable : false },
    );
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.part = part;
    const action = (cause as { action?: unknown } | undefined)?.action;
    this.action = typeof action === 'string' ? action : undefined;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), topic: this.topic, partition: this.partition, offset: this.offset, part: this.part, action: this.action };
  }
}

/** Writing a failed record to the dead-letter topic failed; the record was not consumed. */
export class DeadLetterError extends CsfleError {
  override readonly name: string = 'DeadLetterError';
  readonly dlqTopic: string;
  constructor(dlqTopic: string, cause: unknown) {
    super(ErrorCodes.KAFKA_ERROR, `csfle/kafkajs: could not write to dead-letter topic "${dlqTopic}"; the record will be redelivered`, {
      cause,
      retriable: true,
    });
    this.dlqTopic = dlqTopic;
  }
}

export function isRecordDeserializationError(e: unknown): e is RecordDeserializationError {
  return isCsfleError(e) && e.name === 'RecordDeserializationError';
}
export function isRecordSerializationError(e: unknown): e is RecordSerializationError {
  return isCsfleError(e) && e.name === 'RecordSerializationError';
}
