// Unit tests of the wrappers with in-memory fakes of the kafkajs producer/consumer and serdes.
// The real-broker behaviour is covered by test/kafkajs-integration.test.ts.
import { CsfleError, ErrorCodes, RuleError, type Deserializer, type Serializer } from '@csfle/core';
import { DlqHeaders, RecordSerializationError, wrapConsumer, wrapProducer, type DecodedEachBatchPayload } from '@csfle/kafkajs';
import type { Consumer, ConsumerRunConfig, EachBatchPayload, KafkaMessage, Producer, ProducerBatch, ProducerRecord } from 'kafkajs';

function fakeProducer(fail?: Error) {
  const sent: ProducerRecord[] = [];
  const batches: ProducerBatch[] = [];
  const p = {
    send: async (r: ProducerRecord) => {
      if (fail) throw fail;
      sent.push(r);
      return [];
    },
    sendBatch: async (b: ProducerBatch) => {
      batches.push(b);
      return [];
    },
    connect: async () => {},
  } as unknown as Producer;
  return { p, sent, batches };
}

/** JSON "serde" that fails on values containing `bad`, with a rule action taken from the value. */
const ser: Serializer = {
  isKey: false,
  async serialize(_t, v) {
    if ((v as { bad?: string }).bad) throw new RuleError(ErrorCodes.RULE_FAILED, 'rule r failed', { ruleName: 'r', action: 'ERROR' });
    return Buffer.from(JSON.stringify(v));
  },
};
const de: Deserializer = {
  isKey: false,
  async deserialize(t, b) {
    return (await this.deserializeWithReport(t, b)).value;
  },
  async deserializeWithReport(_t, b) {
    const s = Buffer.from(b).toString();
    if (s.startsWith('dlq:')) throw new RuleError(ErrorCodes.RULE_FAILED, 'rule r failed (KMS_INVALID_CIPHERTEXT)', { ruleName: 'r', fieldPath: 'ssn', action: 'DLQ', cause: new CsfleError(ErrorCodes.KMS_INVALID_CIPHERTEXT, 'x') });
    if (s.startsWith('err:')) throw new RuleError(ErrorCodes.RULE_FAILED, 'rule r failed', { ruleName: 'r', action: 'ERROR' });
    if (s.startsWith('junk')) throw new CsfleError(ErrorCodes.DESERIALIZATION_FAILED, 'unknown magic byte');
    return { value: JSON.parse(s), schemaId: 1, outcomes: [{ rule: 'r', field: 'ssn', outcome: 'decrypted' }] };
  },
};

const msg = (offset: number, value: string | null, headers: KafkaMessage['headers'] = {}): KafkaMessage =>
  ({ offset: String(offset), key: Buffer.from(`k${offset}`), value: value === null ? null : Buffer.from(value), headers, timestamp: '1700000000000', attributes: 0, size: 0 }) as KafkaMessage;

function fakeConsumer() {
  let config: ConsumerRunConfig | undefined;
  const c = { run: async (cfg: ConsumerRunConfig) => void (config = cfg), connect: async () => {} } as unknown as Consumer;
  return { c, config: () => config as ConsumerRunConfig };
}

describe('wrapProducer', () => {
  it('serializes every message, keeps headers/partition, tombstones null, does not touch the caller objects', async () => {
    const { p, sent } = fakeProducer();
    const producer = wrapProducer(p, { value: ser });
    const messages = Object.freeze([
      Object.freeze({ key: 'a', value: Object.freeze({ n: 1 }), headers: { h: 'v' }, partition: 2 }),
      Object.freeze({ key: 'b', value: null }),
    ]);
    await producer.send({ topic: 't', messages, acks: -1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ topic: 't', acks: -1 });
    expect(sent[0]?.messages[0]).toEqual({ key: 'a', value: Buffer.from('{"n":1}'), headers: { h: 'v' }, partition: 2 });
    expect(sent[0]?.messages[1]).toEqual({ key: 'b', value: null });
  });

  it('one failing message rejects the call with RecordSerializationError and sends nothing', async () => {
    const { p, sent, batches } = fakeProducer();
    const producer = wrapProducer(p, { value: ser });
    const e = await producer.send({ topic: 't', messages: [{ value: { n: 1 } }, { value: { bad: 'x' } }] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RecordSerializationError);
    expect(e).toMatchObject({ topic: 't', index: 1, part: 'value', code: ErrorCodes.RULE_FAILED });
    const b = await producer.sendBatch({ topicMessages: [{ topic: 'a', messages: [{ value: { n: 1 } }] }, { topic: 'b', messages: [{ value: { bad: 'y' } }] }] }).catch((x: unknown) => x);
    expect(b).toMatchObject({ topic: 'b', index: 0 });
    expect(sent).toEqual([]);
    expect(batches).toEqual([]);
  });

  it('topics without a serializer pass Buffers/strings through and refuse objects', async () => {
    const { p, sent } = fakeProducer();
    const producer = wrapProducer(p, { value: (topic) => (topic === 'enc' ? ser : undefined) });
    await producer.send({ topic: 'raw', messages: [{ value: 'text' }, { value: Buffer.from([1]) }] });
    expect(sent[0]?.messages.map((m) => m.value)).toEqual(['text', Buffer.from([1])]);
    await expect(producer.send({ topic: 'raw', messages: [{ value: { secret: 1 } }] })).rejects.toMatchObject({ name: 'RecordSerializationError' });
  });

  it('rejects a key serde used for values (subjects would be wrong)', async () => {
    const { p } = fakeProducer();
    const producer = wrapProducer(p, { value: { ...ser, isKey: true } });
    await expect(producer.send({ topic: 't', messages: [{ value: { n: 1 } }] })).rejects.toThrow(/isKey: true/);
  });
});

describe('wrapConsumer', () => {
  it('eachBatch: decodes in order, routes DLQ-rule failures and undecodable records to the DLQ, keeps the rest', async () => {
    const { c, config } = fakeConsumer();
    const dlq = fakeProducer();
    const deadLettered: string[] = [];
    const consumer = wrapConsumer(c, { value: de, dlq: { topic: (t) => `${t}.dlq`, producer: dlq.p }, onDeadLetter: (r) => deadLettered.push(r.offset) });
    let got: DecodedEachBatchPayload | undefined;
    await consumer.run({ eachBatch: async (p) => void (got = p) });
    const messages = [msg(0, '{"n":0}'), msg(1, 'dlq:xx', { origin: 'app' }), msg(2, '{"n":2}'), msg(3, 'junk'), msg(4, null)];
    await config().eachBatch?.({ batch: { topic: 'orders', partition: 3, messages, highWatermark: '5' }, resolveOffset: () => {} } as unknown as EachBatchPayload);
    expect(got?.batch.messages.map((m) => [m.offset, m.value])).toEqual([['0', { n: 0 }], ['2', { n: 2 }], ['4', null]]);
    expect(got?.batch.deadLettered.map((d) => d.offset)).toEqual(['1', '3']);
    expect(deadLettered).toEqual(['1', '3']);
    expect(dlq.sent).toHaveLength(1);
    const [d1, d3] = dlq.sent[0]?.messages ?? [];
    expect(dlq.sent[0]?.topic).toBe('orders.dlq');
    expect(d1?.value).toEqual(Buffer.from('dlq:xx'));
    expect(d1?.key).toEqual(Buffer.from('k1'));
    expect(d1?.headers).toMatchObject({
      origin: 'app',
      [DlqHeaders.ERROR_CODE]: ErrorCodes.KMS_INVALID_CIPHERTEXT,
      [DlqHeaders.RULE_NAME]: 'r',
      [DlqHeaders.FIELD]: 'ssn',
      [DlqHeaders.SOURCE_TOPIC]: 'orders',
      [DlqHeaders.SOURCE_PARTITION]: '3',
      [DlqHeaders.SOURCE_OFFSET]: '1',
      [DlqHeaders.SOURCE_TIMESTAMP]: '1700000000000',
    });
    expect(d3?.headers).toMatchObject({ [DlqHeaders.ERROR_CODE]: ErrorCodes.DESERIALIZATION_FAILED });
    expect(messages[1]?.headers).toEqual({ origin: 'app' }); // the consumed message was not modified
  });

  it('ERROR-rule failures throw (the handler is not called); onError may skip; a DLQ rule without a DLQ throws', async () => {
    const { c, config } = fakeConsumer();
    const handled: string[] = [];
    await wrapConsumer(c, { value: de }).run({ eachMessage: async ({ message }) => void handled.push(message.offset) });
    await expect(config().eachMessage?.({ topic: 't', partition: 0, message: msg(7, 'err:') } as never)).rejects.toMatchObject({
      name: 'RecordDeserializationError', offset: '7', action: 'ERROR',
    });
    await expect(config().eachMessage?.({ topic: 't', partition: 0, message: msg(8, 'dlq:') } as never)).rejects.toThrow(/no dlq configured/);
    const skip = fakeConsumer();
    await wrapConsumer(skip.c, { value: de, onError: () => 'skip' }).run({ eachMessage: async ({ message }) => void handled.push(message.offset) });
    await skip.config().eachMessage?.({ topic: 't', partition: 0, message: msg(9, 'err:') } as never);
    await skip.config().eachMessage?.({ topic: 't', partition: 0, message: msg(10, '{"n":10}') } as never);
    expect(handled).toEqual(['10']);
  });

  it('a failing DLQ write fails the handler (the record is redelivered, not lost)', async () => {
    const { c, config } = fakeConsumer();
    const dlq = fakeProducer(new Error('broker down'));
    await wrapConsumer(c, { value: de, dlq: { topic: 'x.dlq', producer: dlq.p } }).run({ eachMessage: async () => {} });
    await expect(config().eachMessage?.({ topic: 't', partition: 0, message: msg(1, 'dlq:') } as never)).rejects.toMatchObject({
      name: 'DeadLetterError', code: ErrorCodes.KAFKA_ERROR, retriable: true,
    });
  });

  it('needs exactly one handler', async () => {
    const { c } = fakeConsumer();
    await expect(wrapConsumer(c, { value: de }).run({})).rejects.toThrow(/exactly one/);
  });
});
