/**
 * Runs one doc-snippet host for real: `node examples/snippets/.run/harness/run.js <host>`
 * (test/docs-snippets.test.ts runs every host this way and starts the services first).
 *
 * For each host it starts a fresh registry (our Confluent-compatible server, over HTTP), registers
 * the schema and ENCRYPT rule the page's data needs, puts what the page assumes in scope
 * (./env.ts), imports the compiled host — which executes the snippet — and then checks what the
 * snippet produced: round trips, ciphertext on the wire, records through a real broker, keys
 * wrapped by real KMS emulators. It prints one line, `CSFLE-SNIPPET-RESULT { host, checks }`, and exits 0, or
 * prints the failure and exits 1.
 *
 * What is changed in the snippet: nothing, except that the endpoints the pages write
 * (`http://localhost:8081`, `http://registry:8081`, `https://sr-1.example:8081`, a CA file path)
 * and, for snippets that talk to the shared broker, the topic and group names are string literals
 * this runner rewrites in the compiled host before importing it — to the servers started here and
 * to names unique to this run.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLocalKms, type FieldOutcome, type KmsClient, type Rule } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { startRegistryServer, type RegistryServer } from '@csfle/registry/server';
import { createAvroSerializer } from '@csfle/avro';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { SnippetEnv } from './env.js';

interface Services {
  readonly brokers?: string;
  readonly vault?: { readonly url: string; readonly token: string; readonly key: string };
  readonly moto?: { readonly url: string; readonly keyArn: string; readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Marks the result line (the snippets' own loggers write to stdout too). */
export const RESULT = 'CSFLE-SNIPPET-RESULT';
const SECRET = 'docs-snippet-secret';
const KEK = 'docs-kek';
const services = JSON.parse(process.env.CSFLE_SNIPPET_SERVICES ?? '{}') as Services;
const sfx = `${Date.now().toString(36)}${process.pid.toString(36)}`;

interface Run {
  readonly server: RegistryServer;
  readonly url: string;
  readonly clients: ReturnType<typeof createRegistryClients>;
  readonly kms: KmsClient[];
  /** Registers a schema (with an ENCRYPT rule on `PII` unless `rules: false`); resolves its id. */
  register(subject: string, schema: string, opts?: { type?: 'JSON' | 'PROTOBUF'; rules?: boolean; rule?: Partial<Rule> }): Promise<number>;
  /** Runs at the end, whatever happened. */
  later(fn: () => Promise<unknown>): void;
  /** Records a verified fact (printed in the result). */
  ok(what: string): void;
  kafka(): Kafka;
  topic(name: string): Promise<string>;
}

interface Plan {
  readonly env?: Partial<SnippetEnv>;
  /** Literal strings of the compiled host to replace (endpoints, unique names). */
  readonly rewrite?: Readonly<Record<string, string>>;
  /** process.env the page's code reads. */
  readonly processEnv?: Readonly<Record<string, string>>;
  check(mod: Record<string, any>): Promise<void>;
}

const encryptRule = (over: Partial<Rule> = {}): Rule => ({
  name: 'encrypt',
  kind: 'TRANSFORM',
  mode: 'WRITEREAD',
  type: 'ENCRYPT',
  tags: ['PII'],
  params: { 'encrypt.kek.name': KEK, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'docs-key' },
  ...over,
});

/** avsc records are class instances; compare plain data. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function noPlaintext(r: Run, bytes: unknown, ...secrets: string[]): void {
  assert.ok(Buffer.isBuffer(bytes), 'serialized value is a Buffer');
  for (const s of secrets) assert.equal(bytes.includes(Buffer.from(s)), false, `"${s}" must not be in the serialized bytes`);
  r.ok(`no plaintext of ${secrets.length} protected value(s) in the ${bytes.length} serialized bytes`);
}

function decryptedFields(r: Run, outcomes: readonly FieldOutcome[], ...fields: string[]): void {
  for (const f of fields) assert.ok(outcomes.some((o) => o.field.endsWith(f) && o.outcome === 'decrypted'), `outcome "decrypted" for ${f}`);
  r.ok(`outcomes report ${fields.join(', ')} decrypted`);
}

function avroRecord(fields: Array<[string, string, boolean?]>): string {
  return JSON.stringify({
    type: 'record',
    name: 'Customer',
    namespace: 'acme',
    fields: fields.map(([name, type, pii]) => ({ name, type, ...(pii ? { 'confluent:tags': ['PII'] } : {}) })),
  });
}

function jsonObject(props: Record<string, unknown>): string {
  return JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'Customer', type: 'object', properties: props });
}

const PII = { type: 'string', 'confluent:tags': ['PII'] };

const PROTO_WITH_ADDRESS = `syntax = "proto3";
package acme;

import "confluent/meta.proto";

message Customer {
  string id = 1;
  string name = 2;
  Address address = 3;

  message Address {
    string street = 1 [(confluent.field_meta).tags = "PII"];
  }
}
`;

const CUSTOMER = { id: 'c-1', email: 'ada@example.com' };
const AVRO_ID_EMAIL = avroRecord([['id', 'string'], ['email', 'string', true]]);

/** A wrapped producer/consumer snippet: the records it sends must reach the broker as ciphertext. */
async function rawValues(r: Run, topic: string, n: number): Promise<Buffer[]> {
  const consumer = r.kafka().consumer({ groupId: `docs-raw-${sfx}` });
  await consumer.connect();
  const out: Buffer[] = [];
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${out.length}/${n} raw records on ${topic}`)), 60_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value) out.push(message.value);
            if (out.length >= n) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

async function committed(r: Run, groupId: string, topic: string, atLeast: number): Promise<void> {
  const admin = r.kafka().admin();
  await admin.connect();
  try {
    for (let i = 0; i < 120; i++) {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const sum = (t?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
      if (sum >= atLeast) return;
      await new Promise((res) => setTimeout(res, 500));
    }
    throw new Error(`group ${groupId} never committed ${atLeast} record(s) of ${topic}: the handler did not complete`);
  } finally {
    await admin.disconnect();
  }
}

function needs<K extends keyof Services>(k: K): NonNullable<Services[K]> {
  const v = services[k];
  if (!v) throw new Error(`this snippet needs the ${k} service (CSFLE_SNIPPET_SERVICES)`);
  return v as NonNullable<Services[K]>;
}

async function connectedProducer(r: Run): Promise<Producer> {
  const p = r.kafka().producer();
  await p.connect();
  r.later(() => p.disconnect());
  return p;
}

/** The hosts, by file name: the setup each page assumes and what its code must have done. */
const PLANS: Record<string, (r: Run) => Promise<Plan>> = {
  // README.md
  'readme-serdes': async (r) => {
    await r.register('customers-value', avroRecord([['id', 'int'], ['email', 'string', true]]));
    return {
      rewrite: { 'http://registry:8081': r.url },
      processEnv: { LOCAL_SECRET: SECRET },
      async check(m) {
        noPlaintext(r, m.bytes, 'ada@example.com');
        assert.deepEqual(plain(m.customer), { id: 1, email: 'ada@example.com' });
        r.ok('the deserializer returns the record');
      },
    };
  },
  'readme-kafkajs': async (r) => {
    const topic = await r.topic(`customers-${sfx}`);
    await r.register(`${topic}-value`, AVRO_ID_EMAIL, { rule: { onFailure: 'ERROR,DLQ' } });
    let got: (v: unknown) => void = () => {};
    const received = new Promise<unknown>((res) => (got = res));
    return {
      env: { kafka: r.kafka(), registry: r.clients.schemas, deks: r.clients.deks, kms: r.kms, dlqProducer: await connectedProducer(r), handle: async (v) => got(v) },
      rewrite: { customers: topic, 'customers.dlq': `${topic}.dlq`, billing: `billing-${sfx}` },
      async check(m) {
        r.later(() => m.consumer.disconnect());
        r.later(() => m.producer.disconnect());
        const [raw] = await rawValues(r, topic, 1);
        noPlaintext(r, raw, 'ada@example.com');
        const v = await Promise.race([received, new Promise((_, rej) => setTimeout(() => rej(new Error('handle() never called')), 60_000))]);
        assert.deepEqual(plain(v), { id: 'c-1', email: 'ada@example.com' });
        r.ok('the wrapped consumer handed the decrypted record to handle()');
      },
    };
  },
  'readme-formats': async (r) => {
    await r.register('customers-json-value', jsonObject({ id: { type: 'string' }, email: PII }), { type: 'JSON' });
    await r.register(
      'customers-proto-value',
      'syntax = "proto3";\npackage acme;\nimport "confluent/meta.proto";\nmessage Customer {\n  string id = 1;\n  string email = 2 [(confluent.field_meta).tags = "PII"];\n}\n',
      { type: 'PROTOBUF' },
    );
    return {
      env: { registry: r.clients.schemas, deks: r.clients.deks, kms: r.kms },
      async check(m) {
        for (const [serde, topic] of [[m.json, 'customers-json'], [m.proto, 'customers-proto']] as const) {
          const bytes = await serde.serialize(topic, CUSTOMER);
          noPlaintext(r, bytes, CUSTOMER.email);
          assert.deepEqual(plain(await serde.deserialize(topic, bytes)), CUSTOMER);
        }
        r.ok('the JSON Schema and Protobuf serdes round-trip acme.Customer');
      },
    };
  },

  // docs/json-schema.md, docs/protobuf.md
  'json-schema': async (r) => {
    await r.register('customers-value', jsonObject({ id: { type: 'integer' }, email: PII, address: { type: 'object', properties: { street: PII } } }), { type: 'JSON' });
    return {
      env: { secret: SECRET },
      rewrite: { 'http://localhost:8081': r.url },
      async check(m) {
        noPlaintext(r, m.bytes, 'ada@example.com', '12 St James Square');
        assert.deepEqual(m.customer, { id: 42, email: 'ada@example.com', address: { street: '12 St James Square' } });
        r.ok('round trip, nested field included');
      },
    };
  },
  protobuf: async (r) => {
    await r.register('customers-value', PROTO_WITH_ADDRESS, { type: 'PROTOBUF' });
    return {
      env: { secret: SECRET },
      rewrite: { 'http://localhost:8081': r.url },
      async check(m) {
        noPlaintext(r, m.bytes, '12 St James Square');
        assert.deepEqual(plain(m.customer), { id: '42', name: 'Ada', address: { street: '12 St James Square' } });
        r.ok('round trip to a plain object, nested message field included');
      },
    };
  },

  // docs/kafkajs.md
  'kafkajs-wrappers': async (r) => {
    const topic = await r.topic(`customers-${sfx}`);
    await r.register(`${topic}-value`, AVRO_ID_EMAIL);
    return {
      env: { brokers: [needs('brokers')], registryUrl: r.url, secret: SECRET, customer: CUSTOMER },
      rewrite: { customers: topic, 'customers.dlq': `${topic}.dlq`, billing: `billing-${sfx}` },
      async check(m) {
        for (const c of [m.consumer, m.producer, m.dlqProducer]) r.later(() => c.disconnect());
        const [raw] = await rawValues(r, topic, 1);
        noPlaintext(r, raw, CUSTOMER.email);
        await committed(r, `billing-${sfx}`, topic, 1);
        r.ok('the wrapped consumer ran eachMessage on the record and committed it');
      },
    };
  },
  'kafkajs-compat-before': async (r) => {
    const id = await r.register('customers-value', AVRO_ID_EMAIL, { rules: false });
    const ser = createAvroSerializer({ registry: r.clients.schemas, deks: r.clients.deks, kms: r.kms, useLatestVersion: true });
    return {
      env: { registryUrl: r.url, customer: CUSTOMER, message: { value: await ser.serialize('customers', CUSTOMER) } },
      async check(m) {
        assert.equal(m.id, id);
        assert.ok(Buffer.isBuffer(m.value) && m.value.includes(Buffer.from(CUSTOMER.email)));
        r.ok('before: @kafkajs/confluent-schema-registry writes the email in plaintext');
        assert.deepEqual(plain(m.decoded), CUSTOMER);
        r.ok('before: decode reads our framing');
      },
    };
  },
  'kafkajs-compat-after': async (r) => {
    const id = await r.register('customers-value', AVRO_ID_EMAIL);
    const ser = createAvroSerializer({ registry: r.clients.schemas, deks: r.clients.deks, kms: r.kms, useLatestVersion: true });
    return {
      env: { registryUrl: r.url, kms: r.kms, customer: CUSTOMER, message: { value: await ser.serialize('customers', CUSTOMER) } },
      async check(m) {
        assert.equal(m.id, id);
        noPlaintext(r, m.value, CUSTOMER.email);
        assert.deepEqual(plain(m.decoded), CUSTOMER);
        r.ok('after: the same calls encrypt on encode and decrypt on decode');
      },
    };
  },
  'pkg-kafkajs': async (r) => {
    const topic = await r.topic(`docs-pkg-kafkajs-${sfx}`);
    await r.register(`${topic}-value`, AVRO_ID_EMAIL);
    return {
      env: { registry: r.clients.schemas, deks: r.clients.deks, kms: r.kms, kafka: r.kafka(), dlqProducer: await connectedProducer(r) },
      async check(m) {
        assert.equal(typeof m.consumer.run, 'function');
        await m.producer.connect();
        r.later(() => m.producer.disconnect());
        await m.producer.send({ topic, messages: [{ value: CUSTOMER }] });
        const [raw] = await rawValues(r, topic, 1);
        noPlaintext(r, raw, CUSTOMER.email);
        r.ok('the wrapped producer, once connected, puts ciphertext on the broker');
      },
    };
  },

  // docs/kms/*.md and the KMS package READMEs
  'kms-aws': async (r) => {
    const moto = needs('moto');
    await r.register('customers-value', AVRO_ID_EMAIL, { rule: { params: { 'encrypt.kek.name': `docs-aws-${sfx}`, 'encrypt.kms.type': 'aws-kms', 'encrypt.kms.key.id': moto.keyArn } } });
    return {
      env: { registry: r.clients.schemas, deks: r.clients.deks },
      processEnv: awsEnv(moto),
      async check(m) {
        const bytes = await m.serde.serialize('customers', CUSTOMER);
        noPlaintext(r, bytes, CUSTOMER.email);
        assert.deepEqual(plain(await m.serde.deserialize('customers', bytes)), CUSTOMER);
        r.ok('the DEK was wrapped by AWS KMS (moto) through the default credential chain, and the record round-trips');
      },
    };
  },
  'pkg-kms-aws': async () => {
    const moto = needs('moto');
    return { processEnv: awsEnv(moto), check: (m) => kmsRoundTrip(m.kms, `aws-kms://${moto.keyArn}`) };
  },
  'kms-vault': async () => {
    const vault = needs('vault');
    return { rewrite: { '/etc/vault/ca.pem': caBundle() }, processEnv: { VAULT_TOKEN: vault.token }, check: (m) => kmsRoundTrip(m.kms, `hcvault://${vault.url}/transit/keys/${vault.key}`) };
  },
  'pkg-kms-vault': async () => {
    const vault = needs('vault');
    return { env: { token: vault.token, caPem: readFileSync(caBundle(), 'utf8') }, check: (m) => kmsRoundTrip(m.kms, `hcvault://${vault.url}/transit/keys/${vault.key}`) };
  },
  // No Azure or GCP emulator answers the default credential chains: these run up to the client.
  'kms-azure': async () => ({ check: (m) => supports(m.kms, 'azure-kms://https://orders.vault.azure.net/keys/kek/0123456789abcdef0123456789abcdef') }),
  'pkg-kms-azure': async () => ({ check: (m) => supports(m.kms, 'azure-kms://https://orders.vault.azure.net/keys/kek/0123456789abcdef0123456789abcdef') }),
  'kms-gcp': async () => ({ check: (m) => supports(m.kms, 'gcp-kms://projects/p/locations/global/keyRings/r/cryptoKeys/k') }),
  'pkg-kms-gcp': async () => ({ check: (m) => supports(m.kms, 'gcp-kms://projects/p/locations/global/keyRings/r/cryptoKeys/k') }),

  // Package READMEs
  'pkg-core': async () => ({
    processEnv: { LOCAL_SECRET: SECRET },
    async check(m) {
      assert.equal(typeof m.engine.runDomain, 'function');
      assert.equal(typeof m.engine.runEncoding, 'function');
      current?.ok('a rule engine over the in-memory DEK registry and the local KMS');
    },
  }),
  'pkg-avro': async (r) => {
    await r.register('customers-value', avroRecord([['id', 'int'], ['name', 'string'], ['ssn', 'string', true]]));
    const input = { id: 1, name: 'Alice', ssn: '123-45-6789' };
    return {
      rewrite: { 'http://localhost:8081': r.url },
      processEnv: { LOCAL_SECRET: SECRET },
      async check(m) {
        noPlaintext(r, m.bytes, input.ssn);
        assert.deepEqual(plain(m.customer), input);
        assert.deepEqual(plain(m.value), input);
        assert.equal(typeof m.schemaId, 'number');
        decryptedFields(r, m.outcomes, 'ssn');
      },
    };
  },
  'pkg-json-schema': async (r) => {
    await r.register('customers-value', jsonObject({ id: { type: 'integer' }, name: { type: 'string' }, ssn: PII }), { type: 'JSON' });
    return {
      rewrite: { 'http://localhost:8081': r.url },
      processEnv: { LOCAL_SECRET: SECRET },
      async check(m) {
        noPlaintext(r, m.bytes, '123-45-6789');
        assert.deepEqual(m.value, { id: 1, name: 'Alice', ssn: '123-45-6789' });
        decryptedFields(r, m.outcomes, 'ssn');
      },
    };
  },
  'pkg-protobuf': async (r) => {
    await r.register('customers-value', PROTO_WITH_ADDRESS, { type: 'PROTOBUF' });
    const input = { id: '1', name: 'Alice', address: { street: '1 Main St' } };
    return {
      rewrite: { 'http://localhost:8081': r.url },
      processEnv: { LOCAL_SECRET: SECRET },
      async check(m) {
        noPlaintext(r, m.bytes, '1 Main St');
        assert.deepEqual(plain(m.customer), input);
        assert.deepEqual(plain(m.value), input);
        decryptedFields(r, m.outcomes, 'street');
      },
    };
  },
  'pkg-registry-clients': async (r) => {
    await r.clients.deks.createKek({ name: 'kek1', kmsType: 'local-kms', kmsKeyId: 'k1', shared: false });
    const ruleSet = { domainRules: [encryptRule({ params: { 'encrypt.kek.name': 'kek1' } })] };
    return {
      env: { avroSchema: JSON.parse(AVRO_ID_EMAIL) as object, ruleSet },
      // sr-1 is a closed port: the client must fail over to sr-2 (the registry started here).
      rewrite: { 'https://sr-1.example:8081': 'http://127.0.0.1:9', 'https://sr-2.example:8081': r.url },
      processEnv: { SR_PASSWORD: 'docs-password' },
      async check(m) {
        assert.equal(typeof m.id, 'number');
        assert.equal(m.latest.id, m.id);
        assert.deepEqual(m.latest.ruleSet, ruleSet);
        assert.equal(m.kek.name, 'kek1');
        assert.ok(r.server.requests.some((q) => q.method === 'POST' && q.url.startsWith('/subjects/orders-value/versions')));
        r.ok('registered through the second URL after the first refused the connection; latest and KEK read back');
      },
    };
  },
  'pkg-registry-memory': async () => ({
    env: { fakeNow: 1_700_000_000_000 },
    async check(m) {
      await m.deks.createKek({ name: 'k', kmsType: 'local-kms', kmsKeyId: 'x', shared: false });
      const d = await m.deks.createDek('k', { subject: 's', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'AAAA' });
      assert.equal(d.ts, 1_700_000_000_000);
      current?.ok('the in-memory DEK registry stamps DEKs with the injected clock');
    },
  }),
  'pkg-registry-server': async () => ({
    async check(m) {
      try {
        const res = await fetch(new URL('/subjects', m.server.url));
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), []);
        current?.ok('the started server answers GET /subjects');
      } finally {
        await m.server.close();
      }
    },
  }),
};

function awsEnv(moto: NonNullable<Services['moto']>): Record<string, string> {
  // The SDK's default chain and its standard endpoint override (AWS_ENDPOINT_URL_KMS): no code change.
  return { AWS_ACCESS_KEY_ID: moto.accessKeyId, AWS_SECRET_ACCESS_KEY: moto.secretAccessKey, AWS_ENDPOINT_URL_KMS: moto.url, AWS_REGION: 'us-east-1' };
}

let current: Run | undefined;

/** A real PEM file to stand in for the pages' CA path (the test OpenBao speaks plain HTTP, so it is not used for TLS). */
function caBundle(): string {
  const ca = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'].find((f) => existsSync(f));
  if (!ca) throw new Error('no CA bundle on this machine to stand in for the CA file of the Vault pages');
  return ca;
}

async function kmsRoundTrip(kms: KmsClient[], uri: string): Promise<void> {
  const client = kms[0];
  if (!client?.supports(uri)) throw new Error(`the snippet's client must support ${uri.split('://')[0]}`);
  const dek = Buffer.from('0123456789abcdef0123456789abcdef');
  const wrapped = await client.wrap(uri, dek);
  assert.equal(Buffer.from(wrapped).includes(dek), false);
  assert.deepEqual(Buffer.from(await client.unwrap(uri, wrapped)), dek);
  current?.ok(`wrap + unwrap through ${uri.split('://')[0]} on the emulator`);
}

async function supports(kms: KmsClient[], uri: string): Promise<void> {
  assert.ok(kms[0]?.supports(uri));
  current?.ok(`constructed; supports ${uri.split('://')[0]} key URIs (no emulator for this KMS: not called)`);
}

async function main(host: string): Promise<void> {
  const plan = PLANS[host];
  if (!plan) throw new Error(`no plan for snippet host "${host}": add one to harness/run.ts`);
  const server = await startRegistryServer({ port: 0 });
  const clients = createRegistryClients({ url: server.url, latestTtlMs: 0 });
  const checks: string[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  let kafka: Kafka | undefined;
  const r: Run = {
    server,
    url: server.url,
    clients,
    kms: [createLocalKms({ secret: SECRET })],
    register: (subject, schema, opts = {}) =>
      clients.schemas.register(subject, {
        schema,
        ...(opts.type ? { schemaType: opts.type } : {}),
        ...(opts.rules === false ? {} : { ruleSet: { domainRules: [encryptRule(opts.rule)] } }),
      }),
    later: (fn) => cleanups.unshift(fn),
    ok: (what) => checks.push(what),
    kafka: () => (kafka ??= new Kafka({ clientId: 'docs-snippets', brokers: [needs('brokers')], logLevel: logLevel.NOTHING })),
    topic: async (name) => {
      const admin = r.kafka().admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic: name, numPartitions: 1 }], waitForLeaders: true });
      } finally {
        await admin.disconnect();
      }
      return name;
    },
  };
  current = r;
  try {
    const p = await plan(r);
    Object.assign(process.env, p.processEnv ?? {});
    (globalThis as { __csfleSnippetEnv?: Partial<SnippetEnv> }).__csfleSnippetEnv = p.env ?? {};
    const here = path.dirname(fileURLToPath(import.meta.url));
    let js = readFileSync(path.join(here, '..', `${host}.js`), 'utf8');
    for (const [from, to] of Object.entries(p.rewrite ?? {})) {
      const quoted = new RegExp(`(['"\`])${from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\1`, 'g');
      assert.ok(quoted.test(js), `the snippet of ${host} contains '${from}'`);
      js = js.replace(quoted, (_m, q: string) => `${q}${to}${q}`);
    }
    const exec = path.join(here, '..', `${host}.exec.js`);
    writeFileSync(exec, js);
    const mod = (await import(pathToFileURL(exec).href)) as Record<string, any>;
    checks.push('the snippet ran to completion');
    await p.check(mod);
    process.stdout.write(`\n${RESULT} ${JSON.stringify({ host, checks })}\n`);
  } finally {
    for (const fn of cleanups) await fn().catch(() => undefined);
    await server.close();
  }
}

const host = process.argv[2] ?? '';
main(host).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`snippet ${host} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
