/** Shared fixtures for the JSON Schema serde tests: in-memory registries, local KMS, rule builders. */
import { createLocalKms, type Metadata, type Rule, type RuleSet, type SchemaInfo } from '@csfle/core';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry, type InMemoryDekRegistry, type InMemorySchemaRegistry } from '@csfle/registry';
import { createJsonSchemaDeserializer, createJsonSchemaSerializer, type JsonSchemaDeserializerOptions, type JsonSchemaSerializerOptions } from '@csfle/json-schema';

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

export interface Env {
  registry: InMemorySchemaRegistry;
  deks: InMemoryDekRegistry;
  now: { t: number };
  /** A serializer with useLatestVersion over the env (override options). */
  ser(over?: Partial<JsonSchemaSerializerOptions>): ReturnType<typeof createJsonSchemaSerializer>;
  /** A deserializer over the env (override options). */
  de(over?: Partial<JsonSchemaDeserializerOptions>): ReturnType<typeof createJsonSchemaDeserializer>;
  /** Registers a JSON `schema` (value or text) with rules/metadata under `<topic>-value`; returns the id. */
  register(topic: string, schema: unknown, extra?: { ruleSet?: RuleSet; metadata?: Metadata; references?: NonNullable<SchemaInfo['references']> }, subject?: string): Promise<number>;
}

export function makeEnv(): Env {
  const now = { t: Date.UTC(2024, 0, 1) };
  const registry = createInMemorySchemaRegistry();
  const deks = createInMemoryDekRegistry({ clock: () => now.t });
  const kms = [createLocalKms({ secret: SECRET })];
  const base = { registry, deks, kms, now: () => now.t };
  return {
    registry,
    deks,
    now,
    ser: (over = {}) => createJsonSchemaSerializer({ ...base, useLatestVersion: true, ...over }),
    de: (over = {}) => createJsonSchemaDeserializer({ ...base, ...over }),
    async register(topic, schema, extra = {}, subject) {
      const info: SchemaInfo = { schemaType: 'JSON', schema: typeof schema === 'string' ? schema : JSON.stringify(schema), ...extra };
      return registry.register(subject ?? `${topic}-value`, info);
    },
  };
}

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export function clone<T>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}

/** The JSON body of a framed message (to look at ciphertext). */
export function body(bytes: Buffer): Record<string, unknown> {
  return JSON.parse(bytes.subarray(5).toString('utf8')) as Record<string, unknown>;
}

/** The plaintexts found in `bytes`. */
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

/** Messages along an error's cause chain. */
export function messages(e: unknown): string[] {
  const out: string[] = [];
  for (let c: unknown = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) out.push(String((c as Error).message));
  return out;
}

export async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

export const isBase64 = (s: unknown): boolean => typeof s === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0;
