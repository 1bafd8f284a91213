/** Shared fixtures for the Protobuf serde tests: in-memory registries, local KMS, rule builders, schemas. */
import protobuf from 'protobufjs';
import { createLocalKms, type Metadata, type Rule, type RuleSet, type SchemaInfo } from '@csfle/core';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry, type InMemoryDekRegistry, type InMemorySchemaRegistry } from '@csfle/registry';
import {
  parseProtoText,
  createProtobufDeserializer,
  createProtobufSerializer,
  type ProtobufDeserializerOptions,
  type ProtobufSerializerOptions,
} from '@csfle/protobuf';

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
  ser(over?: Partial<ProtobufSerializerOptions>): ReturnType<typeof createProtobufSerializer>;
  /** A deserializer over the env (override options). */
  de(over?: Partial<ProtobufDeserializerOptions>): ReturnType<typeof createProtobufDeserializer>;
  /** Registers .proto text with rules/metadata/references under `<topic>-value`; returns the id. */
  register(
    topic: string,
    proto: string,
    extra?: { ruleSet?: RuleSet; metadata?: Metadata; references?: NonNullable<SchemaInfo['references']> },
    subject?: string,
  ): Promise<number>;
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
    ser: (over = {}) => createProtobufSerializer({ ...base, useLatestVersion: true, ...over }),
    de: (over = {}) => createProtobufDeserializer({ ...base, ...over }),
    async register(topic, proto, extra = {}, subject) {
      return registry.register(subject ?? `${topic}-value`, { schema: proto, schemaType: 'PROTOBUF', ...extra });
    },
  };
}

/** A protobufjs root of `.proto` text (built-in imports resolved). */
export function rootOf(proto: string, keepCase = false, imports: Record<string, string> = {}): protobuf.Root {
  return parseProtoText(proto, imports, { keepCase }).root;
}

/** Decodes a framed message body (after `skip` bytes of schema id + indexes) with a plain protobufjs type. */
export function body(proto: string, typeName: string, bytes: Buffer, skip = 6, keepCase = false): Record<string, unknown> {
  const T = rootOf(proto, keepCase).lookupType(typeName);
  return T.toObject(T.decode(bytes.subarray(skip)), { longs: String, enums: String }) as Record<string, unknown>;
}

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !(o instanceof Uint8Array)) {
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

export const isBase64 = (s: unknown): boolean => typeof s === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0;

/** Which of `secrets` occur (UTF-8) in `bytes`. */
export const leaked = (bytes: Buffer, secrets: readonly string[]): string[] => secrets.filter((s) => bytes.includes(Buffer.from(s, 'utf8')));

/** Codes along an error's cause chain. */
export function codes(e: unknown): string[] {
  const out: string[] = [];
  for (let c: unknown = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
  }
  return out;
}

/** Every message and JSON form along an error's cause chain. */
export function texts(e: unknown): string[] {
  const out: string[] = [];
  for (let c: unknown = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
    out.push(String((c as Error).message), JSON.stringify(c));
  }
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

// ---- Schemas shared by the suites ---------------------------------------------------------------

/** A customer with tagged fields at the top level, in nested messages (depth 3), repeated, maps and a oneof. */
export const CUSTOMER_PROTO = `syntax = "proto3";
package shop;

import "confluent/meta.proto";
import "google/protobuf/timestamp.proto";

message Customer {
  int64 id = 1;
  string name = 2 [(confluent.field_meta).tags = "PII"];
  bytes photo = 3 [(confluent.field_meta).tags = "PII"];
  Address address = 4;
  repeated string phones = 5 [(confluent.field_meta) = { tags: ["PII"] }];
  repeated Address history = 6;
  map<string, Address> others = 7;
  map<string, string> attrs = 8 [(confluent.field_meta).tags = "PII"];
  oneof contact {
    string email = 9 [(confluent.field_meta).tags = "PII"];
    Phone phone = 10;
    int32 extension = 11;
  }
  Level level = 12;
  google.protobuf.Timestamp since = 13;
  string plain_note = 14;
  optional string nickname = 15 [(confluent.field_meta).tags = "PII"];

  message Address {
    string street = 1 [(confluent.field_meta).tags = "PII"];
    string city = 2;
    Geo geo = 3;
    message Geo {
      string hideout = 1 [(confluent.field_meta).tags = "PII"];
      double lat = 2;
    }
  }
  message Phone {
    string number = 1 [(confluent.field_meta).tags = "PII"];
  }
  enum Level {
    LEVEL_UNSPECIFIED = 0;
    GOLD = 1;
  }
}

message Order {
  string order_id = 1;
  string card = 2 [(confluent.field_meta).tags = "PII"];
  repeated Line lines = 3;
  message Line {
    string sku = 1;
    string gift_message = 2 [(confluent.field_meta).tags = "PII"];
  }
}
`;

export const CUSTOMER_SECRETS = [
  'Alice Example',
  'photo-bytes-secret',
  '1 Main Street',
  'Secret Hideout Cave',
  '555-0100',
  '555-0199',
  '2 Old Road Street',
  'Other Lane 77',
  'mother-maiden-secret',
  'alice@example.com',
  'Ally the nickname',
];

export function customer(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '42',
    name: 'Alice Example',
    photo: Buffer.from('photo-bytes-secret'),
    address: { street: '1 Main Street', city: 'Springfield', geo: { hideout: 'Secret Hideout Cave', lat: 1.5 } },
    phones: ['555-0100', '555-0199'],
    history: [{ street: '2 Old Road Street', city: 'Shelbyville', geo: null }],
    others: { work: { street: 'Other Lane 77', city: 'Capital', geo: null } },
    attrs: { mother: 'mother-maiden-secret' },
    email: 'alice@example.com',
    level: 'GOLD',
    since: { seconds: '1700000000', nanos: 5 },
    plainNote: 'visible note',
    nickname: 'Ally the nickname',
    ...over,
  };
}

/** What the deserializer returns for `value` with the default read options (protobufjs' own conversion). */
export function expected(proto: string, typeName: string, value: Record<string, unknown>, imports: Record<string, string> = {}): Record<string, unknown> {
  const T = rootOf(proto, false, imports).lookupType(typeName);
  return T.toObject(T.fromObject(value), { longs: String, enums: String, defaults: true, arrays: true, objects: true });
}
