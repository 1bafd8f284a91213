/**
 * Test fixtures shared by the Avro, JSON Schema and Protobuf serde suites: in-memory registries,
 * the local KMS, a controllable clock, rule builders. Each format's `test/helpers.ts` binds it to
 * its own serializer/deserializer factories.
 */
import { createLocalKms, type Metadata, type Rule, type RuleSet, type SchemaInfo, type SerdeOptions } from '@csfle/core';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry, type InMemoryDekRegistry, type InMemorySchemaRegistry } from '@csfle/registry';

export const SECRET = 'mysecret';
export const PARAMS = { 'encrypt.kek.name': 'kek1', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'mykey' } as const;

/** An ENCRYPT rule on tag PII (override anything). */
export function encryptRule(over: Partial<Rule> = {}, params: Record<string, string> = {}): Rule {
  return { name: 'encryptPII', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { ...PARAMS, ...params }, ...over };
}

/** An ENCRYPT_PAYLOAD rule. */
export function payloadRule(over: Partial<Rule> = {}, params: Record<string, string> = {}): Rule {
  return { name: 'encryptPayload', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT_PAYLOAD', params: { ...PARAMS, ...params }, ...over };
}

export type RegisterExtra = { ruleSet?: RuleSet; metadata?: Metadata; references?: NonNullable<SchemaInfo['references']> };

export interface SerdeEnv<S, D, SO, DO> {
  registry: InMemorySchemaRegistry;
  deks: InMemoryDekRegistry;
  now: { t: number };
  /** A serializer with useLatestVersion over the env (override options). */
  ser(over?: Partial<SO>): S;
  /** A deserializer over the env (override options). */
  de(over?: Partial<DO>): D;
  /** Registers `schema` (text, or a value to JSON-encode) with rules/metadata under `<topic>-value`; returns the id. */
  register(topic: string, schema: unknown, extra?: RegisterExtra, subject?: string): Promise<number>;
}

/** Binds the shared fixtures to one format. */
export function makeSerdeEnv<S, D, SO extends SerdeOptions, DO extends SerdeOptions>(
  factories: { ser: (o: SO) => S; de: (o: DO) => D },
  schemaType?: 'AVRO' | 'JSON' | 'PROTOBUF',
): SerdeEnv<S, D, SO, DO> {
  const now = { t: Date.UTC(2024, 0, 1) };
  const registry = createInMemorySchemaRegistry();
  const deks = createInMemoryDekRegistry({ clock: () => now.t });
  const kms = [createLocalKms({ secret: SECRET })];
  const base = { registry, deks, kms, now: () => now.t };
  return {
    registry,
    deks,
    now,
    ser: (over = {}) => factories.ser({ ...base, useLatestVersion: true, ...over } as unknown as SO),
    de: (over = {}) => factories.de({ ...base, ...over } as unknown as DO),
    async register(topic, schema, extra = {}, subject) {
      const info: SchemaInfo = { ...(schemaType ? { schemaType } : {}), schema: typeof schema === 'string' ? schema : JSON.stringify(schema), ...extra };
      return registry.register(subject ?? `${topic}-value`, info);
    },
  };
}

/** Freezes a value deeply (byte arrays are left alone: they cannot be frozen). */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !(o instanceof Uint8Array)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Which of `secrets` occur (UTF-8) in `bytes`. */
export function leaked(bytes: Buffer, secrets: readonly string[]): string[] {
  return secrets.filter((s) => bytes.includes(Buffer.from(s, 'utf8')));
}

/** Codes along an error's cause chain. */
export function codes(e: unknown): string[] {
  const out: string[] = [];
  for (let c: unknown = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
  }
  return out;
}

/** The rejection of `p` (fails the test if `p` resolves). */
export async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** Standard padded base64. */
export const isBase64 = (s: unknown): boolean => typeof s === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0;
