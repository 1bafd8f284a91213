/**
 * The conformance peers behind one interface: csfle itself, Confluent's JS client (in-process),
 * Confluent's Python client (a subprocess running peers/python/peer.py). Each writes values to
 * framed bytes and reads bytes back to values, against one shared registry, with the local KMS.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createLocalKms } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createAvroSerde } from '@csfle/avro';
import { createJsonSchemaSerde } from '@csfle/json-schema';
import { createProtobufSerde } from '@csfle/protobuf';
import type { Format, JsonValue } from './scenarios';

export interface Job {
  readonly format: Format;
  readonly topic: string;
  /** Protobuf: the schema as a base64 FileDescriptorProto, and the message's full name. */
  readonly proto?: string;
  readonly message?: string;
}
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string; code?: string };

export interface Peer {
  readonly name: string;
  readonly version: string;
  write(jobs: readonly (Job & { values: readonly JsonValue[] })[]): Promise<Outcome<Buffer[]>[]>;
  read(jobs: readonly (Job & { payloads: readonly Buffer[] })[]): Promise<Outcome<JsonValue[]>[]>;
}

/** JSON form → JS value (Buffers for `$bytes`). */
export function toJs(v: JsonValue): unknown {
  if (Array.isArray(v)) return v.map(toJs);
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '$bytes') return Buffer.from(String((v as { $bytes: string }).$bytes), 'base64');
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJs(x)]));
  }
  return v;
}

/** JS value → JSON form (Buffers/Uint8Arrays as `$bytes`, class instances as plain objects). */
export function toJson(v: unknown): JsonValue {
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v as JsonValue;
}

async function settle<T>(f: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    const err = e as { message?: string; code?: unknown };
    return { ok: false, error: String(err?.message ?? e).slice(0, 300), ...(typeof err?.code === 'string' ? { code: err.code } : {}) };
  }
}

export function oursPeer(url: string, secret: string): Peer {
  const { schemas, deks } = createRegistryClients({ url, latestTtlMs: 0 });
  const kms = [createLocalKms({ secret })];
  const serde = (f: Format) =>
    f === 'AVRO'
      ? createAvroSerde({ registry: schemas, deks, kms, useLatestVersion: true })
      : f === 'JSON'
        ? createJsonSchemaSerde({ registry: schemas, deks, kms, useLatestVersion: true })
        : createProtobufSerde({ registry: schemas, deks, kms, useLatestVersion: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const version = (JSON.parse(readFileSync(path.join(__dirname, '../../packages/core/package.json'), 'utf8')) as { version: string }).version;
  return {
    name: 'csfle',
    version,
    write: (jobs) => Promise.all(jobs.map((j) => settle(async () => { const s = serde(j.format); const out: Buffer[] = []; for (const v of j.values) out.push(await s.serialize(j.topic, toJs(v))); return out; }))),
    read: (jobs) => Promise.all(jobs.map((j) => settle(async () => { const s = serde(j.format); const out: JsonValue[] = []; for (const p of j.payloads) out.push(toJson(await s.deserialize(j.topic, p))); return out; }))),
  };
}

export function confluentJsPeer(url: string, secret: string): Peer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sr = require('@confluentinc/schemaregistry');
  sr.FieldEncryptionExecutor.register();
  sr.EncryptionExecutor.register();
  sr.LocalKmsDriver.register();
  // One client per peer instance; Confluent's KMS clients are process-global (keyed by URI), so a
  // second instance with another secret would share the first one's key: see the negative test.
  const client = sr.SchemaRegistryClient.newClient({ baseURLs: [url], cacheCapacity: 1000 });
  const conf = { useLatestVersion: true, autoRegisterSchemas: false, ruleConfig: { secret } };
  // Protobuf: Confluent's serde works on @bufbuild/protobuf messages built from the job's descriptor.
  const srDir = path.dirname(require.resolve('@confluentinc/schemaregistry'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pb = require(require.resolve('@bufbuild/protobuf', { paths: [srDir] }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wkt = require(require.resolve('@bufbuild/protobuf/wkt', { paths: [srDir] }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const metaPb = require(path.join(srDir, 'confluent/meta_pb.js'));
  const descOf = (j: Job) =>
    pb
      .createFileRegistry(pb.fromBinary(wkt.FileDescriptorProtoSchema, Buffer.from(j.proto as string, 'base64')), (n: string) => (n === 'confluent/meta.proto' ? metaPb.file_confluent_meta : undefined))
      .getMessage(j.message as string);
  const ser = (j: Job) => {
    if (j.format === 'AVRO') return new sr.AvroSerializer(client, sr.SerdeType.VALUE, conf);
    if (j.format === 'JSON') return new sr.JsonSerializer(client, sr.SerdeType.VALUE, conf);
    const s = new sr.ProtobufSerializer(client, sr.SerdeType.VALUE, conf);
    const desc = descOf(j);
    s.registry.add(desc);
    return { serialize: (topic: string, v: unknown) => s.serialize(topic, pb.fromJson(desc, v)) };
  };
  const de = (j: Job) => {
    if (j.format === 'AVRO') return new sr.AvroDeserializer(client, sr.SerdeType.VALUE, conf);
    if (j.format === 'JSON') return new sr.JsonDeserializer(client, sr.SerdeType.VALUE, conf);
    const d = new sr.ProtobufDeserializer(client, sr.SerdeType.VALUE, conf);
    const desc = descOf(j);
    return { deserialize: async (topic: string, b: Buffer) => pb.toJson(desc, await d.deserialize(topic, b), { alwaysEmitImplicit: true }) };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const version = require('@confluentinc/schemaregistry/package.json').version as string;
  return {
    name: 'confluent-js',
    version,
    write: (jobs) => Promise.all(jobs.map((j) => settle(async () => { const s = ser(j); const out: Buffer[] = []; for (const v of j.values) out.push(await s.serialize(j.topic, j.format === 'PROTOBUF' ? v : toJs(v))); return out; }))),
    read: (jobs) => Promise.all(jobs.map((j) => settle(async () => { const d = de(j); const out: JsonValue[] = []; for (const p of j.payloads) out.push(toJson(await d.deserialize(j.topic, p))); return out; }))),
  };
}

export function pythonPeer(python: string, url: string, secret: string): Peer {
  return subprocessPeer('confluent-python', python, [path.join(__dirname, 'peers/python/peer.py')], url, secret);
}

export function goPeer(binary: string, url: string, secret: string): Peer {
  return subprocessPeer('confluent-go', binary, [], url, secret);
}

/** A peer program speaking the JSON job protocol on stdin/stdout (peers/python, peers/go). */
function subprocessPeer(name: string, command: string, args: string[], url: string, secret: string): Peer {
  let version = 'unknown';
  type PyResult = { payloads?: string[]; values?: JsonValue[]; error?: { type: string; message: string } };
  // Asynchronous on purpose: the registry may live in this very process and must keep serving.
  function call(jobs: unknown[]): Promise<PyResult[]> {
    return new Promise((resolve, reject) => {
      const child = execFile(command, args, { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`${name} peer failed: ${err.message}\n${stderr.slice(-2000)}`));
        const doc = JSON.parse(stdout) as { version: string; results: PyResult[] };
        version = doc.version;
        resolve(doc.results);
      });
      child.stdin?.end(JSON.stringify({ registry: url, secret, jobs }));
    });
  }
  const outcome = <T>(r: PyResult, pick: () => T): Outcome<T> =>
    r.error ? { ok: false, error: `${r.error.type}: ${r.error.message}`.slice(0, 300) } : { ok: true, value: pick() };
  return {
    name,
    get version() {
      return version;
    },
    async write(jobs) {
      const rs = await call(jobs.map((j) => ({ op: 'write', format: j.format, topic: j.topic, values: j.values, proto: j.proto, message: j.message })));
      return rs.map((r) => outcome(r, () => (r.payloads ?? []).map((p) => Buffer.from(p, 'base64'))));
    },
    async read(jobs) {
      const rs = await call(jobs.map((j) => ({ op: 'read', format: j.format, topic: j.topic, payloads: j.payloads.map((p) => p.toString('base64')), proto: j.proto, message: j.message })));
      return rs.map((r) => outcome(r, () => r.values ?? []));
    },
  };
}
