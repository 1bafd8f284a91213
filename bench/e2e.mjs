// End-to-end through a real Kafka broker (scripts/stack): kafkajs produce + consume throughput,
// plain vs through @csfle/kafkajs's wrappers, same records, same run.
//
//   node bench/e2e.mjs [--n 50000] [--batch 500] [--reps 3]      (needs `bash scripts/stack.sh up`)
//
// Variants, each on a fresh 3-partition topic:
//   kafkajs + JSON.stringify   — what an app without a schema registry does
//   wrapped, Avro plain        — @csfle/kafkajs + @csfle/avro, schema without rules
//   wrapped, Avro 2 fields GCM — the same with an ENCRYPT rule on the 2 PII fields (AES256_GCM)
// Produce: sendBatch of --batch messages, awaited in sequence. Consume: eachBatch until all arrive
// (time from the first batch to the last). Median of --reps. Ratios are against the wrapped plain run.
import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');
const { createLocalKms } = await import('@csfle/core');
const { createRegistryClients } = await import('@csfle/registry');
const { createAvroSerde } = await import('@csfle/avro');
const { wrapProducer, wrapConsumer } = await import('@csfle/kafkajs');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(opt('n', 50000));
const BATCH = Number(opt('batch', 500));
const REPS = Number(opt('reps', 3));
const brokers = [process.env.CSFLE_KAFKA_BROKERS ?? '127.0.0.1:19092'];
const url = process.env.CSFLE_REGISTRY_URL ?? 'http://127.0.0.1:18081';

const schema = JSON.stringify({
  type: 'record', name: 'Customer', namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' }, { name: 'name', type: 'string' },
    { name: 'email', type: 'string', 'confluent:tags': ['PII'] }, { name: 'ssn', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'country', type: 'string' }, { name: 'amount', type: 'double' }, { name: 'active', type: 'boolean' }, { name: 'note', type: 'string' },
  ],
});
const records = Array.from({ length: N }, (_, i) => ({
  id: i, name: `Customer ${i}`, email: `user${i}@example.com`, ssn: `${100 + (i % 800)}-${10 + (i % 80)}-${1000 + (i % 8000)}`,
  country: ['NL', 'DE', 'FR', 'UK', 'US'][i % 5], amount: (i % 10000) / 100, active: i % 2 === 0, note: 'lorem ipsum dolor sit amet',
}));

const kafka = new Kafka({ clientId: 'csfle-bench', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const { schemas, deks } = createRegistryClients({ url });
const kms = [createLocalKms({ secret: 'bench-secret' })];
const run = Date.now().toString(36);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function once(variant, rep) {
  const topic = `bench-${variant.id}-${run}-${rep}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  let ser, de;
  if (variant.rule !== undefined) {
    await schemas.register(`${topic}-value`, { schema, ...(variant.rule ? { ruleSet: { domainRules: [variant.rule(topic)] } } : {}) });
    const serde = createAvroSerde({ registry: schemas, deks, kms, useLatestVersion: true });
    ser = serde;
    de = serde;
  }
  const raw = kafka.producer();
  const producer = ser ? wrapProducer(raw, { value: ser }) : raw;
  await producer.connect();
  const t0 = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const slice = records.slice(i, i + BATCH);
    await producer.sendBatch({ topicMessages: [{ topic, messages: slice.map((r) => ({ key: String(r.id), value: ser ? r : JSON.stringify(r) })) }] });
  }
  const produce = N / ((performance.now() - t0) / 1000);
  await producer.disconnect();

  const rawConsumer = kafka.consumer({ groupId: `g-${topic}` });
  const consumer = de ? wrapConsumer(rawConsumer, { value: de }) : rawConsumer;
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let n = 0, first = 0, last = 0, check = 0;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (!first) first = performance.now();
      for (const m of batch.messages) {
        const v = de ? m.value : JSON.parse(m.value.toString());
        check += v.id;
        n++;
      }
      last = performance.now();
    },
  });
  while (n < N) await new Promise((r) => setTimeout(r, 20));
  await consumer.disconnect();
  if (check !== (N * (N - 1)) / 2) throw new Error('records lost or changed');
  return { produce, consume: N / ((last - first) / 1000) };
}

const variants = [
  { id: 'json', name: 'kafkajs + JSON.stringify', rule: undefined },
  { id: 'plain', name: 'wrapped, Avro plain', rule: null },
  { id: 'gcm', name: 'wrapped, Avro 2 fields GCM', rule: (t) => ({ name: 'pii', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': `kek-${t}`, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'k' } }) },
];
console.log(`csfle e2e benchmark — N=${N} batch=${BATCH} reps=${REPS} (median) · node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length} · Kafka at ${brokers[0]}`);
const out = {};
for (const v of variants) {
  const rs = [];
  for (let rep = 0; rep < REPS; rep++) rs.push(await once(v, rep));
  out[v.id] = { produce: median(rs.map((r) => r.produce)), consume: median(rs.map((r) => r.consume)) };
}
const f = (x) => Math.round(x).toLocaleString('en-US');
console.log(`${'variant'.padEnd(28)} ${'produce/s'.padStart(10)} ${'consume/s'.padStart(10)} ${'prod vs plain'.padStart(14)} ${'cons vs plain'.padStart(14)}`);
for (const v of variants) {
  const r = out[v.id];
  console.log(`${v.name.padEnd(28)} ${f(r.produce).padStart(10)} ${f(r.consume).padStart(10)} ${(r.produce / out.plain.produce).toFixed(2).padStart(14)} ${(r.consume / out.plain.consume).toFixed(2).padStart(14)}`);
}
await admin.disconnect();
