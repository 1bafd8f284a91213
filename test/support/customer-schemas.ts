/** One customer record shape in the three formats, with PII tags, for integration tests and the demo. */
import type { Rule, SchemaInfo } from '@csfle/core';

export const AVRO_CUSTOMER = JSON.stringify({
  type: 'record',
  name: 'Customer',
  namespace: 'com.example',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'email', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'ssn', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'country', type: 'string' },
    { name: 'score', type: 'int' },
  ],
});

export const JSON_CUSTOMER = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Customer',
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string', 'confluent:tags': ['PII'] },
    ssn: { type: 'string', 'confluent:tags': ['PII'] },
    country: { type: 'string' },
    score: { type: 'integer' },
  },
  required: ['id', 'name', 'email', 'ssn', 'country', 'score'],
  additionalProperties: false,
});

export const PROTO_CUSTOMER = `syntax = "proto3";
package com.example;
import "confluent/meta.proto";
message Customer {
  string id = 1;
  string name = 2;
  string email = 3 [(confluent.field_meta).tags = "PII"];
  string ssn = 4 [(confluent.field_meta).tags = "PII"];
  string country = 5;
  int32 score = 6;
}
`;

export type Format = 'AVRO' | 'JSON' | 'PROTOBUF';

export const SCHEMAS: Record<Format, string> = { AVRO: AVRO_CUSTOMER, JSON: JSON_CUSTOMER, PROTOBUF: PROTO_CUSTOMER };

export interface Customer {
  id: string;
  name: string;
  email: string;
  ssn: string;
  country: string;
  score: number;
}

/** Deterministic customers; `tag` makes the PII values distinctive for an at-rest scan. */
export function customer(i: number, tag = 'x'): Customer {
  return {
    id: `c-${i}`,
    name: `Customer ${i}`,
    email: `user${i}.${tag}@example.com`,
    ssn: `SSN-${tag}-${String(i).padStart(6, '0')}`,
    country: ['FR', 'DE', 'US', 'JP'][i % 4] as string,
    score: i % 1000,
  };
}

export function encryptRule(kekName: string, onFailure = 'ERROR,ERROR', extra: Record<string, string> = {}): Rule {
  return {
    name: 'encrypt-pii',
    kind: 'TRANSFORM',
    mode: 'WRITEREAD',
    type: 'ENCRYPT',
    tags: ['PII'],
    params: { 'encrypt.kek.name': kekName, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'demo-key', ...extra },
    onFailure,
  };
}

export function schemaInfo(format: Format, rule: Rule): SchemaInfo {
  return { ...(format === 'AVRO' ? {} : { schemaType: format }), schema: SCHEMAS[format], ruleSet: { domainRules: [rule] } };
}
