/** Protobuf serde test fixtures: the shared test kit bound to the Protobuf factories, plus Protobuf-only helpers (plain protobufjs decoding). */
import protobuf from 'protobufjs';
import { createProtobufDeserializer, createProtobufSerializer, parseProtoText, type ProtobufDeserializerOptions, type ProtobufSerializerOptions } from '@csfle/protobuf';
import { makeSerdeEnv, type SerdeEnv } from '../../../test/support/serde-env.js';

export { SECRET, PARAMS, encryptRule, payloadRule, deepFreeze, leaked, codes, failure, isBase64 } from '../../../test/support/serde-env.js';

export type Env = SerdeEnv<ReturnType<typeof createProtobufSerializer>, ReturnType<typeof createProtobufDeserializer>, ProtobufSerializerOptions, ProtobufDeserializerOptions>;

export function makeEnv(): Env {
  return makeSerdeEnv({ ser: createProtobufSerializer, de: createProtobufDeserializer }, 'PROTOBUF');
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

/** Deep clone keeping Buffers. */
export function clone<T>(o: T): T {
  if (Buffer.isBuffer(o)) return Buffer.from(o) as T;
  if (Array.isArray(o)) return o.map(clone) as T;
  if (o && typeof o === 'object') return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, clone(v)])) as T;
  return o;
}

/** Every message and JSON form along an error's cause chain. */
export function texts(e: unknown): string[] {
  const out: string[] = [];
  for (let c: unknown = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
    out.push(String((c as Error).message), JSON.stringify(c));
  }
  return out;
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
