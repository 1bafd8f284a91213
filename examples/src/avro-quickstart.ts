/**
 * Avro quick start, on the embedded defaults: an in-memory Schema Registry + DEK Registry and the
 * local KMS. No servers, no cloud account.
 *
 * 1. The security engineer registers a schema whose PII fields are tagged, with an ENCRYPT rule.
 * 2. The producer serializes a record: PII fields become ciphertext, the rest stays as it is.
 * 3. Anyone without the key (a plain Avro reader) sees ciphertext.
 * 4. The consumer with the key gets the record back, field by field.
 * 5. A consumer with the wrong key gets a typed, opaque error, or the ciphertext passed through
 *    if the rule says so; never a crash, never plaintext.
 *
 * Run: `npm run demo` (builds, then runs `node examples/dist/avro-quickstart.js`).
 */
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { createLocalKms, isCsfleError, type FieldOutcome } from '@csfle/core';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry } from '@csfle/registry';
import avro from 'avsc';

export interface QuickstartResult {
  readonly bytes: Buffer;
  readonly roundTrip: unknown;
  readonly outcomes: readonly FieldOutcome[];
  readonly wrongKeyCode: string | undefined;
}

const customerSchema = {
  type: 'record',
  name: 'Customer',
  namespace: 'com.example',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'email', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'ssn', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'country', type: 'string' },
  ],
};

/** Runs the example; `log` receives each line of output. */
export async function main(log: (line: string) => void = console.log): Promise<QuickstartResult> {
  const registry = createInMemorySchemaRegistry();
  const deks = createInMemoryDekRegistry();
  const kms = [createLocalKms({ secret: 'demo-secret-change-me' })];

  log('1. Security engineer: register com.example.Customer with PII tags and an ENCRYPT rule');
  const id = await registry.register('customers-value', {
    schemaType: 'AVRO',
    schema: JSON.stringify(customerSchema),
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

  log('2. Producer: serialize a record (the app code knows nothing about keys)');
  const serializer = createAvroSerializer({ registry, deks, kms, useLatestVersion: true });
  const customer = { id: 42, name: 'Ada Lovelace', email: 'ada@example.com', ssn: '123-45-6789', country: 'UK' };
  const bytes = await serializer.serialize('customers', customer);
  log(`   ${bytes.length} bytes: ${bytes.toString('hex').slice(0, 64)}...`);

  log('3. What the broker and a reader without keys see:');
  const plain = avro.Type.forSchema(customerSchema as avro.Schema).fromBuffer(bytes.subarray(5)) as Record<string, unknown>;
  for (const [k, v] of Object.entries(plain)) log(`   ${k.padEnd(8)} ${String(v)}`);

  log('4. Consumer with the key:');
  const deserializer = createAvroDeserializer({ registry, deks, kms });
  const { value: roundTrip, outcomes } = await deserializer.deserializeWithReport('customers', bytes);
  for (const [k, v] of Object.entries(roundTrip as Record<string, unknown>)) log(`   ${k.padEnd(8)} ${String(v)}`);
  log(`   fields: ${outcomes.map((o) => `${o.field.split('.').pop()}=${o.outcome}`).join(', ')}`);

  log('5. Consumer with the wrong key (rule says onFailure "ERROR,NONE": read passes ciphertext through):');
  const wrong = createAvroDeserializer({ registry, deks, kms: [createLocalKms({ secret: 'not-the-secret' })] });
  let wrongKeyCode: string | undefined;
  const passed = await wrong.deserializeWithReport('customers', bytes);
  wrongKeyCode = passed.outcomes[0]?.code;
  log(`   email    ${String((passed.value as Record<string, unknown>).email).slice(0, 24)}... (${passed.outcomes[0]?.outcome}, ${wrongKeyCode})`);
  const strict = createAvroDeserializer({ registry, deks, kms: [createLocalKms({ secret: 'not-the-secret' })], ruleOverrides: [{ type: 'ENCRYPT', onFailure: 'ERROR' }] });
  try {
    await strict.deserialize('customers', bytes);
  } catch (e) {
    if (!isCsfleError(e)) throw e;
    log(`   with onFailure ERROR: ${e.name} ${e.code}: ${e.message}`);
  }
  return { bytes, roundTrip, outcomes, wrongKeyCode };
}
