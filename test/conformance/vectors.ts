/**
 * Pre-serialized vectors: bytes written by each Confluent peer, committed with everything a reader
 * needs (the schema with its rules, the KEK and the wrapped DEKs as the peer registered them, the
 * local-kms secret, the expected values) and the peer's version. `vectors.test.ts` reads them with
 * csfle in every run, even where the peers are not installed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DekAlgorithm, Kek, SchemaInfo } from '@csfle/core';
import type { RegistryServer } from '@csfle/registry/server';
import type { Peer } from './peers';
import { SCENARIOS, type Format, type JsonValue } from './scenarios';

export interface VectorFile {
  readonly generator: string;
  readonly peer: { readonly name: string; readonly version: string };
  readonly format: Format;
  readonly scenario: string;
  readonly subject: string;
  readonly secret: string;
  readonly schema: SchemaInfo;
  readonly kek: Omit<Kek, 'ts' | 'deleted'>;
  readonly deks: ReadonlyArray<{ readonly version: number; readonly algorithm: DekAlgorithm; readonly encryptedKeyMaterial: string }>;
  readonly payloads: readonly string[];
  readonly values: readonly JsonValue[];
}

export const VECTOR_DIR = path.join(__dirname, 'vectors');

export async function writeVectors(
  server: RegistryServer,
  peers: readonly Peer[],
  written: Record<string, { topic: string; payloads: Buffer[] }>,
  secret: string,
): Promise<void> {
  mkdirSync(VECTOR_DIR, { recursive: true });
  for (const p of peers) {
    for (const s of SCENARIOS) {
      for (const f of s.formats) {
        const w = written[`${f}/${s.id}/${p.name}`];
        if (!w || w.payloads.length === 0) continue;
        const subject = `${w.topic}-value`;
        const latest = await server.schemas.getLatest(subject);
        const kekName = `kek-${w.topic}`;
        const kek = (await server.deks.getKek(kekName)) as Kek;
        const deks: VectorFile['deks'][number][] = [];
        for (const algorithm of ['AES128_GCM', 'AES256_GCM', 'AES256_SIV'] as const) {
          for (const version of await server.deks.listDekVersions(kekName, subject, { algorithm })) {
            const d = await server.deks.getDek(kekName, subject, version, algorithm);
            if (d?.encryptedKeyMaterial) deks.push({ version, algorithm, encryptedKeyMaterial: d.encryptedKeyMaterial });
          }
        }
        const file: VectorFile = {
          generator: 'test/conformance/matrix.test.ts (CSFLE_WRITE_VECTORS=1)',
          peer: { name: p.name, version: p.version },
          format: f,
          scenario: s.id,
          subject,
          secret,
          schema: { ...(latest.schemaType ? { schemaType: latest.schemaType } : {}), schema: latest.schema, ...(latest.ruleSet ? { ruleSet: latest.ruleSet } : {}), ...(latest.metadata ? { metadata: latest.metadata } : {}) },
          kek: { name: kek.name, kmsType: kek.kmsType, kmsKeyId: kek.kmsKeyId, shared: kek.shared, ...(kek.kmsProps ? { kmsProps: kek.kmsProps } : {}) },
          deks,
          payloads: w.payloads.map((b) => b.toString('base64')),
          values: s.values,
        };
        writeFileSync(path.join(VECTOR_DIR, `${p.name}-${f.toLowerCase()}-${s.id}.json`), JSON.stringify(file, null, 2) + '\n');
      }
    }
  }
}
