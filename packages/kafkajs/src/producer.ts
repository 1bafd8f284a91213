/**
 * `wrapProducer`: a kafkajs producer whose `send`/`sendBatch` take plain values (and keys) and
 * serialize + encrypt them with the configured serializers before anything reaches the broker.
 *
 * - Every message of a call is serialized concurrently (no await per message); if any fails, the
 *   call rejects with a {@link RecordSerializationError} and nothing of it is sent.
 * - `null` values (tombstones) stay `null`; headers, partition and timestamp are kept; the
 *   caller's record objects are not modified.
 * - A topic with no serializer passes values through: they must be `Buffer`, `string` or `null`
 *   (kafkajs's own types), so an object can never reach the broker unencrypted by accident.
 */
import type { Serializer, SerdeHeaders } from '@csfle/core';
import type { Message, Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';
import { RecordSerializationError, type RecordPart } from './errors.js';
import { checkSide, resolveSerde, type SerdeChoice } from './select.js';

/** A message whose key and value are application values (serialized by the wrapper). */
export interface PlainMessage<K = unknown, V = unknown> extends Omit<Message, 'key' | 'value'> {
  readonly key?: K | null;
  readonly value: V | null;
}

export interface PlainProducerRecord<K = unknown, V = unknown> extends Omit<ProducerRecord, 'messages'> {
  readonly messages: readonly PlainMessage<K, V>[];
}

export interface PlainTopicMessages<K = unknown, V = unknown> {
  readonly topic: string;
  readonly messages: readonly PlainMessage<K, V>[];
}

export interface PlainProducerBatch extends Omit<ProducerBatch, 'topicMessages'> {
  readonly topicMessages?: readonly PlainTopicMessages[];
}

export type WrapProducerOptions = SerdeChoice<Serializer>;

/** The wrapped producer: kafkajs's `Producer` with `send`/`sendBatch` taking plain values. */
export interface CsfleProducer extends Omit<Producer, 'send' | 'sendBatch'> {
  send(record: PlainProducerRecord): Promise<RecordMetadata[]>;
  sendBatch(batch: PlainProducerBatch): Promise<RecordMetadata[]>;
  /** Serializes without sending (what `send` would produce), e.g. for a transactional producer. */
  serialize(topic: string, messages: readonly PlainMessage[]): Promise<Message[]>;
  /** The underlying kafkajs producer. */
  readonly producer: Producer;
}

function passThrough(v: unknown, topic: string, index: number, part: RecordPart): Buffer | string | null {
  if (v === null || v === undefined || typeof v === 'string' || Buffer.isBuffer(v)) return (v ?? null) as Buffer | string | null;
  throw new RecordSerializationError(
    topic,
    index,
    part,
    new TypeError(`no ${part} serializer is configured for this topic and the ${part} is a ${typeof v}, not a Buffer or string`),
  );
}

/**
 * Wraps a kafkajs producer. The producer is used as is (connect/disconnect/transactions stay
 * yours); only `send` and `sendBatch` change.
 *
 * @example
 * const producer = wrapProducer(kafka.producer(), { value: createAvroSerializer({ registry, deks, kms, useLatestVersion: true }) });
 * await producer.connect();
 * await producer.send({ topic: 'customers', messages: [{ key: 'c-1', value: { id: 'c-1', email: 'a@example.com' } }] });
 */
export function wrapProducer(producer: Producer, options: WrapProducerOptions): CsfleProducer {
  if (!producer || typeof producer.send !== 'function') throw new TypeError('csfle/kafkajs: wrapProducer expected a kafkajs Producer');

  async function serializePart(
    serializer: Serializer | undefined,
    topic: string,
    index: number,
    part: RecordPart,
    v: unknown,
    headers: SerdeHeaders | undefined,
  ): Promise<Buffer | string | null> {
    if (v === null || v === undefined) return null; // tombstones / absent keys stay null
    if (!serializer) return passThrough(v, topic, index, part);
    try {
      return await serializer.serialize(topic, v, headers);
    } catch (e) {
      throw new RecordSerializationError(topic, index, part, e);
    }
  }

  async function serialize(topic: string, messages: readonly PlainMessage[]): Promise<Message[]> {
    if (!Array.isArray(messages)) throw new TypeError(`csfle/kafkajs: messages for topic "${topic}" expected an array`);
    const keySer = resolveSerde(options.key, topic);
    const valueSer = resolveSerde(options.value, topic);
    checkSide(keySer, true, topic);
    checkSide(valueSer, false, topic);
    return Promise.all(
      messages.map(async (m, i): Promise<Message> => {
        if (m === null || typeof m !== 'object') {
          throw new RecordSerializationError(topic, i, 'value', new TypeError('message expected an object'));
        }
        const headers = m.headers as SerdeHeaders | undefined;
        const [key, value] = await Promise.all([
          serializePart(keySer, topic, i, 'key', m.key, headers),
          serializePart(valueSer, topic, i, 'value', m.value, headers),
        ]);
        const out: Message = { ...(m as Omit<PlainMessage, 'key' | 'value'>), value };
        if (key !== null || m.key !== undefined) out.key = key;
        return out;
      }),
    );
  }

  const wrapped: CsfleProducer = Object.assign(Object.create(producer) as Producer, {
    producer,
    serialize,
    async send(record: PlainProducerRecord): Promise<RecordMetadata[]> {
      const messages = await serialize(record.topic, record.messages);
      return producer.send({ ...(record as Omit<PlainProducerRecord, 'messages'>), messages });
    },
    async sendBatch(batch: PlainProducerBatch): Promise<RecordMetadata[]> {
      const topicMessages = await Promise.all(
        (batch.topicMessages ?? []).map(async (tm) => ({ topic: tm.topic, messages: await serialize(tm.topic, tm.messages) })),
      );
      return producer.sendBatch({ ...(batch as Omit<PlainProducerBatch, 'topicMessages'>), topicMessages });
    },
  });
  return wrapped;
}
