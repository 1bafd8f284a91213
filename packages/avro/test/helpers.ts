/** Avro serde test fixtures: the shared test kit bound to the Avro factories, plus Avro-only helpers. */
import { makeSerdeEnv, type SerdeEnv } from '../../../test/support/serde-env.js';
import { createAvroDeserializer, createAvroSerializer, type AvroDeserializerOptions, type AvroSerializerOptions } from '@csfle/avro';

export { SECRET, PARAMS, encryptRule, payloadRule, deepFreeze } from '../../../test/support/serde-env.js';

export type Env = SerdeEnv<ReturnType<typeof createAvroSerializer>, ReturnType<typeof createAvroDeserializer>, AvroSerializerOptions, AvroDeserializerOptions>;

export function makeEnv(): Env {
  return makeSerdeEnv({ ser: createAvroSerializer, de: createAvroDeserializer });
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
