/**
 * The end-to-end demo (`npm run demo`): a real Kafka broker, the registry with the DEK registry,
 * and the local KMS.
 *
 * 1. Security engineer: registers Customer with `PII` tags and an ENCRYPT rule (onFailure ERROR,DLQ).
 * 2. Producer: unchanged app code, `send` wrapped; a few thousand customers.
 * 3. Side by side: what a plain consumer without keys reads, and what the wrapped consumer reads.
 * 4. A record whose ciphertext was damaged on the way: it lands in the dead-letter topic, bytes
 *    untouched, with the error in its headers; every other record is handled.
 * 5. Summary: records, fields encrypted, KMS and registry calls, throughput.
 */
import avro from 'avsc';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { createDekManager, createLocalKms, type DekManager } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { DlqHeaders, wrapConsumer, wrapProducer } from '@csfle/kafkajs';
import { CUSTOMER_AVRO, makeCustomer, type Customer } from './config.js';

export interface DemoOptions {
  readonly brokers: string[];
  readonly registryUrl: string;
  readonly count?: number;
  readonly log?: (line: string) => void;
  /** Progress output (a bar on a TTY). */
  readonly progress?: (label: string, done: number, total: number) => void;
}

export interface DemoSummary {
  readonly topic: string;
  readonly produced: number;
  readonly handled: number;
  readonly deadLettered: number;
  readonly fieldsEncrypted: number;
  readonly producerKms: { wraps: number; unwraps: number };
  readonly consumerKms: { wraps: number; unwraps: number };
  readonly produceRate: number;
  readonly consumeRate: number;
  /** The plain consumer's view of one record (ciphertext in the PII fields). */
  readonly plainView: Record<string, unknown>;
  readonly decodedView: Customer;
  readonly dlqHeaders: Record<string, string>;
}

const SECRET = 'demo-secret-change-me';

function waitUntil(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (done()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`demo: timed out waiting for ${what}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

const short = (v: unknown, n = 34): string => {
  const s = String(v);
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
};

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const log = options.log ?? console.log;
  const progress = options.progress ?? (() => {});
  const count = options.count ?? 5000;
  const run = Date.now().toString(36);
  const topic = `customers-${run}`;
  const dlqTopic = `${topic}.dlq`;
  const kafka = new Kafka({ clientId: 'csfle-demo', brokers: options.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const closers: (() => Promise<void>)[] = [() => admin.disconnect()];
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }, { topic: dlqTopic, numPartitions: 1 }], waitForLeaders: true });
    const { schemas: registry, deks } = createRegistryClients({ url: options.registryUrl });

    log(`1. Security engineer: register com.example.Customer (email, ssn tagged PII) with an ENCRYPT rule`);
    const id = await registry.register(`${topic}-value`, {
      schema: CUSTOMER_AVRO,
      ruleSet: {
        domainRules: [{
          name: 'encrypt-pii', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'],
          params: { 'encrypt.kek.name': `demo-kek-${run}`, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'demo-key', 'encrypt.dek.algorithm': 'AES256_GCM' },
          onFailure: 'ERROR,DLQ',
        }],
      },
    });
    log(`   subject ${topic}-value → schema id ${id}; KEK demo-kek-${run} (local-kms), AES256_GCM, onFailure ERROR,DLQ`);

    // Producer and consumer are separate apps: separate DEK managers, so their KMS calls are theirs.
    const producerDeks: DekManager = createDekManager({ deks, kms: [createLocalKms({ secret: SECRET })] });
    const consumerDeks: DekManager = createDekManager({ deks, kms: [createLocalKms({ secret: SECRET })] });
    const producer = wrapProducer(kafka.producer(), { value: createAvroSerializer({ registry, dekManager: producerDeks, useLatestVersion: true }) });
    await producer.connect();
    closers.push(() => producer.disconnect());

    log(`2. Producer (kafkajs, send wrapped): ${count.toLocaleString('en-US')} customers to ${topic}`);
    const t0 = performance.now();
    const BATCH = 500;
    for (let i = 0; i < count; i += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => makeCustomer(i + j));
      await producer.send({ topic, messages: batch.map((c) => ({ key: c.id, value: c })) });
      progress('   producing', Math.min(i + BATCH, count), count);
    }
    const produceRate = count / ((performance.now() - t0) / 1000);
    log(`   sent in ${((performance.now() - t0) / 1000).toFixed(2)} s (${Math.round(produceRate).toLocaleString('en-US')} records/s)`);

    // A record damaged on the way: one bit of its ssn ciphertext flipped, sent as raw bytes.
    const type = avro.Type.forSchema(JSON.parse(CUSTOMER_AVRO) as avro.Schema);
    const good = await producer.serialize(topic, [{ key: 'c-damaged', value: makeCustomer(count) }]);
    const bytes = good[0]?.value as Buffer;
    const rec = type.fromBuffer(bytes.subarray(5)) as Record<string, string>;
    const ct = Buffer.from(rec.ssn as string, 'base64');
    ct[ct.length - 1] = (ct[ct.length - 1] as number) ^ 1;
    const damaged = Buffer.concat([bytes.subarray(0, 5), type.toBuffer({ ...rec, ssn: ct.toString('base64') })]);
    await producer.producer.send({ topic, messages: [{ key: 'c-damaged', value: damaged }] });

    log('3. The same record, as a plain consumer without keys reads it, and through the csfle consumer:');
    const plainConsumer = kafka.consumer({ groupId: `plain-${run}` });
    closers.push(() => plainConsumer.disconnect());
    let firstRaw: KafkaMessage | undefined;
    await plainConsumer.connect();
    await plainConsumer.subscribe({ topics: [topic], fromBeginning: true });
    await plainConsumer.run({ eachMessage: async ({ message }) => void (firstRaw ??= message.key?.toString() === 'c-42' ? message : undefined) });

    const handled = new Map<string, Customer>();
    let deadLettered = 0;
    const dlqProducer = kafka.producer();
    await dlqProducer.connect();
    closers.push(() => dlqProducer.disconnect());
    const consumer = wrapConsumer(kafka.consumer({ groupId: `app-${run}` }), {
      value: createAvroDeserializer({ registry, dekManager: consumerDeks }),
      dlq: { topic: dlqTopic, producer: dlqProducer },
      onDeadLetter: () => void deadLettered++,
    });
    closers.push(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const c0 = performance.now();
    let c1 = c0;
    await consumer.run<unknown, Customer>({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) if (m.value) handled.set(m.value.id, m.value);
        c1 = performance.now();
        progress('   consuming', handled.size + deadLettered, count + 1);
      },
    });
    await waitUntil(() => firstRaw !== undefined && handled.size + deadLettered >= count + 1, 120_000, 'all records');
    const consumeRate = count / ((c1 - c0) / 1000);
    await plainConsumer.stop();

    const plainView = type.fromBuffer((firstRaw?.value as Buffer).subarray(5)) as Record<string, unknown>;
    const decodedView = handled.get('c-42') as Customer;
    log(`   ${'field'.padEnd(8)} ${'plain consumer (no keys)'.padEnd(36)} csfle consumer`);
    for (const k of Object.keys(decodedView) as (keyof Customer)[]) {
      log(`   ${k.padEnd(8)} ${short(plainView[k]).padEnd(36)} ${String(decodedView[k])}`);
    }

    log(`4. Consumed ${handled.size.toLocaleString('en-US')} records decrypted + ${deadLettered} in the dead-letter topic ${dlqTopic}:`);
    const dlqReader = kafka.consumer({ groupId: `dlq-${run}` });
    closers.push(() => dlqReader.disconnect());
    let dead: KafkaMessage | undefined;
    await dlqReader.connect();
    await dlqReader.subscribe({ topics: [dlqTopic], fromBeginning: true });
    await dlqReader.run({ eachMessage: async ({ message }) => void (dead ??= message) });
    await waitUntil(() => dead !== undefined, 30_000, 'the dead letter');
    await dlqReader.stop();
    const dlqHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(dead?.headers ?? {})) if (k.startsWith('csfle.dlq.')) dlqHeaders[k] = String(v);
    log(`   key ${String(dead?.key)}, bytes untouched: ${Buffer.compare(dead?.value as Buffer, damaged) === 0 ? 'yes' : 'NO'}`);
    log(`   ${DlqHeaders.ERROR_CODE}=${dlqHeaders[DlqHeaders.ERROR_CODE]}  rule=${dlqHeaders[DlqHeaders.RULE_NAME]}  field=${dlqHeaders[DlqHeaders.FIELD]}`);
    log(`   from ${dlqHeaders[DlqHeaders.SOURCE_TOPIC]}[${dlqHeaders[DlqHeaders.SOURCE_PARTITION]}]@${dlqHeaders[DlqHeaders.SOURCE_OFFSET]}`);
    log(`   records in ${count + 1} = handled ${handled.size} + dead-lettered ${deadLettered}`);

    const summary: DemoSummary = {
      topic,
      produced: count + 1,
      handled: handled.size,
      deadLettered,
      fieldsEncrypted: (count + 1) * 2,
      producerKms: { wraps: producerDeks.stats.kmsWraps, unwraps: producerDeks.stats.kmsUnwraps },
      consumerKms: { wraps: consumerDeks.stats.kmsWraps, unwraps: consumerDeks.stats.kmsUnwraps },
      produceRate,
      consumeRate,
      plainView,
      decodedView,
      dlqHeaders,
    };
    log('5. Summary');
    log(`   records ${summary.produced.toLocaleString('en-US')} · fields encrypted ${summary.fieldsEncrypted.toLocaleString('en-US')} · ` +
      `KMS calls: producer ${summary.producerKms.wraps} wrap, consumer ${summary.consumerKms.unwraps} unwrap`);
    log(`   throughput (incl. broker round trips): produce ${Math.round(produceRate).toLocaleString('en-US')} records/s, consume ${Math.round(consumeRate).toLocaleString('en-US')} records/s`);
    return summary;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}
