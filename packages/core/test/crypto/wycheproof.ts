/**
 * Typed loader for the Wycheproof vectors in `../vectors/wycheproof/` (origin and license in
 * that folder's README.md). Hex fields are decoded once, into Buffers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const VECTOR_DIR = join(__dirname, '..', 'vectors', 'wycheproof');

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

/** One case of `aead_test_schema_v1.json` (AES-GCM, AEAD-AES-SIV-CMAC). */
export interface AeadVector {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly key: Buffer;
  readonly iv: Buffer;
  readonly aad: Buffer;
  readonly msg: Buffer;
  readonly ct: Buffer;
  readonly tag: Buffer;
  readonly result: WycheproofResult;
}

/** One case of `daead_test_schema_v1.json` (AES-SIV-CMAC): `ct` = SIV || ciphertext. */
export interface DaeadVector {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly key: Buffer;
  readonly aad: Buffer;
  readonly msg: Buffer;
  readonly ct: Buffer;
  readonly result: WycheproofResult;
}

interface RawFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: { tests: Record<string, unknown>[] }[];
}

function readRaw(file: string): RawFile {
  return JSON.parse(readFileSync(join(VECTOR_DIR, file), 'utf8')) as RawFile;
}

function hex(t: Record<string, unknown>, k: string): Buffer {
  const v = t[k];
  if (typeof v !== 'string') throw new Error(`vector ${String(t['tcId'])}: ${k} expected hex string`);
  return Buffer.from(v, 'hex');
}

function common(t: Record<string, unknown>): { tcId: number; comment: string; flags: string[]; result: WycheproofResult } {
  const result = t['result'];
  if (result !== 'valid' && result !== 'invalid' && result !== 'acceptable') throw new Error(`bad result ${String(result)}`);
  return {
    tcId: t['tcId'] as number,
    comment: (t['comment'] as string | undefined) ?? '',
    flags: (t['flags'] as string[] | undefined) ?? [],
    result,
  };
}

/** Loads an AeadTest file; checks the declared case count. */
export function loadAeadVectors(file: string): { algorithm: string; cases: AeadVector[] } {
  const raw = readRaw(file);
  const cases = raw.testGroups.flatMap((g) =>
    g.tests.map((t) => ({
      ...common(t),
      key: hex(t, 'key'),
      iv: hex(t, 'iv'),
      aad: hex(t, 'aad'),
      msg: hex(t, 'msg'),
      ct: hex(t, 'ct'),
      tag: hex(t, 'tag'),
    })),
  );
  if (cases.length !== raw.numberOfTests) throw new Error(`${file}: ${cases.length} cases, header says ${raw.numberOfTests}`);
  return { algorithm: raw.algorithm, cases };
}

/** Loads a DaeadTest file; checks the declared case count. */
export function loadDaeadVectors(file: string): { algorithm: string; cases: DaeadVector[] } {
  const raw = readRaw(file);
  const cases = raw.testGroups.flatMap((g) =>
    g.tests.map((t) => ({ ...common(t), key: hex(t, 'key'), aad: hex(t, 'aad'), msg: hex(t, 'msg'), ct: hex(t, 'ct') })),
  );
  if (cases.length !== raw.numberOfTests) throw new Error(`${file}: ${cases.length} cases, header says ${raw.numberOfTests}`);
  return { algorithm: raw.algorithm, cases };
}

/** `[label, case]` rows for `test.each`. */
export function rows<T extends { tcId: number; result: string; comment: string }>(cases: readonly T[]): [string, T][] {
  return cases.map((c) => [`tcId ${c.tcId} ${c.result}${c.comment ? ` (${c.comment})` : ''}`, c]);
}

/** Runs `fn` and returns the error it throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}
