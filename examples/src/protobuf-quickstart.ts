/**
 * Protobuf quick start, on the embedded defaults: an in-memory Schema Registry + DEK Registry and
 * the local KMS. No servers, no cloud account.
 *
 * 1. The security engineer registers a .proto schema whose PII fields are tagged with
 *    `(confluent.field_meta).tags`, with an ENCRYPT rule.
 * 2. The producer serializes a plain object: PII fields become ciphertext — including the one in
 *    the nested `Address` message, which Confluent's JS client would leave in plaintext.
 * 3. Anyone without the key (a plain Protobuf reader) sees ciphertext.
 * 4. The consumer with the key gets the message back, field by field.
 * 5. A consumer with the wrong key gets a typed, opaque error, or the ciphertext passed through
 *    if the rule says so; never a crash, never plaintext.
 *
 * Run (after a build): `node examples/dist/protobuf-quickstart.js`.
 */
import { createLocalKms, isCsfleError, type FieldOutcome } from '@csfle/core';
import { createProtobufDeserializer, createProtobufSerializer, parseProtoText } from '@csfle/protobuf';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry } from '@csfle/registry';

export interface QuickstartResult {
  readonly bytes: Buffer;
  readonly roundTrip: unknown;
  readonly outcomes: readonly FieldOutcome[];
  readonly wrongKeyCode: string | undefined;
}

const customerProto = `syntax = "proto3";
package com.example;

import "confluent/meta.proto";

message Customer {
  int64 id = 1;
  string name = 2;
  string email = 3 [(confluent.field_meta).tags = "PII"];
  string ssn = 4 [(confluent.field_meta).tags = "PII"];
  Address address = 5;

  message Address {
    string street = 1 [(confluent.field_meta).tags = "PII"];
    string country = 2;
  }
}
`;

/** Runs the example; `log` receives each line of output. */
export async function main(log: (line: string) => void = console.log): Promise<QuickstartResult> {
  const registry = createInMemorySchemaRegistry();
  const deks = createInMemoryDekRegistry();
  const kms = [createLocalKms({ secret: 'demo-secret-change-me' })];

  log('1. Security engineer: register com.example.Customer (.proto) with PII tags and an ENCRYPT rule');
  const id = await registry.register('customers-value', {
    schemaType: 'PROTOBUF',
    schema: customerProto,
    ruleSet: {
      domainRules: [
        {
          name: 'encrypt-pii',
          kind: 'TRANSFORM',
          mode: 'WRITEREAD',
          type: 'ENCRYPT',
          tags: ['PII'],
          params: { 'encrypt.kek.name': 'customers-kek', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'demo-key' },
          onFailure: 'ERROR,NONE',
        },
      ],
    },
  });
  log(`   schema id ${id}, subject customers-value`);

  log('2. Producer: serialize a plain object (the app code knows nothing about keys)');
  const serializer = createProtobufSerializer({ registry, deks, kms, useLatestVersion: true });
  const customer = {
    id: '42',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    ssn: '123-45-6789',
    address: { street: '12 St James Square', country: 'UK' },
  };
  const bytes = await serializer.serialize('customers', customer);
  log(`   ${bytes.length} bytes: ${bytes.toString('hex').slice(0, 64)}...`);

  log('3. What the broker and a reader without keys see (a plain Protobuf decode):');
  const Customer = parseProtoText(customerProto).root.lookupType('com.example.Customer');
  // Skip the magic byte, the 4-byte schema id and the message indexes ([0] is one byte).
  const plain = Customer.toObject(Customer.decode(bytes.subarray(6)), { longs: String });
  for (const [k, v] of Object.entries(plain)) log(`   ${k.padEnd(8)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);

  log('4. Consumer with the key:');
  const deserializer = createProtobufDeserializer({ registry, deks, kms });
  const { value: roundTrip, outcomes } = await deserializer.deserializeWithReport('customers', bytes);
  for (const [k, v] of Object.entries(roundTrip as Record<string, unknown>)) log(`   ${k.padEnd(8)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  log(`   fields: ${outcomes.map((o) => `${o.field.split('.').slice(-2).join('.')}=${o.outcome}`).join(', ')}`);

  log('5. Consumer with the wrong key (rule says onFailure "ERROR,NONE": read passes ciphertext through):');
  const wrong = createProtobufDeserializer({ registry, deks, kms: [createLocalKms({ secret: 'not-the-secret' })] });
  const passed = await wrong.deserializeWithReport('customers', bytes);
  const wrongKeyCode = passed.outcomes[0]?.code;
  log(`   email    ${String((passed.value as Record<string, unknown>)['email']).slice(0, 24)}... (${passed.outcomes[0]?.outcome}, ${wrongKeyCode})`);
  const strict = createProtobufDeserializer({
    registry,
    deks,
    kms: [createLocalKms({ secret: 'not-the-secret' })],
    ruleOverrides: [{ type: 'ENCRYPT', onFailure: 'ERROR' }],
  });
  try {
    await strict.deserialize('customers', bytes);
  } catch (e) {
    if (!isCsfleError(e)) throw e;
    log(`   with onFailure ERROR: ${e.name} ${e.code}: ${e.message}`);
  }
  return { bytes, roundTrip, outcomes, wrongKeyCode };
}
