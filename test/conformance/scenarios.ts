/**
 * The conformance scenarios: one schema + rule set + values each, per format. Values are JSON with
 * bytes as `{ "$bytes": base64 }`, so every peer (JS, Python) gets the same input.
 */
import type { Metadata, Rule, RuleSet } from '@csfle/core';

export type Format = 'AVRO' | 'JSON' | 'PROTOBUF';
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly formats: readonly Format[];
  /** The schema text; `ns` makes Protobuf package names unique per subject (peers share descriptor pools). */
  schema(format: Format, ns: string): string;
  /** Protobuf: the message type values are written as (full name without the package). */
  readonly message?: string;
  ruleSet(kek: string): RuleSet;
  readonly metadata?: Metadata;
  readonly values: readonly JsonValue[];
  /** Plaintexts that must not appear in any writer's bytes. */
  readonly secrets: readonly string[];
  /** The registry must generate DEKs (shared KEK). */
  readonly sharedKek?: boolean;
  /** A DEK v1 exists, older than `encrypt.dek.expiry.days`: every writer must rotate to v2. */
  readonly rotate?: boolean;
}

const b = (s: string): JsonValue => ({ $bytes: Buffer.from(s, 'utf8').toString('base64') });

const ALL: readonly Format[] = ['AVRO', 'JSON', 'PROTOBUF'];

const params = (kek: string, alg: string, extra: Record<string, string> = {}) => ({
  'encrypt.kek.name': kek,
  'encrypt.kms.type': 'local-kms',
  'encrypt.kms.key.id': 'conformance',
  'encrypt.dek.algorithm': alg,
  ...extra,
});
const field = (kek: string, alg: string, extra: Record<string, string> = {}): Rule => ({
  name: 'encrypt-pii', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: params(kek, alg, extra), onFailure: 'ERROR,ERROR',
});
const payload = (kek: string): Rule => ({
  name: 'encrypt-payload', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT_PAYLOAD', params: params(kek, 'AES256_GCM'), onFailure: 'ERROR,ERROR',
});

// A flat customer: 2 tagged strings, 1 untagged.
function flat(format: Format, ns: string, tagged = true): string {
  const tag = tagged ? { 'confluent:tags': ['PII'] } : {};
  if (format === 'PROTOBUF') {
    const t = tagged ? ' [(confluent.field_meta).tags = "PII"]' : '';
    return `syntax = "proto3";\npackage ${ns};\nimport "confluent/meta.proto";\nmessage Customer {\n  int32 id = 1;\n  string name = 2;\n  string email = 3${t};\n  string ssn = 4${t};\n}\n`;
  }
  if (format === 'AVRO') {
    return JSON.stringify({
      type: 'record', name: 'Customer', namespace: 'conformance',
      fields: [{ name: 'id', type: 'int' }, { name: 'name', type: 'string' }, { name: 'email', type: 'string', ...tag }, { name: 'ssn', type: 'string', ...tag }],
    });
  }
  return JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#', title: 'Customer', type: 'object',
    properties: { id: { type: 'integer' }, name: { type: 'string' }, email: { type: 'string', ...tag }, ssn: { type: 'string', ...tag } },
    required: ['id', 'name', 'email', 'ssn'],
  });
}
const customers: JsonValue[] = [
  { id: 1, name: 'Ada', email: 'ada@example.com', ssn: '123-45-6789' },
  { id: 2, name: 'Grace', email: 'grace@example.com', ssn: '987-65-4321' },
];
const customerSecrets = ['ada@example.com', '123-45-6789', 'grace@example.com', '987-65-4321'];

export const SCENARIOS: readonly Scenario[] = [
  { id: 'aes128-gcm', message: 'Customer', title: 'AES128_GCM', formats: ALL, schema: flat, ruleSet: (k) => ({ domainRules: [field(k, 'AES128_GCM')] }), values: customers, secrets: customerSecrets },
  { id: 'aes256-gcm', message: 'Customer', title: 'AES256_GCM', formats: ALL, schema: flat, ruleSet: (k) => ({ domainRules: [field(k, 'AES256_GCM')] }), values: customers, secrets: customerSecrets },
  { id: 'aes256-siv', message: 'Customer', title: 'AES256_SIV (deterministic)', formats: ALL, schema: flat, ruleSet: (k) => ({ domainRules: [field(k, 'AES256_SIV')] }), values: customers, secrets: customerSecrets },
  { id: 'payload', message: 'Customer', title: 'payload encryption', formats: ALL, schema: flat, ruleSet: (k) => ({ encodingRules: [payload(k)] }), values: customers, secrets: [...customerSecrets, 'Ada', 'Grace'] },
  {
    id: 'external-tags', title: 'external tags (metadata.tags)', formats: ALL, message: 'Customer',
    schema: (f, ns) => flat(f, ns, false), metadata: { tags: { '**.email': ['PII'], '**.ssn': ['PII'] } },
    ruleSet: (k) => ({ domainRules: [field(k, 'AES256_GCM')] }), values: customers, secrets: customerSecrets,
  },
  {
    id: 'shared-kek', title: 'shared KEK (registry-generated DEK)', formats: ALL, message: 'Customer', schema: flat, sharedKek: true,
    ruleSet: (k) => ({ domainRules: [field(k, 'AES256_GCM')] }), values: customers, secrets: customerSecrets,
  },
  {
    id: 'rotation', title: 'DEK rotation (writers create v2)', formats: ALL, message: 'Customer', schema: flat, rotate: true,
    ruleSet: (k) => ({ domainRules: [field(k, 'AES256_GCM', { 'encrypt.dek.expiry.days': '1' })] }), values: customers, secrets: customerSecrets,
  },
  {
    id: 'unicode-empty', title: 'unicode and empty strings', formats: ALL, message: 'Customer', schema: flat, ruleSet: (k) => ({ domainRules: [field(k, 'AES256_GCM')] }),
    values: [{ id: 3, name: 'Zoë', email: 'zoë.ünïcødé@exämple.com 🐈', ssn: '' }, { id: 4, name: '', email: '', ssn: 'ĳ-Ω-≈-漢字' }],
    secrets: ['zoë.ünïcødé@exämple.com', 'ĳ-Ω-≈-漢字'],
  },
  {
    id: 'nested', title: 'nested records / messages', formats: ALL, message: 'Order',
    schema: (f, ns) =>
      f === 'PROTOBUF'
        ? `syntax = "proto3";\npackage ${ns};\nimport "confluent/meta.proto";\nmessage Order {\n  int32 id = 1;\n  Person customer = 2;\n  Address address = 3;\n}\nmessage Person {\n  string name = 1;\n  string email = 2 [(confluent.field_meta).tags = "PII"];\n}\nmessage Address {\n  string street = 1 [(confluent.field_meta).tags = "PII"];\n  string city = 2;\n}\n`
        : f === 'AVRO'
        ? JSON.stringify({
            type: 'record', name: 'Order', namespace: 'conformance',
            fields: [
              { name: 'id', type: 'int' },
              { name: 'customer', type: { type: 'record', name: 'Person', fields: [{ name: 'name', type: 'string' }, { name: 'email', type: 'string', 'confluent:tags': ['PII'] }] } },
              { name: 'address', type: { type: 'record', name: 'Address', fields: [{ name: 'street', type: 'string', 'confluent:tags': ['PII'] }, { name: 'city', type: 'string' }] } },
            ],
          })
        : JSON.stringify({
            $schema: 'http://json-schema.org/draft-07/schema#', title: 'Order', type: 'object',
            properties: {
              id: { type: 'integer' },
              customer: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string', 'confluent:tags': ['PII'] } } },
              address: { type: 'object', properties: { street: { type: 'string', 'confluent:tags': ['PII'] }, city: { type: 'string' } } },
            },
          }),
    ruleSet: (k) => ({ domainRules: [field(k, 'AES256_GCM')] }),
    values: [{ id: 7, customer: { name: 'Alan', email: 'alan@example.com' }, address: { street: '1 Bletchley Park', city: 'Milton Keynes' } }],
    secrets: ['alan@example.com', '1 Bletchley Park'],
  },
  {
    id: 'bytes', title: 'bytes fields', formats: ['AVRO'],
    schema: () =>
      JSON.stringify({
        type: 'record', name: 'Blob', namespace: 'conformance',
        fields: [{ name: 'id', type: 'int' }, { name: 'photo', type: 'bytes', 'confluent:tags': ['PII'] }, { name: 'label', type: 'string' }],
      }),
    ruleSet: (k) => ({ domainRules: [field(k, 'AES256_GCM')] }),
    values: [{ id: 8, photo: b('photo-bytes-secret'), label: 'visible' }, { id: 9, photo: b(''), label: '' }],
    secrets: ['photo-bytes-secret'],
  },
];
