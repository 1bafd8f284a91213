/** JSON Schema serde test fixtures: the shared test kit bound to the JSON Schema factories, plus JSON-only helpers. */
import { makeSerdeEnv, type SerdeEnv } from '../../../test/support/serde-env.js';
import { createJsonSchemaDeserializer, createJsonSchemaSerializer, type JsonSchemaDeserializerOptions, type JsonSchemaSerializerOptions } from '@csfle/json-schema';

export { SECRET, PARAMS, encryptRule, payloadRule, deepFreeze, leaked, codes, failure, isBase64 } from '../../../test/support/serde-env.js';

export type Env = SerdeEnv<ReturnType<typeof createJsonSchemaSerializer>, ReturnType<typeof createJsonSchemaDeserializer>, JsonSchemaSerializerOptions, JsonSchemaDeserializerOptions>;

export function makeEnv(): Env {
  return makeSerdeEnv({ ser: createJsonSchemaSerializer, de: createJsonSchemaDeserializer }, 'JSON');
}

export function clone<T>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}

/** The JSON body of a framed message (to look at ciphertext). */
export function body(bytes: Buffer): Record<string, unknown> {
  return JSON.parse(bytes.subarray(5).toString('utf8')) as Record<string, unknown>;
}



/** Messages along an error's cause chain. */
export function messages(e: unknown): string[] {
  const out: string[] = [];
  for (let c: unknown = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) out.push(String((c as Error).message));
  return out;
}


