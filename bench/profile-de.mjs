// CPU profile of deserializing Avro records with 2 AES256_GCM fields (the consume side of the
// end-to-end run), summarised by self time per function. Used for docs/benchmarks.md.
//   node --cpu-prof --cpu-prof-dir=/tmp/csfle-prof bench/profile-de.mjs && node bench/profile-de.mjs --summarise /tmp/csfle-prof
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

if (process.argv[2] === '--summarise') {
  const dir = process.argv[3];
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().pop();
  const prof = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  const dt = new Map();
  for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
  const self = new Map();
  let total = 0;
  for (const n of prof.nodes) {
    const t = dt.get(n.id) ?? 0;
    total += t;
    const cf = n.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url ? path.basename(cf.url) : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + t);
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  for (const [k, t] of rows) console.log(`${((t / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
} else {
  const { createLocalKms } = await import('@csfle/core');
  const { createInMemoryDekRegistry, createInMemorySchemaRegistry } = await import('@csfle/registry');
  const { createAvroSerde } = await import('@csfle/avro');
  const registry = createInMemorySchemaRegistry();
  const deks = createInMemoryDekRegistry();
  const kms = [createLocalKms({ secret: 'p' })];
  const schema = JSON.stringify({ type: 'record', name: 'C', fields: [{ name: 'id', type: 'long' }, { name: 'name', type: 'string' }, { name: 'email', type: 'string', 'confluent:tags': ['PII'] }, { name: 'ssn', type: 'string', 'confluent:tags': ['PII'] }, { name: 'note', type: 'string' }] });
  await registry.register('p-value', { schema, ruleSet: { domainRules: [{ name: 'p', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': 'k', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'k' } }] } });
  const serde = createAvroSerde({ registry, deks, kms, useLatestVersion: true });
  const bufs = [];
  for (let i = 0; i < 20000; i++) bufs.push(await serde.serialize('p', { id: i, name: `n${i}`, email: `u${i}@example.com`, ssn: '123-45-6789', note: 'lorem ipsum' }));
  for (let r = 0; r < 10; r++) for (const b of bufs) await serde.deserialize('p', b);
}
