/**
 * A producer app a user can copy: plain kafkajs, with `send` wrapped. The app never sees a key
 * and does not know which fields are protected: the rule on the schema in the registry decides.
 *
 *   node examples/dist/kafka/producer.js [count]      (env: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, LOCAL_SECRET, TOPIC)
 */
import { Kafka, logLevel } from 'kafkajs';
import { createLocalKms } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createAvroSerializer } from '@csfle/avro';
import { wrapProducer } from '@csfle/kafkajs';
import { configFromEnv, makeCustomer } from './config.js';

export async function produceCustomers(count: number, config = configFromEnv()): Promise<void> {
  const kafka = new Kafka({ clientId: 'customers-producer', brokers: config.brokers, logLevel: logLevel.ERROR });
  const { schemas: registry, deks } = createRegistryClients({ url: config.registryUrl });
  const kms = [createLocalKms({ secret: config.localSecret })];

  // The only csfle-specific lines: a serializer, and the wrap.
  const producer = wrapProducer(kafka.producer(), {
    value: createAvroSerializer({ registry, deks, kms, useLatestVersion: true }),
  });
  await producer.connect();
  try {
    for (let i = 0; i < count; i += 500) {
      const batch = Array.from({ length: Math.min(500, count - i) }, (_, j) => makeCustomer(i + j));
      await producer.send({ topic: config.topic, messages: batch.map((c) => ({ key: c.id, value: c })) });
    }
  } finally {
    await producer.disconnect();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  produceCustomers(Number(process.argv[2] ?? 100)).then(
    () => console.log('sent'),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
