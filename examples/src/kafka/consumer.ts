/**
 * A consumer app a user can copy: plain kafkajs, with `run` wrapped. Handlers get decrypted
 * values; records whose rule says `onFailure: DLQ` and that cannot be decrypted go to the
 * dead-letter topic with their bytes untouched, and consumption continues.
 *
 *   node examples/dist/kafka/consumer.js      (env: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, LOCAL_SECRET, TOPIC)
 */
import { Kafka, logLevel } from 'kafkajs';
import { createLocalKms } from '@csfle/core';
import { createRegistryClients } from '@csfle/registry';
import { createAvroDeserializer } from '@csfle/avro';
import { wrapConsumer, type DecodedMessage } from '@csfle/kafkajs';
import { configFromEnv, type Customer } from './config.js';

export interface RunningConsumer {
  stop(): Promise<void>;
}

export async function consumeCustomers(
  onCustomer: (c: Customer, message: DecodedMessage<unknown, Customer>) => void,
  config = configFromEnv(),
  groupId = 'customers-consumer',
): Promise<RunningConsumer> {
  const kafka = new Kafka({ clientId: 'customers-consumer', brokers: config.brokers, logLevel: logLevel.ERROR });
  const { schemas: registry, deks } = createRegistryClients({ url: config.registryUrl });
  const kms = [createLocalKms({ secret: config.localSecret })];

  const dlqProducer = kafka.producer();
  await dlqProducer.connect();
  const consumer = wrapConsumer(kafka.consumer({ groupId }), {
    value: createAvroDeserializer({ registry, deks, kms }),
    dlq: { topic: `${config.topic}.dlq`, producer: dlqProducer },
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [config.topic], fromBeginning: true });
  await consumer.run<unknown, Customer>({
    eachMessage: async ({ message }) => {
      if (message.value) onCustomer(message.value, message);
    },
  });
  return {
    async stop() {
      await consumer.disconnect();
      await dlqProducer.disconnect();
    },
  };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  consumeCustomers((c) => console.log(`${c.id} ${c.name} ${c.email}`)).then(
    (running) => {
      process.once('SIGINT', () => void running.stop());
      process.once('SIGTERM', () => void running.stop());
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
