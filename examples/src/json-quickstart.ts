/**
 * JSON Schema quick start, on the embedded defaults: an in-memory Schema Registry + DEK Registry
 * and the local KMS. No servers, no cloud account. The same steps as the Avro quick start.
 *
 * 1. The security engineer registers a JSON Schema whose PII properties are tagged
 *    (`confluent:tags`, and one more by path through `metadata.tags`), with an ENCRYPT rule.
 * 2. The producer serializes a value: it is validated (plaintext), then PII fields become base64
 *    ciphertext strings, the rest stays as it is.
 * 3. Anyone without the key (a plain JSON reader) sees ciphertext.
 * 4. The consumer with the key gets the value back, field by field.
 * 5. A consumer with the wrong key gets the ciphertext passed through (the rule says so on read),
 *    or a typed, opaque error; never a crash, never plaintext. An invalid value is refused before
 *    any encryption, with an error naming the path, not the value.
 *
 * Run: `node examples/dist/json-quickstart.js` after `npm run build`.
 */
import { createJsonSchemaDeserializer, createJsonSchemaSerializer } from '@csfle/json-schema';
import { createLocalKms, isCsfleError, type FieldOutcome } from '@csfle/core';
import { createInMemoryDekRegistry, createInMemorySchemaRegistry } from '@csfle/registry';

export interface JsonQuickstartResult {
  readonly bytes: Buffer;
  readonly roundTrip: unknown;
  readonly outcomes: readonly FieldOutcome[];
  readonly wrongKeyCode: string | undefined;
  readonly invalidCode: string | undefined;
}

const customerSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Customer',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    email: { type: 'string', format: 'email', 'confluent:tags': ['PII'] },
    ssn: { type: 'string', 'confluent:tags': ['PII'] },
    address: {
      type: 'object',
      properties: { street: { type: 'string' }, country: { type: 'string' } },
    },
  },
  required: ['id', 'email'],
};

/** Runs the example; `log` receives each line of output. */
export async function main(log: (line: string) => void = console.log): Promise<JsonQuickstartResult> {
  const registry = createInMemorySchemaRegistry();
  const deks = createInMemoryDekRegistry();
  const kms = [createLocalKms({ secret: 'demo-secret-change-me' })];

  log('1. Security engineer: register Customer (JSON Schema) with PII tags and an ENCRYPT rule');
  const id = await registry.register('customers-json-value', {
    schemaType: 'JSON',
    schema: JSON.stringify(customerSchema),
    metadata: { tags: { '$.address.street': ['PII'] } }, // tags by path, without touching the schema
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
  log(`   schema id ${id}, subject customers-json-value`);

  log('2. Producer: serialize a value (validated, then encrypted; the app code knows nothing about keys)');
  const serializer = createJsonSchemaSerializer({ registry, deks, kms, useLatestVersion: true });
  const customer = { id: 42, name: 'Ada Lovelace', email: 'ada@example.com', ssn: '123-45-6789', address: { street: '12 St James Square', country: 'UK' } };
  const bytes = await serializer.serialize('customers-json', customer);
  log(`   ${bytes.length} bytes: 00 ${bytes.subarray(1, 5).toString('hex')} ${bytes.subarray(5, 60).toString('utf8')}...`);

  log('3. What the broker and a reader without keys see:');
  const plain = JSON.parse(bytes.subarray(5).toString('utf8')) as Record<string, unknown>;
  for (const [k, v] of Object.entries(plain)) log(`   ${k.padEnd(8)} ${JSON.stringify(v)}`);

  log('4. Consumer with the key:');
  const deserializer = createJsonSchemaDeserializer({ registry, deks, kms });
  const { value: roundTrip, outcomes } = await deserializer.deserializeWithReport('customers-json', bytes);
  for (const [k, v] of Object.entries(roundTrip as Record<string, unknown>)) log(`   ${k.padEnd(8)} ${JSON.stringify(v)}`);
  log(`   fields: ${outcomes.map((o) => `${o.field}=${o.outcome}`).join(', ')}`);

  log('5. Consumer with the wrong key (rule says onFailure "ERROR,NONE": read passes ciphertext through):');
  const wrong = createJsonSchemaDeserializer({ registry, deks, kms: [createLocalKms({ secret: 'not-the-secret' })] });
  const passed = await wrong.deserializeWithReport('customers-json', bytes);
  const wrongKeyCode = passed.outcomes[0]?.code;
  log(`   email    ${String((passed.value as Record<string, unknown>)['email']).slice(0, 24)}... (${passed.outcomes[0]?.outcome}, ${wrongKeyCode})`);
  const strict = createJsonSchemaDeserializer({ registry, deks, kms: [createLocalKms({ secret: 'not-the-secret' })], ruleOverrides: [{ type: 'ENCRYPT', onFailure: 'ERROR' }] });
  try {
    await strict.deserialize('customers-json', bytes);
  } catch (e) {
    if (!isCsfleError(e)) throw e;
    log(`   with onFailure ERROR: ${e.name} ${e.code}: ${e.message}`);
  }
  let invalidCode: string | undefined;
  try {
    await serializer.serialize('customers-json', { ...customer, email: 'not-an-email' });
  } catch (e) {
    if (!isCsfleError(e)) throw e;
    invalidCode = e.code;
    log(`   an invalid value is refused before encryption: ${e.code}: ${e.message}`);
  }
  return { bytes, roundTrip, outcomes, wrongKeyCode, invalidCode };
}
