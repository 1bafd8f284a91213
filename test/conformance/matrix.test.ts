/**
 * Cross-language conformance matrix: writers × readers ∈ {csfle, Confluent JS, Confluent Python}
 * for Avro and JSON Schema × the scenarios in scenarios.ts, on ONE registry server with the DEK
 * registry, the local KMS with one secret. Every writer registers its own KEK/DEKs through its own
 * client (each writes its own topic), and every reader must read every writer's bytes.
 * Peers are installed by install-peers.sh (PyPI, cached in .cache/).
 *
 * Results go to .run/conformance-matrix.json; `node scripts/compat-table.mjs` turns the last run
 * into docs/compatibility.md. CSFLE_WRITE_VECTORS=1 also refreshes the committed vectors.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLocalKms } from '@csfle/core';
import { createKmsDekGenerator, createRegistryClients } from '@csfle/registry';
import { isSerializedSchema, toFileDescriptorProto } from '@csfle/protobuf';
import { startRegistryServer, type RegistryServer } from '@csfle/registry/server';
import knownDifferences from './known-differences.json';
import { confluentJsPeer, goPeer, oursPeer, pythonPeer, type Peer } from './peers';
import { SCENARIOS, type Format, type JsonValue } from './scenarios';
import { writeVectors } from './vectors';

const ROOT = path.resolve(__dirname, '..', '..');
const SECRET = 'conformance-secret';

interface Cell {
  format: Format;
  scenario: string;
  writer: string;
  reader: string;
  ok: boolean;
  detail: string;
  known?: string;
}

let server: RegistryServer;
let clockOffset = 0; // the registry's clock (DEK timestamps), moved back to make a DEK v1 look old
let peers: Peer[];
let python: string;

beforeAll(async () => {
  const out = execFileSync('bash', [path.join(__dirname, 'install-peers.sh')], { encoding: 'utf8', timeout: 600_000 });
  python = /CSFLE_PEER_PYTHON=(.*)/.exec(out)?.[1] as string;
  const go = /CSFLE_PEER_GO=(.*)/.exec(out)?.[1];
  // No silent skip: CI has Go; a machine without it must say so explicitly.
  if (!go && process.env.CSFLE_CONFORMANCE_ALLOW_NO_GO !== '1') throw new Error('the Go peer could not be built (set CSFLE_CONFORMANCE_ALLOW_NO_GO=1 to run without it)');
  // The registry generates DEKs for shared KEKs with the same local-kms secret the peers use.
  server = await startRegistryServer({
    port: 0,
    clock: () => Date.now() + clockOffset,
    ...createKmsDekGenerator(createLocalKms({ secret: SECRET })),
    // Confluent's clients read Protobuf schemas as `?format=serialized` (a base64 FileDescriptorProto).
    formatSchema: (s, format) =>
      format === 'serialized' && s.schemaType === 'PROTOBUF' && !isSerializedSchema(s.schema)
        ? Buffer.from(toFileDescriptorProto(s.schema, {}, `schema-${s.id}.proto`)).toString('base64')
        : undefined,
  });
  peers = [oursPeer(server.url, SECRET), confluentJsPeer(server.url, SECRET), pythonPeer(python, server.url, SECRET), ...(go ? [goPeer(go, server.url, SECRET)] : [])];
}, 600_000);
afterAll(async () => server?.close());

function knownReason(c: Omit<Cell, 'ok' | 'detail'>): string | undefined {
  const m = (a: string, b: string) => a === '*' || a === b;
  const e = (knownDifferences.entries as Array<{ format: string; scenario: string; writer: string; reader: string; reason: string }>).find(
    (k) => m(k.format, c.format) && m(k.scenario, c.scenario) && m(k.writer, c.writer) && m(k.reader, c.reader),
  );
  return e?.reason;
}

/** JSON with object keys sorted: field order is not part of a value (Go's encoders sort keys). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

const leaked = (bytes: Buffer, secrets: readonly string[]) => secrets.filter((s) => bytes.includes(Buffer.from(s, 'utf8')));

it('every writer × reader cell passes, except the known differences (each with its reason)', async () => {
  const { schemas, deks } = createRegistryClients({ url: server.url });
  const cells: Cell[] = [];
  const written: Record<string, { topic: string; payloads: Buffer[]; proto?: string; message?: string }> = {};
  const key = (f: Format, s: string, w: string) => `${f}/${s}/${w}`;

  // 1) Register one subject per (format, scenario, writer); shared-KEK scenarios get a shared KEK.
  for (const s of SCENARIOS) {
    for (const f of s.formats) {
      for (const w of peers) {
        const topic = `conf-${f.toLowerCase()}-${s.id}-${w.name}`;
        const kek = `kek-${topic}`;
        const ns = `conformance.${topic.replace(/[^a-z0-9]/g, '_')}`;
        const text = s.schema(f, ns);
        if (s.sharedKek) await deks.createKek({ name: kek, kmsType: 'local-kms', kmsKeyId: 'conformance', shared: true });
        await schemas.register(`${topic}-value`, {
          ...(f === 'AVRO' ? {} : { schemaType: f }),
          schema: text,
          ruleSet: s.ruleSet(kek),
          ...(s.metadata ? { metadata: s.metadata } : {}),
        });
        written[key(f, s.id, w.name)] = {
          topic,
          payloads: [],
          ...(f === 'PROTOBUF' ? { proto: Buffer.from(toFileDescriptorProto(text, {}, `${topic}.proto`)).toString('base64'), message: `${ns}.${s.message}` } : {}),
        };
      }
    }
  }

  // 1b) Rotation: a DEK v1 registered two days ago (by csfle, through the registry's clock), so each
  // writer finds it expired (encrypt.dek.expiry.days = 1) and registers v2 itself.
  const rotating = SCENARIOS.filter((s) => s.rotate).flatMap((s) => s.formats.flatMap((f) => peers.map((w) => ({ s, f, w: w.name, topic: written[key(f, s.id, w.name)]!.topic }))));
  clockOffset = -2 * 86_400_000;
  const pre = await oursPeer(server.url, SECRET).write(rotating.map((r) => ({ format: r.f, topic: r.topic, values: [r.s.values[0] as JsonValue] })));
  expect(pre.map((r) => (r.ok ? 'ok' : r.error))).toEqual(pre.map(() => 'ok'));
  clockOffset = 0;
  expect(pre.every((r) => r.ok)).toBe(true);

  // 2) Each writer writes its topics (one batch per peer).
  for (const w of peers) {
    const jobs = SCENARIOS.flatMap((s) => s.formats.map((f) => ({ s, f, ...written[key(f, s.id, w.name)]! })));
    const results = await w.write(jobs.map((j) => ({ format: j.f, topic: j.topic, values: j.s.values, ...(j.proto ? { proto: j.proto, message: j.message as string } : {}) })));
    results.forEach((r, i) => {
      const j = jobs[i]!;
      const leaks = r.ok ? r.value.flatMap((p) => leaked(p, j.s.secrets)) : [];
      if (r.ok && leaks.length === 0) {
        written[key(j.f, j.s.id, w.name)]!.payloads = r.value;
      } else {
        const why = r.ok ? `plaintext of protected fields in the written bytes: ${JSON.stringify([...new Set(leaks)])}` : `write failed: ${r.error}`;
        for (const rd of peers) {
          const c = { format: j.f, scenario: j.s.id, writer: w.name, reader: rd.name };
          cells.push({ ...c, ok: false, detail: why, ...(knownReason(c) ? { known: knownReason(c) as string } : {}) });
        }
      }
    });
  }

  // 3) Each reader reads every writer's bytes (one batch per peer).
  for (const rd of peers) {
    const jobs = SCENARIOS.flatMap((s) => s.formats.flatMap((f) => peers.map((w) => ({ s, f, w, ...written[key(f, s.id, w.name)]! })))).filter((j) => j.payloads.length > 0);
    const results = await rd.read(jobs.map((j) => ({ format: j.f, topic: j.topic, payloads: j.payloads, ...(j.proto ? { proto: j.proto, message: j.message as string } : {}) })));
    results.forEach((r, i) => {
      const j = jobs[i]!;
      const c = { format: j.f, scenario: j.s.id, writer: j.w.name, reader: rd.name };
      const known = knownReason(c);
      let ok = false;
      let detail = '';
      if (!r.ok) detail = `read failed: ${r.error}`;
      else if (canonical(r.value) !== canonical(j.s.values as JsonValue[])) detail = `values differ: ${JSON.stringify(r.value).slice(0, 200)}`;
      else ok = true;
      cells.push({ ...c, ok, detail, ...(known ? { known } : {}) });
    });
  }

  // Every writer rotated: its subject has DEK v2, registered by that writer's own client.
  for (const r of rotating.filter((x) => written[key(x.f, x.s.id, x.w)]!.payloads.length > 0)) {
    const versions = await server.deks.listDekVersions(`kek-${r.topic}`, `${r.topic}-value`, { algorithm: 'AES256_GCM' });
    expect({ topic: r.topic, versions }).toEqual({ topic: r.topic, versions: [1, 2] });
  }

  mkdirSync(path.join(ROOT, '.run'), { recursive: true });
  writeFileSync(
    path.join(ROOT, '.run/conformance-matrix.json'),
    JSON.stringify({ date: new Date().toISOString(), peers: peers.map((p) => ({ name: p.name, version: p.version })), scenarios: SCENARIOS.map((s) => ({ id: s.id, title: s.title, formats: s.formats })), cells }, null, 2),
  );
  if (process.env.CSFLE_WRITE_VECTORS === '1') await writeVectors(server, peers.filter((p) => p.name !== 'csfle'), written, SECRET);

  const unexpected = cells.filter((c) => !c.ok && !c.known);
  const fixed = cells.filter((c) => c.ok && c.known);
  expect(unexpected.map((c) => `${c.format}/${c.scenario}: ${c.writer} → ${c.reader}: ${c.detail}`)).toEqual([]);
  expect(fixed.map((c) => `${c.format}/${c.scenario}: ${c.writer} → ${c.reader} now passes; remove it from known-differences.json`)).toEqual([]);
  expect(cells.length).toBe(SCENARIOS.reduce((n, s) => n + s.formats.length, 0) * peers.length * peers.length);
}, 600_000);

it('a peer with another local secret fails on the expected cells, with our typed error on our side', async () => {
  const s = SCENARIOS.find((x) => x.id === 'aes256-gcm')!;
  const { schemas } = createRegistryClients({ url: server.url });
  const topic = 'conf-wrong-secret';
  await schemas.register(`${topic}-value`, { schema: s.schema('AVRO', 'unused'), ruleSet: s.ruleSet(`kek-${topic}`) });
  const py = pythonPeer(python, server.url, SECRET);
  const written = await py.write([{ format: 'AVRO', topic, values: s.values }]);
  expect(written[0]!.ok).toBe(true);
  const payloads = (written[0] as { value: Buffer[] }).value;
  // csfle with the wrong secret: a typed rule error whose cause is the KMS refusing the DEK.
  const wrongOurs = oursPeer(server.url, 'not-the-secret');
  const r = await wrongOurs.read([{ format: 'AVRO', topic, payloads }]);
  expect(r[0]).toMatchObject({ ok: false, code: 'RULE_FAILED' });
  expect((r[0] as { error: string }).error).toContain('KMS_INVALID_CIPHERTEXT');
  // Python with the wrong secret cannot read what csfle wrote either.
  const ours = await oursPeer(server.url, SECRET).write([{ format: 'AVRO', topic, values: s.values }]);
  const wrongPy = pythonPeer(python, server.url, 'not-the-secret');
  const rp = await wrongPy.read([{ format: 'AVRO', topic, payloads: (ours[0] as { value: Buffer[] }).value }]);
  expect(rp[0]!.ok).toBe(false);
}, 120_000);
