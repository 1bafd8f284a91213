// Benchmarks csfle against Confluent's JS client (@confluentinc/schemaregistry 1.10.1, in-memory
// registry + local KMS, as in ../shared/bench/confluent-baseline.mjs) and against the node:crypto
// floor, in ONE run, on the SAME records (fixed seed), printing records/s and ratios.
//
//   node bench/run.mjs [--n 20000] [--reps 5] [--warmup 2000] [--formats avro,json]
//                      [--memory 1000000] [--smoke]
//
// Each figure is the median of --reps timed passes after a warm-up. Serialization is measured as
// a sequential `await` per record on both sides (what a producer loop does), deserialization
// over the buffers each side produced. `--smoke` runs a tiny N and checks only that the harness
// works and that the call counts hold (used by the test suite; no timing is asserted anywhere).
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const cf = require('@confluentinc/schemaregistry');
const { createLocalKms } = await import('@csfle/core');
const { createInMemorySchemaRegistry, createInMemoryDekRegistry } = await import('@csfle/registry');
const { createAvroSerde } = await import('@csfle/avro');

// ---- arguments ----------------------------------------------------------------------------------
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const SMOKE = args.includes('--smoke');
const N = Number(opt('n', SMOKE ? 300 : 20000));
const REPS = Number(opt('reps', SMOKE ? 1 : 5));
const WARMUP = Number(opt('warmup', SMOKE ? 50 : 2000));
const FORMATS = String(opt('formats', 'avro,json,protobuf')).split(',');
const MEMORY = Number(opt('memory', 0));
const SECRET = 'mysecret';

// ---- records (fixed seed) -------------------------------------------------------------------------
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function makeRecords(n, seed = 42) {
  const r = mulberry32(seed);
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      id: i,
      name: 'Customer ' + Math.floor(r() * 1e6),
      email: `user${Math.floor(r() * 1e9)}@example.com`,
      ssn: `${100 + Math.floor(r() * 899)}-${10 + Math.floor(r() * 89)}-${1000 + Math.floor(r() * 8999)}`,
      country: ['NL', 'DE', 'FR', 'UK', 'US'][Math.floor(r() * 5)],
      amount: Math.round(r() * 1e6) / 100,
      active: r() < 0.5,
      note: 'lorem ipsum dolor sit amet',
    };
  }
  return out;
}
const records = makeRecords(N);
const warm = makeRecords(WARMUP, 7);

// ---- schemas and rules ----------------------------------------------------------------------------
const avroSchema = JSON.stringify({
  type: 'record',
  name: 'Customer',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'email', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'ssn', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'country', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'active', type: 'boolean' },
    { name: 'note', type: 'string' },
  ],
});
const jsonSchema = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Customer',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    email: { type: 'string', 'confluent:tags': ['PII'] },
    ssn: { type: 'string', 'confluent:tags': ['PII'] },
    country: { type: 'string' },
    amount: { type: 'number' },
    active: { type: 'boolean' },
    note: { type: 'string' },
  },
  required: ['id', 'name', 'email', 'ssn'],
});
const protoSchema = `syntax = "proto3";
package bench;
import "confluent/meta.proto";
message Customer {
  int64 id = 1;
  string name = 2;
  string email = 3 [(confluent.field_meta).tags = "PII"];
  string ssn = 4 [(confluent.field_meta).tags = "PII"];
  string country = 5;
  double amount = 6;
  bool active = 7;
  string note = 8;
}
`;
const params = (kek, alg) => ({ 'encrypt.kek.name': kek, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'k1', 'encrypt.dek.algorithm': alg });
const fieldRule = (kek, alg) => ({ name: 'pii', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: params(kek, alg), onFailure: 'ERROR,ERROR' });
const payloadRule = (kek, alg) => ({ name: 'payload', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT_PAYLOAD', params: params(kek, alg), onFailure: 'ERROR,ERROR' });
const VARIANTS = [
  { name: 'plain', ruleSet: undefined },
  { name: 'field AES256_GCM', ruleSet: (k) => ({ domainRules: [fieldRule(k, 'AES256_GCM')] }), floor: 'gcm' },
  { name: 'field AES256_SIV', ruleSet: (k) => ({ domainRules: [fieldRule(k, 'AES256_SIV')] }) },
  { name: 'payload AES256_GCM', ruleSet: (k) => ({ encodingRules: [payloadRule(k, 'AES256_GCM')] }) },
];

// ---- Confluent's side (one mock client, as their executors are process-global) ---------------
cf.LocalKmsDriver.register();
cf.FieldEncryptionExecutor.register();
cf.EncryptionExecutor.register();
const cfClient = cf.SchemaRegistryClient.newClient({ baseURLs: ['mock://'] });
const cfConf = { useLatestVersion: true, ruleConfig: { secret: SECRET } };
// Confluent's Protobuf serde works on @bufbuild/protobuf messages and reads schemas in the registry's
// serialized form (a base64 FileDescriptorProto), so its side gets that form and message objects
// made from the same records (converted outside the timed loop).
const srDir = path.dirname(require.resolve('@confluentinc/schemaregistry'));
const pb = require(require.resolve('@bufbuild/protobuf', { paths: [srDir] }));
const wkt = require(require.resolve('@bufbuild/protobuf/wkt', { paths: [srDir] }));
const metaPb = require(path.join(srDir, 'confluent/meta_pb.js'));
const { toFileDescriptorProto } = await import('@csfle/protobuf');
const protoFdp = toFileDescriptorProto(protoSchema, {}, 'bench.proto');
const protoDesc = pb
  .createFileRegistry(pb.fromBinary(wkt.FileDescriptorProtoSchema, protoFdp), (n) => (n === 'confluent/meta.proto' ? metaPb.file_confluent_meta : undefined))
  .getMessage('bench.Customer');
const cfSerde = {
  avro: () => [new cf.AvroSerializer(cfClient, cf.SerdeType.VALUE, cfConf), new cf.AvroDeserializer(cfClient, cf.SerdeType.VALUE, cfConf)],
  json: () => [new cf.JsonSerializer(cfClient, cf.SerdeType.VALUE, cfConf), new cf.JsonDeserializer(cfClient, cf.SerdeType.VALUE, cfConf)],
  protobuf: () => {
    const s = new cf.ProtobufSerializer(cfClient, cf.SerdeType.VALUE, cfConf);
    s.registry.add(protoDesc);
    return [s, new cf.ProtobufDeserializer(cfClient, cf.SerdeType.VALUE, cfConf)];
  },
};
const cfPrep = { protobuf: (r) => pb.create(protoDesc, { ...r, id: BigInt(r.id) }) };
const schemaOf = { avro: { schemaType: 'AVRO', schema: avroSchema }, json: { schemaType: 'JSON', schema: jsonSchema }, protobuf: { schemaType: 'PROTOBUF', schema: protoSchema } };
const cfSchemaOf = { ...schemaOf, protobuf: { schemaType: 'PROTOBUF', schema: Buffer.from(protoFdp).toString('base64') } };

// ---- our side, with call counters -------------------------------------------------------------------
function counted(obj, counter) {
  return new Proxy(obj, {
    get(target, prop) {
      const v = target[prop];
      if (typeof v !== 'function') return v;
      return (...a) => {
        counter.n++;
        return v.apply(target, a);
      };
    },
  });
}
function ourEnv() {
  const calls = { registry: { n: 0 }, deks: { n: 0 }, kms: { n: 0 } };
  const registry = counted(createInMemorySchemaRegistry(), calls.registry);
  const deks = counted(createInMemoryDekRegistry(), calls.deks);
  const local = createLocalKms({ secret: SECRET });
  const kms = [{ kmsType: local.kmsType, supports: (u) => local.supports(u), wrap: (...a) => (calls.kms.n++, local.wrap(...a)), unwrap: (...a) => (calls.kms.n++, local.unwrap(...a)) }];
  return { registry, deks, kms, calls };
}
async function ourSerde(format, env) {
  if (format === 'avro') return createAvroSerde({ registry: env.registry, deks: env.deks, kms: env.kms, useLatestVersion: true });
  if (format === 'json') {
    const m = await import('@csfle/json-schema');
    return m.createJsonSchemaSerde({ registry: env.registry, deks: env.deks, kms: env.kms, useLatestVersion: true });
  }
  if (format === 'protobuf') {
    const m = await import('@csfle/protobuf');
    return m.createProtobufSerde({ registry: env.registry, deks: env.deks, kms: env.kms, useLatestVersion: true });
  }
  throw new Error(`unknown format ${format}`);
}

// ---- timing -----------------------------------------------------------------------------------------
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function rate(fn, inputs) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < inputs.length; i++) await fn(inputs[i]);
  return inputs.length / (Number(process.hrtime.bigint() - t) / 1e9);
}
async function measure(ser, de, topic, prep = structuredClone) {
  for (const r of warm) await de(topic, await ser(topic, prep(r)));
  // Confluent's serializer mutates its input: both sides get fresh copies, made outside the timing.
  const serRates = [];
  const deRates = [];
  let bufs;
  for (let rep = 0; rep < REPS; rep++) {
    const inputs = records.map((r) => prep(r));
    bufs = new Array(inputs.length);
    let i = 0;
    serRates.push(await rate(async (r) => (bufs[i++] = await ser(topic, r)), inputs));
    deRates.push(await rate((b) => de(topic, b), bufs));
  }
  const bytes = bufs.reduce((s, b) => s + b.length, 0) / bufs.length;
  return { ser: median(serRates), de: median(deRates), bytes };
}

// The floor: the same two field encryptions done directly with node:crypto (new cipher per field,
// random nonce, base64), and the matching decryptions.
function floorGcm() {
  const key = crypto.randomBytes(32);
  const encRates = [];
  const decRates = [];
  let cts;
  for (let rep = 0; rep < REPS; rep++) {
    cts = new Array(records.length);
    let t = process.hrtime.bigint();
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const pair = [];
      for (const v of [r.email, r.ssn]) {
        const iv = crypto.randomBytes(12);
        const c = crypto.createCipheriv('aes-256-gcm', key, iv);
        pair.push(Buffer.concat([iv, c.update(v, 'utf8'), c.final(), c.getAuthTag()]).toString('base64'));
      }
      cts[i] = pair;
    }
    encRates.push(records.length / (Number(process.hrtime.bigint() - t) / 1e9));
    t = process.hrtime.bigint();
    for (let i = 0; i < cts.length; i++) {
      for (const s of cts[i]) {
        const b = Buffer.from(s, 'base64');
        const d = crypto.createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
        d.setAuthTag(b.subarray(b.length - 16));
        Buffer.concat([d.update(b.subarray(12, b.length - 16)), d.final()]).toString('utf8');
      }
    }
    decRates.push(records.length / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  return { ser: median(encRates), de: median(decRates) };
}

// ---- single-flight: 1,000 concurrent first uses on a cold cache ---------------------------------
async function coldStart(format) {
  const env = ourEnv();
  await env.registry.register('cold-value', { ...schemaOf[format], ruleSet: { domainRules: [fieldRule('kekcold', 'AES256_GCM')] } });
  const writer = await ourSerde(format, env);
  const before = { reg: env.calls.registry.n, deks: env.calls.deks.n, kms: env.calls.kms.n };
  const bufs = await Promise.all(records.slice(0, 1000).map((r) => writer.serialize('cold', r)));
  const write = { registry: env.calls.registry.n - before.reg, deks: env.calls.deks.n - before.deks, kms: env.calls.kms.n - before.kms };
  const reader = await ourSerde(format, env);
  const b2 = { reg: env.calls.registry.n, deks: env.calls.deks.n, kms: env.calls.kms.n };
  await Promise.all(bufs.map((b) => reader.deserialize('cold', b)));
  const read = { registry: env.calls.registry.n - b2.reg, deks: env.calls.deks.n - b2.deks, kms: env.calls.kms.n - b2.kms };
  return { write, read };
}

// ---- memory: RSS after 100k vs 1M encrypted records ----------------------------------------------
async function memory(total) {
  const env = ourEnv();
  await env.registry.register('mem-value', { ...schemaOf.avro, ruleSet: { domainRules: [fieldRule('kekmem', 'AES256_GCM')] } });
  const serde = await ourSerde('avro', env);
  const gc = globalThis.gc ?? (() => {});
  const marks = {};
  for (let i = 0; i < total; i++) {
    const b = await serde.serialize('mem', records[i % records.length]);
    await serde.deserialize('mem', b);
    if (i + 1 === Math.min(100_000, total) || i + 1 === total) {
      gc();
      marks[i + 1] = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };
    }
  }
  return marks;
}

// ---- run --------------------------------------------------------------------------------------------
const f = (x) => Math.round(x).toLocaleString('en-US');
const x = (a, b) => `${(a / b).toFixed(1)}x`;
console.log(`csfle benchmark — N=${N} reps=${REPS} (median) warmup=${WARMUP} · node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}`);
console.log(`peer: @confluentinc/schemaregistry ${require('@confluentinc/schemaregistry/package.json').version} (mock:// registry, local KMS)`);
const floor = floorGcm();
console.log(`floor: node:crypto, 2 AES-256-GCM fields + base64 per record: encrypt ${f(floor.ser)}/s, decrypt ${f(floor.de)}/s\n`);
const header = ['format', 'variant', 'ours ser/s', 'cf ser/s', 'ser ratio', 'ours de/s', 'cf de/s', 'de ratio', 'ser/floor', 'de/floor', 'µs/rec ser', 'µs/rec de', 'bytes/rec'];
const rows = [header];
const results = [];
let variantNo = 0;
for (const format of FORMATS) {
  for (const v of VARIANTS) {
    const topic = `t${variantNo++}`;
    const env = ourEnv();
    const info = { ...schemaOf[format], ...(v.ruleSet ? { ruleSet: v.ruleSet(`kek${variantNo}`) } : {}) };
    await env.registry.register(`${topic}-value`, info);
    await cfClient.register(`${topic}-value`, { ...info, ...cfSchemaOf[format] }, false);
    const ours = await ourSerde(format, env);
    const [cs, cd] = cfSerde[format]();
    const o = await measure((t, r) => ours.serialize(t, r), (t, b) => ours.deserialize(t, b), topic);
    const c = await measure((t, r) => cs.serialize(t, r), (t, b) => cd.deserialize(t, b), topic, cfPrep[format]);
    const fl = v.floor === 'gcm';
    results.push({ format, variant: v.name, ours: o, confluent: c, calls: { registry: env.calls.registry.n, deks: env.calls.deks.n, kms: env.calls.kms.n } });
    rows.push([format, v.name, f(o.ser), f(c.ser), x(o.ser, c.ser), f(o.de), f(c.de), x(o.de, c.de), fl ? (o.ser / floor.ser).toFixed(2) : '', fl ? (o.de / floor.de).toFixed(2) : '', (1e6 / o.ser).toFixed(1), (1e6 / o.de).toFixed(1), o.bytes.toFixed(0)]);
  }
}
const widths = header.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
for (const r of rows) console.log(r.map((c, i) => String(c).padStart(widths[i])).join('  '));

console.log('\nremote calls per variant (ours, whole run incl. warm-up; registry = schema registry, deks = DEK registry):');
for (const r of results) console.log(`  ${r.format} ${r.variant}: registry ${r.calls.registry}, deks ${r.calls.deks}, kms ${r.calls.kms}`);
const cold = await coldStart('avro');
console.log(`\ncold cache, 1,000 concurrent first uses (avro, AES256_GCM):`);
console.log(`  write: schema registry ${cold.write.registry}, DEK registry ${cold.write.deks}, KMS ${cold.write.kms}`);
console.log(`  read (new deserializer): schema registry ${cold.read.registry}, DEK registry ${cold.read.deks}, KMS ${cold.read.kms}`);
let ok = cold.write.kms === 1 && cold.read.kms === 1 && cold.read.deks === 2 && cold.write.registry <= 2 && cold.read.registry <= 1;
if (MEMORY > 0) {
  const m = await memory(MEMORY);
  const keys = Object.keys(m).map(Number).sort((a, b) => a - b);
  console.log(`\nmemory (avro field GCM, serialize+deserialize, after gc):`);
  for (const k of keys) console.log(`  after ${f(k)} records: rss ${(m[k].rss / 2 ** 20).toFixed(1)} MiB, heap ${(m[k].heap / 2 ** 20).toFixed(1)} MiB`);
  if (keys.length === 2) console.log(`  rss growth ${(((m[keys[1]].rss - m[keys[0]].rss) / m[keys[0]].rss) * 100).toFixed(1)}% from ${f(keys[0])} to ${f(keys[1])}`);
}
if (SMOKE) {
  console.log(ok ? '\nsmoke: ok' : '\nsmoke: FAILED (call counts)');
  process.exitCode = ok ? 0 : 1;
}
