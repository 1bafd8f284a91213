/** Shared fixtures for the Avro serde tests: in-memory registries, local KMS, rule builders. */
import { createLocalKms, type Metadata, type Rule, type RuleSet, type SchemaInfo } from '@csfle/core';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry, type InMemoryDekRegistry, type InMemorySchemaRegistry } from '@csfle/registry';
import { createAvroDeserializer, createAvroSerializer, type AvroDeserializerOptions, type AvroSerializerOptions } from '@csfle/avro';

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
  ser(over?: Partial<AvroSerializerOptions>): ReturnType<typeof createAvroSerializer>;
  /** A deserializer over the env (override options). */
  de(over?: Partial<AvroDeserializerOptions>): ReturnType<typeof createAvroDeserializer>;
  /** Registers `schema` (object or text) with rules/metadata under `<topic>-value`; returns the id. */
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
    ser: (over = {}) => createAvroSerializer({ ...base, useLatestVersion: true, ...over }),
    de: (over = {}) => createAvroDeserializer({ ...base, ...over }),
    async register(topic, schema, extra = {}, subject) {
      const info: SchemaInfo = { schema: typeof schema === 'string' ? schema : JSON.stringify(schema), ...extra };
      return registry.register(subject ?? `${topic}-value`, info);
    },
  };
}

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Buffer.isBuffer(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Deep clone keeping Buffers. */
export function clone<T>(o: T): T {
  if (Buffer.isBuffer(o)) return Buffer.from(o) as T;
  if (Array.isArray(o)) return o.map(clone) as T;
  if (o && typeof o === 'object') return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, clone(v)])) as T;
  return o;
}

/** Plain-object view of an avsc value (drops record classes) for `toEqual`. */
export function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export const isBase64 = (s: unknown): boolean => typeof s === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0;
