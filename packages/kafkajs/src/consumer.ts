/**
 * `wrapConsumer`: a kafkajs consumer whose `eachMessage`/`eachBatch` handlers receive decrypted,
 * deserialized keys and values, with the raw message still reachable and a per-field report.
 *
 * Failures follow the failing rule's `onFailure`:
 * - `NONE`: the record is delivered; fields that could not be decrypted hold their ciphertext and
 *   `message.passedThrough` is true (each field's outcome is in `message.outcomes`).
 * - `DLQ`: the record is written, bytes and headers untouched plus `csfle.dlq.*` error headers, to
 *   the dead-letter topic, awaited, and consumption continues. If the DLQ write fails the handler
 *   throws, so kafkajs redelivers the record: every record ends in the handler or in the DLQ.
 * - `ERROR` (and any other failure): the handler is not called and `run`'s handler throws a
 *   {@link RecordDeserializationError}, so kafkajs does not commit past the record (it retries,
 *   then restarts or crashes per its retry settings). `onError` can choose otherwise.
 *   Records that cannot be deserialized at all (corrupt frame, unknown schema) go to the DLQ when
 *   one is configured (`dlq.undecodable`, default true), otherwise they fail the same way.
 */
import type { Deserializer, FieldOutcome, SerdeHeaders } from '@csfle/core';
import { CsfleError, ErrorCodes, isCsfleError } from '@csfle/core';
import type {
  Batch,
  Consumer,
  ConsumerRunConfig,
  EachBatchPayload,
  EachMessagePayload,
  IHeaders,
  KafkaMessage,
  Producer,
} from 'kafkajs';
import { DeadLetterError, RecordDeserializationError, type RecordPart } from './errors.js';
import { checkSide, resolveSerde, type SerdeChoice } from './select.js';

/** A consumed message with its key and value deserialized. */
export interface DecodedMessage<K = unknown, V = unknown> {
  readonly key: K | null;
  readonly value: V | null;
  readonly headers: IHeaders | undefined;
  readonly offset: string;
  readonly timestamp: string;
  /** The message exactly as kafkajs delivered it (bytes). */
  readonly raw: KafkaMessage;
  /** Per protected field: decrypted, passed-through (ciphertext kept) or failed. */
  readonly outcomes: { readonly key: readonly FieldOutcome[]; readonly value: readonly FieldOutcome[] };
  /** True if any protected field was passed through as ciphertext (`onFailure: NONE`). */
  readonly passedThrough: boolean;
  /** Writer schema ids, when the part was deserialized by a serde. */
  readonly schemaIds: { readonly key?: number; readonly value?: number };
}

export interface DecodedEachMessagePayload<K = unknown, V = unknown> extends Omit<EachMessagePayload, 'message'> {
  readonly message: DecodedMessage<K, V>;
}

export interface DecodedBatch<K = unknown, V = unknown> extends Omit<Batch, 'messages'> {
  /** The decoded messages, in offset order; records sent to the DLQ are left out. */
  readonly messages: DecodedMessage<K, V>[];
  /** Records of this batch that went to the dead-letter topic. */
  readonly deadLettered: readonly DeadLetteredRecord[];
}

export interface DecodedEachBatchPayload<K = unknown, V = unknown> extends Omit<EachBatchPayload, 'batch'> {
  readonly batch: DecodedBatch<K, V>;
}

export interface DeadLetteredRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly dlqTopic: string;
  readonly error: RecordDeserializationError;
}

export interface CsfleConsumerRunConfig<K = unknown, V = unknown> extends Omit<ConsumerRunConfig, 'eachMessage' | 'eachBatch'> {
  eachMessage?: (payload: DecodedEachMessagePayload<K, V>) => Promise<void>;
  eachBatch?: (payload: DecodedEachBatchPayload<K, V>) => Promise<void>;
}

/** What to do with a record that failed to deserialize and is not routed to the DLQ. */
export type ErrorDecision = 'throw' | 'dlq' | 'skip';

export interface DeadLetterOptions {
  /** Dead-letter topic: a name, or a function of the source topic. */
  readonly topic: string | ((sourceTopic: string) => string);
  /** A connected kafkajs producer used to write dead letters (plain bytes; not wrapped). */
  readonly producer: Producer;
  /** Also route records that cannot be deserialized at all (corrupt, unknown schema). Default true. */
  readonly undecodable?: boolean;
}

export interface WrapConsumerOptions extends SerdeChoice<Deserializer> {
  /** Dead-letter queue for records whose rule says `onFailure: DLQ`. */
  readonly dlq?: DeadLetterOptions;
  /**
   * Called for a failed record that is not dead-lettered by its rule; decides what happens.
   * Default: `'throw'`. `'skip'` drops the record (it is still reported here — use with care).
   */
  readonly onError?: (error: RecordDeserializationError, raw: KafkaMessage) => ErrorDecision | Promise<ErrorDecision>;
  /** Called after a record was written to the DLQ (for metrics/logging). */
  readonly onDeadLetter?: (record: DeadLetteredRecord) => void;
}

/** The wrapped consumer: kafkajs's `Consumer` whose `run` handlers receive decoded messages. */
export interface CsfleConsumer extends Omit<Consumer, 'run'> {
  run<K = unknown, V = unknown>(config: CsfleConsumerRunConfig<K, V>): Promise<void>;
  /** Decodes one raw message as `run` would (no DLQ routing); throws on failure. */
  decode<K = unknown, V = unknown>(topic: string, partition: number, message: KafkaMessage): Promise<DecodedMessage<K, V>>;
  /** The underlying kafkajs consumer. */
  readonly consumer: Consumer;
}

/** Header names added to dead-lettered records. Values are UTF-8 strings. */
export const DlqHeaders = {
  /** The most specific error code along the cause chain (e.g. `KMS_INVALID_CIPHERTEXT`). */
  ERROR_CODE: 'csfle.dlq.error.code',
  ERROR_MESSAGE: 'csfle.dlq.error.message',
  ERROR_PART: 'csfle.dlq.error.part',
  RULE_NAME: 'csfle.dlq.error.rule',
  FIELD: 'csfle.dlq.error.field',
  SOURCE_TOPIC: 'csfle.dlq.source.topic',
  SOURCE_PARTITION: 'csfle.dlq.source.partition',
  SOURCE_OFFSET: 'csfle.dlq.source.offset',
  SOURCE_TIMESTAMP: 'csfle.dlq.source.timestamp',
  DLQ_TIMESTAMP: 'csfle.dlq.timestamp',
} as const;

/** The most specific csfle error code along the cause chain (e.g. KMS_INVALID_CIPHERTEXT under RULE_FAILED). */
function rootCode(error: CsfleError): string {
  let code: string = error.code;
  for (let c: unknown = error.cause; c !== undefined && c !== null; c = (c as { cause?: unknown }).cause) {
    if (isCsfleError(c)) code = c.code;
  }
  return code;
}

interface Failure {
  readonly error: RecordDeserializationError;
  readonly raw: KafkaMessage;
}

type Outcome<K, V> = { ok: true; message: DecodedMessage<K, V> } | { ok: false; failure: Failure };

/**
 * Wraps a kafkajs consumer. Subscribe, connect, pause, seek… are the consumer's own; `run`
 * decodes before calling your handler.
 *
 * @example
 * const consumer = wrapConsumer(kafka.consumer({ groupId: 'billing' }), {
 *   value: createAvroDeserializer({ registry, deks, kms }),
 *   dlq: { topic: 'customers.dlq', producer: dlqProducer },
 * });
 * await consumer.run({ eachMessage: async ({ message }) => handle(message.value) });
 */
export function wrapConsumer(consumer: Consumer, options: WrapConsumerOptions): CsfleConsumer {
  if (!consumer || typeof consumer.run !== 'function') throw new TypeError('csfle/kafkajs: wrapConsumer expected a kafkajs Consumer');
  const dlq = options.dlq;
  if (dlq && (typeof dlq.producer?.send !== 'function' || (typeof dlq.topic !== 'string' && typeof dlq.topic !== 'function'))) {
    throw new TypeError('csfle/kafkajs: dlq expected { topic, producer }');
  }

  async function decodePart(
    d: Deserializer | undefined,
    topic: string,
    partition: number,
    offset: string,
    part: RecordPart,
    bytes: Buffer | null,
    headers: SerdeHeaders | undefined,
  ): Promise<{ value: unknown; outcomes: FieldOutcome[]; schemaId?: number }> {
    if (bytes === null || bytes === undefined) return { value: null, outcomes: [] };
    if (!d) return { value: bytes, outcomes: [] };
    try {
      const r = await d.deserializeWithReport(topic, bytes, headers);
      return { value: r.value, outcomes: r.outcomes, schemaId: r.schemaId };
    } catch (e) {
      throw new RecordDeserializationError(topic, partition, offset, part, e);
    }
  }

  async function decode<K, V>(topic: string, partition: number, m: KafkaMessage): Promise<DecodedMessage<K, V>> {
    const keyDe = resolveSerde(options.key, topic);
    const valueDe = resolveSerde(options.value, topic);
    checkSide(keyDe, true, topic);
    checkSide(valueDe, false, topic);
    const headers = m.headers as SerdeHeaders | undefined;
    const [k, v] = await Promise.all([
      decodePart(keyDe, topic, partition, m.offset, 'key', m.key, headers),
      decodePart(valueDe, topic, partition, m.offset, 'value', m.value, headers),
    ]);
    const passedThrough = k.outcomes.some((o) => o.outcome === 'passed-through') || v.outcomes.some((o) => o.outcome === 'passed-through');
    return {
      key: k.value as K | null,
      value: v.value as V | null,
      headers: m.headers,
      offset: m.offset,
      timestamp: m.timestamp,
      raw: m,
      outcomes: { key: k.outcomes, value: v.outcomes },
      passedThrough,
      schemaIds: {
        ...(k.schemaId === undefined ? {} : { key: k.schemaId }),
        ...(v.schemaId === undefined ? {} : { value: v.schemaId }),
      },
    };
  }

  async function tryDecode<K, V>(topic: string, partition: number, m: KafkaMessage): Promise<Outcome<K, V>> {
    try {
      return { ok: true, message: await decode<K, V>(topic, partition, m) };
    } catch (e) {
      const error = e instanceof RecordDeserializationError ? e : new RecordDeserializationError(topic, partition, m.offset, 'value', e);
      return { ok: false, failure: { error, raw: m } };
    }
  }

  function isRuleFailure(error: RecordDeserializationError): boolean {
    return error.action !== undefined;
  }

  /** Decides a failed record's fate: 'dlq', 'skip', or throws. */
  async function decide(f: Failure): Promise<'dlq' | 'skip'> {
    const { error } = f;
    if (error.action === 'DLQ') {
      if (!dlq) {
        const why = new CsfleError(ErrorCodes.INVALID_ARGUMENT, `the rule says onFailure: DLQ but the consumer has no dlq configured (${error.message})`, { cause: error });
        throw new RecordDeserializationError(error.topic, error.partition, error.offset, error.part, why);
      }
      return 'dlq';
    }
    if (dlq && !isRuleFailure(error) && (dlq.undecodable ?? true)) return 'dlq';
    const d = options.onError ? await options.onError(error, f.raw) : 'throw';
    if (d === 'dlq') {
      if (!dlq) throw error;
      return 'dlq';
    }
    if (d === 'skip') return 'skip';
    throw error;
  }

  function dlqTopicFor(topic: string): string {
    const t = (dlq as DeadLetterOptions).topic;
    return typeof t === 'function' ? t(topic) : t;
  }

  function deadLetterMessage(topic: string, partition: number, f: Failure) {
    const { error, raw } = f;
    const cause = error.cause as (CsfleError & { ruleName?: string; fieldPath?: string }) | undefined;
    const headers: IHeaders = { ...(raw.headers ?? {}) };
    headers[DlqHeaders.ERROR_CODE] = rootCode(error);
    headers[DlqHeaders.ERROR_MESSAGE] = isCsfleError(cause) ? cause.message : error.message;
    headers[DlqHeaders.ERROR_PART] = error.part;
    if (cause?.ruleName) headers[DlqHeaders.RULE_NAME] = cause.ruleName;
    if (cause?.fieldPath) headers[DlqHeaders.FIELD] = cause.fieldPath;
    headers[DlqHeaders.SOURCE_TOPIC] = topic;
    headers[DlqHeaders.SOURCE_PARTITION] = String(partition);
    headers[DlqHeaders.SOURCE_OFFSET] = raw.offset;
    headers[DlqHeaders.SOURCE_TIMESTAMP] = raw.timestamp;
    headers[DlqHeaders.DLQ_TIMESTAMP] = String(Date.now());
    return { key: raw.key, value: raw.value, headers };
  }

  async function deadLetter(topic: string, partition: number, failures: readonly Failure[]): Promise<DeadLetteredRecord[]> {
    if (failures.length === 0) return [];
    const dlqTopic = dlqTopicFor(topic);
    try {
      await (dlq as DeadLetterOptions).producer.send({
        topic: dlqTopic,
        messages: failures.map((f) => deadLetterMessage(topic, partition, f)),
      });
    } catch (e) {
      throw new DeadLetterError(dlqTopic, e);
    }
    const records = failures.map((f) => ({ topic, partition, offset: f.raw.offset, dlqTopic, error: f.error }));
    for (const r of records) options.onDeadLetter?.(r);
    return records;
  }

  async function run<K, V>(config: CsfleConsumerRunConfig<K, V>): Promise<void> {
    const { eachMessage, eachBatch, ...rest } = config;
    if (!eachMessage === !eachBatch) throw new TypeError('csfle/kafkajs: run expected exactly one of eachMessage or eachBatch');
    if (eachMessage) {
      return consumer.run({
        ...rest,
        eachMessage: async (payload: EachMessagePayload) => {
          const r = await tryDecode<K, V>(payload.topic, payload.partition, payload.message);
          if (r.ok) return eachMessage({ ...payload, message: r.message });
          const fate = await decide(r.failure);
          if (fate === 'dlq') await deadLetter(payload.topic, payload.partition, [r.failure]);
        },
      });
    }
    const handler = eachBatch as NonNullable<typeof eachBatch>;
    return consumer.run({
      ...rest,
      eachBatch: async (payload: EachBatchPayload) => {
        const { batch } = payload;
        // Decode the whole batch concurrently; order is kept by index.
        const results = await Promise.all(batch.messages.map((m) => tryDecode<K, V>(batch.topic, batch.partition, m)));
        const messages: DecodedMessage<K, V>[] = [];
        const toDlq: Failure[] = [];
        for (const r of results) {
          if (r.ok) messages.push(r.message);
          else if ((await decide(r.failure)) === 'dlq') toDlq.push(r.failure);
        }
        const deadLettered = await deadLetter(batch.topic, batch.partition, toDlq);
        const decoded: DecodedBatch<K, V> = Object.assign(Object.create(batch) as Batch, { messages, deadLettered });
        await handler({ ...payload, batch: decoded });
      },
    });
  }

  return Object.assign(Object.create(consumer) as Consumer, { consumer, run, decode }) as CsfleConsumer;
}
