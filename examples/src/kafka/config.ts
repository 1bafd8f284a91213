/**
 * Configuration of the Kafka examples, from the environment (defaults: the local stack started by
 * `bash scripts/stack.sh up`). In your app, these come from your own config system.
 */
export interface ExampleConfig {
  readonly brokers: string[];
  readonly registryUrl: string;
  /** local-kms secret. In production use a cloud KMS adapter (@csfle/kms-aws, -azure, -gcp, -vault). */
  readonly localSecret: string;
  readonly topic: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  return {
    brokers: (env.KAFKA_BROKERS ?? env.CSFLE_KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
    registryUrl: env.SCHEMA_REGISTRY_URL ?? env.CSFLE_REGISTRY_URL ?? 'http://127.0.0.1:18081',
    localSecret: env.LOCAL_SECRET ?? 'demo-secret-change-me',
    topic: env.TOPIC ?? 'customers',
  };
}

/** The record the examples produce. */
export interface Customer {
  id: string;
  name: string;
  email: string;
  ssn: string;
  country: string;
  score: number;
}

export function makeCustomer(i: number): Customer {
  const first = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken'][i % 8] as string;
  return {
    id: `c-${i}`,
    name: `${first} #${i}`,
    email: `${first.toLowerCase()}.${i}@example.com`,
    ssn: `${String(100 + (i % 800)).padStart(3, '0')}-${String(10 + (i % 89)).padStart(2, '0')}-${String(1000 + (i % 8999)).padStart(4, '0')}`,
    country: ['FR', 'DE', 'US', 'JP', 'BR'][i % 5] as string,
    score: (i * 37) % 1000,
  };
}

/** Avro schema of Customer with the PII tags; the security engineer registers it with the rule. */
export const CUSTOMER_AVRO = JSON.stringify({
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
