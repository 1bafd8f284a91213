/**
 * @csfle/kafkajs on the real stack: a Kafka 4.x broker (scripts/stack/kafka.sh) and the
 * Confluent-compatible registry with the DEK registry (scripts/stack/registry.sh), over HTTP.
 */
import { createLocalKms, ErrorCodes, type Deserializer, type KmsClient, type Serializer } from '@csfle/core';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { createJsonSchemaDeserializer, createJsonSchemaSerializer } from '@csfle/json-schema';
import { createProtobufDeserializer, createProtobufSerializer } from '@csfle/protobuf';
import { createRegistryClients } from '@csfle/registry';
import {
  DlqHeaders,
  isRecordDeserializationError,
  RecordSerializationError,
  wrapConsumer,
  wrapProducer,
  type DecodedMessage,
} from '@csfle/kafkajs';
import type { KafkaMessage } from 'kafkajs';
import { customer, encryptRule, schemaInfo, type Customer, type Format } from './support/customer-schemas';
import { createTopic, endOffsetTotal, kafkaEnv, scanSegments, topicName, waitFor, type KafkaEnv } from './support/kafka';
import { SERVICE_START_TIMEOUT_MS } from './support/stack';
import { codes } from './support/serde-env';

const SECRET = 'integration-secret';
let env: KafkaEnv;
let clients: ReturnType<typeof createRegistryClients>;

beforeAll(async () => {
  env = await kafkaEnv();
  clients = createRegistryClients({ url: env.registryUrl });
}, SERVICE_START_TIMEOUT_MS);
afterAll(async () => {
  await env?.close();
});

function serdes(format: Format, kms: KmsClient[] = [createLocalKms({ secret: SECRET })]): { ser: Serializer; de: Deserializer } {
  const base = { registry: clients.schemas, deks: clients.deks, kms };
  switch (format) {
    case 'AVRO':
      return { ser: createAvroSerializer({ ...base, useLatestVersion: true }), de: createAvroDeserializer(base) };
    case 'JSON':
      return { ser: createJsonSchemaSerializer({ ...base, useLatestVersion: true }), de: createJsonSchemaDeserializer(base) };
    case 'PROTOBUF':
      return { ser: createProtobufSerializer({ ...base, useLatestVersion: true }), de: createProtobufDeserializer(base) };
  }
}

async function setupTopic(format: Format, partitions: number, onFailure = 'ERROR,ERROR'): Promise<string> {
  const topic = topicName(`customers-${format.toLowerCase()}`);
  await createTopic(env.admin, topic, partitions);
  await clients.schemas.register(`${topic}-value`, schemaInfo(format, encryptRule(`kek-${topic}`, onFailure)));
  return topic;
}

function normalize(format: Format, v: unknown): Customer {
  const c = v as Customer;
  return format === 'PROTOBUF' ? { ...c, score: Number(c.score) } : c;
}

describe('10,000 records per format through the wrappers, every record accounted for', () => {
  it.each<Format>(['AVRO', 'JSON', 'PROTOBUF'])('%s', async (format) => {
    const N = 10_000;
    const topic = await setupTopic(format, 3);
    const { ser, de } = serdes(format);
    const producer = wrapProducer(env.track(env.kafka.producer()), { value: ser });
    await producer.connect();
    const records = Array.from({ length: N }, (_, i) => customer(i, format));
    for (let i = 0; i < N; i += 1000) {
      await producer.sendBatch({
        topicMessages: [{ topic, messages: records.slice(i, i + 1000).map((c) => ({ key: c.id, value: c, headers: { 'x-source': 'it' } })) }],
      });
    }
    expect(await endOffsetTotal(env.admin, topic)).toBe(N);

    const seen = new Map<string, DecodedMessage>();
    const consumer = wrapConsumer(env.track(env.kafka.consumer({ groupId: `g-${topic}` })), { value: de });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) seen.set(String(m.key), m);
      },
    });
    await waitFor(() => seen.size >= N, 60_000, `${N} records`);
    await consumer.stop();
    expect(seen.size).toBe(N);
    for (const c of records) {
      const m = seen.get(c.id) as DecodedMessage;
      expect(normalize(format, m.value)).toEqual(c);
      expect(m.passedThrough).toBe(false);
      expect(m.outcomes.value.map((o) => o.outcome)).toEqual(['decrypted', 'decrypted']);
      expect(String(m.headers?.['x-source'])).toBe('it');
      expect(Buffer.isBuffer(m.raw.value)).toBe(true);
    }
  }, 180_000);
});

it('at rest: no plaintext of a protected field in the broker segment files; unprotected fields are there', async () => {
  const topic = await setupTopic('AVRO', 1);
  const { ser } = serdes('AVRO');
  const producer = wrapProducer(env.track(env.kafka.producer()), { value: ser });
  await producer.connect();
  const tag = `AtRest${Date.now()}`;
  const records = Array.from({ length: 50 }, (_, i) => ({ ...customer(i, tag), name: `VisibleName-${tag}-${i}` }));
  await producer.send({ topic, messages: records.map((c) => ({ key: c.id, value: c })) });
  const secrets = records.flatMap((c) => [c.email, c.ssn]);
  const visible = records.map((c) => c.name);
  await waitFor(() => scanSegments(env.logDir, topic, visible).size === visible.length, 20_000, 'records on disk');
  expect(scanSegments(env.logDir, topic, visible).size).toBe(visible.length); // the scan works
  expect([...scanSegments(env.logDir, topic, secrets)]).toEqual([]); // and finds no PII
}, 60_000);

describe('failure policies on consume', () => {
  /** Produces `n` customers with the right key, plus raw records; returns the topic. */
  async function produce(format: Format, onFailure: string, n: number, raws: Buffer[] = []): Promise<{ topic: string; ids: string[] }> {
    const topic = await setupTopic(format, 2, onFailure);
    const { ser } = serdes(format);
    const p = env.track(env.kafka.producer());
    const producer = wrapProducer(p, { value: ser });
    await producer.connect();
    const records = Array.from({ length: n }, (_, i) => customer(i, 'dlq'));
    await producer.send({ topic, messages: records.map((c) => ({ key: c.id, value: c, headers: { origin: 'app' } })) });
    if (raws.length) await p.send({ topic, messages: raws.map((value, i) => ({ key: `raw-${i}`, value })) });
    return { topic, ids: records.map((c) => c.id) };
  }

  async function consumeAll(topic: string, de: Deserializer, dlqTopic?: string) {
    const handled: DecodedMessage[] = [];
    const dlqProducer = env.track(env.kafka.producer());
    await dlqProducer.connect();
    const consumer = wrapConsumer(env.track(env.kafka.consumer({ groupId: `g-${topic}-${dlqTopic ?? 'none'}` })), {
      value: de,
      ...(dlqTopic ? { dlq: { topic: dlqTopic, producer: dlqProducer } } : {}),
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const crashes: unknown[] = [];
    consumer.on(consumer.events.CRASH, (e) => void crashes.push(e.payload.error));
    await consumer.run({
      eachMessage: async ({ message }) => {
        handled.push(message);
      },
    });
    return { consumer, handled, crashes };
  }

  async function readRaw(topic: string, count: number): Promise<KafkaMessage[]> {
    const out: KafkaMessage[] = [];
    const c = env.track(env.kafka.consumer({ groupId: `raw-${topic}-${Date.now()}` }));
    await c.connect();
    await c.subscribe({ topics: [topic], fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void out.push(message) });
    await waitFor(() => out.length >= count, 30_000, `${count} raw records of ${topic}`);
    await c.stop();
    return out;
  }

  it('DLQ: a consumer without the KEK secret and a corrupted record — records in = handled + DLQ, DLQ records decrypt later', async () => {
    const corrupt = Buffer.from([0, 0, 0, 0, 1, 2, 3]); // framed, unknown schema id 1 + garbage
    const { topic, ids } = await produce('AVRO', 'ERROR,DLQ', 200, [corrupt, Buffer.from('not a csfle record')]);
    const total = ids.length + 2;
    const dlqTopic = `${topic}.dlq`;
    await createTopic(env.admin, dlqTopic, 1);

    // 1) Right key: the 200 are handled, the 2 undecodable ones go to the DLQ.
    const good = await consumeAll(topic, serdes('AVRO').de, dlqTopic);
    await waitFor(() => good.handled.length >= ids.length, 30_000, 'handled records');
    const dlq1 = await readRaw(dlqTopic, 2);
    await good.consumer.stop();
    expect(good.handled.length + dlq1.length).toBe(total);
    expect(good.handled.every((m) => m.passedThrough === false)).toBe(true);

    // 2) Wrong secret, new group: every record fails; the rule says DLQ.
    const dlqTopic2 = `${topic}.dlq2`;
    await createTopic(env.admin, dlqTopic2, 1);
    const wrong = serdes('AVRO', [createLocalKms({ secret: 'not-the-secret' })]).de;
    const bad = await consumeAll(topic, wrong, dlqTopic2);
    const dlq2 = await readRaw(dlqTopic2, total).catch((e) => {
      throw new Error(`${String(e)}; consumer crashes: ${bad.crashes.map((c) => String(c) + ' <- ' + String((c as { cause?: unknown }).cause)).join('; ')}`);
    });
    await bad.consumer.stop();
    expect(bad.crashes).toEqual([]);
    expect(bad.handled.length).toBe(0);
    expect(dlq2.length).toBe(total);
    const byCode = new Map<string, number>();
    for (const m of dlq2) {
      const code = String(m.headers?.[DlqHeaders.ERROR_CODE]);
      byCode.set(code, (byCode.get(code) ?? 0) + 1);
      expect(String(m.headers?.[DlqHeaders.SOURCE_TOPIC])).toBe(topic);
      expect(Number(m.headers?.[DlqHeaders.SOURCE_OFFSET])).toBeGreaterThanOrEqual(0);
      expect(String(m.headers?.[DlqHeaders.SOURCE_PARTITION])).toMatch(/^[01]$/);
      expect(Number(m.headers?.[DlqHeaders.DLQ_TIMESTAMP])).toBeGreaterThan(0);
      // no plaintext or key material in the error headers
      expect(String(m.headers?.[DlqHeaders.ERROR_MESSAGE])).not.toMatch(/SSN-|@example\.com|not-the-secret|integration-secret/);
    }
    expect(byCode.get(ErrorCodes.KMS_INVALID_CIPHERTEXT) ?? 0).toBe(ids.length);
    // 3) The dead letters kept their bytes and headers: the right key decrypts them now.
    const { de } = serdes('AVRO');
    let recovered = 0;
    for (const m of dlq2) {
      if (String(m.key).startsWith('raw-')) continue;
      expect(String(m.headers?.origin)).toBe('app');
      const v = (await de.deserialize(topic, m.value as Buffer)) as Customer;
      expect(v).toEqual(customer(Number(v.id.slice(2)), 'dlq'));
      recovered++;
    }
    expect(recovered).toBe(ids.length);
  }, 120_000);

  it('ERROR: the handler is not called, run fails with a typed error, and the offset is not committed', async () => {
    const { topic } = await produce('JSON', 'ERROR,ERROR', 3);
    const wrong = serdes('JSON', [createLocalKms({ secret: 'not-the-secret' })]).de;
    const handled: unknown[] = [];
    const crashes: unknown[] = [];
    const raw = env.track(env.kafka.consumer({ groupId: `g-${topic}`, retry: { retries: 0, restartOnFailure: async () => false } }));
    raw.on(raw.events.CRASH, (e) => void crashes.push(e.payload.error));
    const typed: unknown[] = [];
    const consumer = wrapConsumer(raw, { value: wrong, onError: (e) => (typed.push(e), 'throw') });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void handled.push(message) });
    await waitFor(() => crashes.length > 0, 30_000, 'consumer crash');
    expect(handled).toEqual([]);
    // kafkajs re-wraps handler errors (KafkaJSNonRetriableError, same message); the typed error
    // itself reaches onError before it is thrown.
    expect(String((crashes[0] as Error).message)).toMatch(/could not deserialize the value of .*KMS_INVALID_CIPHERTEXT/);
    expect(typed.length).toBeGreaterThanOrEqual(1); // one per partition reached before the crash
    for (const err of typed) {
      expect(isRecordDeserializationError(err)).toBe(true);
      expect(err).toMatchObject({ code: ErrorCodes.RULE_FAILED, topic, part: 'value', action: 'ERROR', retriable: false, offset: '0' });
      expect(codes(err)).toContain(ErrorCodes.KMS_INVALID_CIPHERTEXT);
    }
    const committed = await env.admin.fetchOffsets({ groupId: `g-${topic}`, topics: [topic] });
    expect(committed[0]?.partitions.every((p) => p.offset === '-1')).toBe(true);
  }, 60_000);

  it('NONE: records are delivered with ciphertext passed through and marked', async () => {
    const { topic, ids } = await produce('PROTOBUF', 'ERROR,NONE', 5);
    const wrong = serdes('PROTOBUF', [createLocalKms({ secret: 'not-the-secret' })]).de;
    const c = await consumeAll(topic, wrong);
    await waitFor(() => c.handled.length >= ids.length, 30_000, 'records');
    await c.consumer.stop();
    for (const m of c.handled) {
      const v = m.value as Customer;
      expect(m.passedThrough).toBe(true);
      expect(m.outcomes.value.map((o) => [o.field, o.outcome])).toEqual([
        ['com.example.Customer.email', 'passed-through'],
        ['com.example.Customer.ssn', 'passed-through'],
      ]);
      expect(v.email).not.toContain('@example.com');
      expect(v.name).toMatch(/^Customer /);
    }
  }, 60_000);
});

it('produce-side failure rejects the whole send with a typed error and writes nothing', async () => {
  const topic = await setupTopic('AVRO', 1);
  const { ser } = serdes('AVRO', [createLocalKms({ secret: SECRET, keyIds: ['some-other-key'] })]); // no KMS for demo-key
  const producer = wrapProducer(env.track(env.kafka.producer()), { value: ser });
  await producer.connect();
  const original = customer(1, 'fail');
  const frozen = Object.freeze({ ...original });
  const err = await producer
    .send({ topic, messages: [{ key: 'a', value: frozen }, { key: 'b', value: customer(2, 'fail') }] })
    .then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(RecordSerializationError);
  expect(err).toMatchObject({ topic, part: 'value', code: ErrorCodes.RULE_FAILED });
  expect(codes(err)).toContain(ErrorCodes.KMS_NOT_CONFIGURED);
  expect(String((err as Error).message)).not.toContain(original.ssn);
  expect(await endOffsetTotal(env.admin, topic)).toBe(0);
  expect(frozen).toEqual(original);
}, 60_000);

it('keys via a key serde, tombstones stay null, headers kept, caller objects untouched', async () => {
  const topic = await setupTopic('AVRO', 1);
  await clients.schemas.register(`${topic}-key`, { schema: JSON.stringify({ type: 'record', name: 'CustomerKey', fields: [{ name: 'id', type: 'string' }] }) });
  const base = { registry: clients.schemas, deks: clients.deks, kms: [createLocalKms({ secret: SECRET })] };
  const producer = wrapProducer(env.track(env.kafka.producer()), {
    key: createAvroSerializer({ ...base, isKey: true, useLatestVersion: true }),
    value: createAvroSerializer({ ...base, useLatestVersion: true }),
  });
  await producer.connect();
  const msg = { key: { id: 'k-1' }, value: customer(1), headers: { trace: 'abc' } };
  const before = JSON.stringify(msg);
  await producer.send({ topic, messages: [msg, { key: { id: 'k-1' }, value: null }] });
  expect(JSON.stringify(msg)).toBe(before);
  const got: DecodedMessage[] = [];
  const consumer = wrapConsumer(env.track(env.kafka.consumer({ groupId: `g-${topic}` })), {
    key: createAvroDeserializer({ ...base, isKey: true }),
    value: createAvroDeserializer(base),
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message) });
  await waitFor(() => got.length >= 2, 30_000, 'two records');
  await consumer.stop();
  expect(got[0]?.key).toEqual({ id: 'k-1' });
  expect(got[0]?.value).toEqual(customer(1));
  expect(String(got[0]?.headers?.trace)).toBe('abc');
  expect(got[1]?.key).toEqual({ id: 'k-1' });
  expect(got[1]?.value).toBeNull();
  expect(got[1]?.raw.value).toBeNull();
}, 60_000);

it('a consumer group of two with a rebalance mid-stream loses nothing', async () => {
  const N = 4000;
  const topic = await setupTopic('AVRO', 4);
  const { ser, de } = serdes('AVRO');
  const producer = wrapProducer(env.track(env.kafka.producer()), { value: ser });
  await producer.connect();
  const groupId = `g-${topic}`;
  const seen = new Map<string, number>();
  const handler = async ({ message }: { message: DecodedMessage }) => {
    const id = (message.value as Customer).id;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  };
  const a = wrapConsumer(env.track(env.kafka.consumer({ groupId })), { value: de });
  await a.connect();
  await a.subscribe({ topics: [topic], fromBeginning: true });
  await a.run({ eachMessage: handler });
  // First half, then a second member joins mid-stream (rebalance), then the second half.
  const all = Array.from({ length: N }, (_, i) => customer(i, 'rb'));
  for (let i = 0; i < N / 2; i += 500) await producer.send({ topic, messages: all.slice(i, i + 500).map((c) => ({ key: c.id, value: c })) });
  await waitFor(() => seen.size > N / 8, 30_000, 'first records');
  const b = wrapConsumer(env.track(env.kafka.consumer({ groupId })), { value: de });
  await b.connect();
  await b.subscribe({ topics: [topic], fromBeginning: true });
  await b.run({ eachMessage: handler });
  for (let i = N / 2; i < N; i += 500) await producer.send({ topic, messages: all.slice(i, i + 500).map((c) => ({ key: c.id, value: c })) });
  await waitFor(() => seen.size >= N, 90_000, `${N} distinct records`);
  await Promise.all([a.stop(), b.stop()]);
  expect(seen.size).toBe(N);
  const duplicates = [...seen.values()].filter((n) => n > 1).length;
  // kafkajs is at-least-once: a rebalance may redeliver what was handled but not yet committed.
  console.info(`rebalance test: ${N} records, ${duplicates} redelivered`);
  expect(duplicates).toBeLessThan(N / 2);
}, 150_000);
