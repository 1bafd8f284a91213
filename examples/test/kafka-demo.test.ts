// The demo and the copyable producer/consumer apps, on the real local stack (broker + registry).
import { runDemo } from '../src/kafka/demo.js';
import { produceCustomers } from '../src/kafka/producer.js';
import { consumeCustomers } from '../src/kafka/consumer.js';
import { makeCustomer, type Customer } from '../src/kafka/config.js';
import { ensureService, SERVICE_START_TIMEOUT_MS } from '../../test/support/stack';

let brokers: string[];
let registryUrl: string;
beforeAll(() => {
  brokers = [ensureService('kafka').CSFLE_KAFKA_BROKERS as string];
  registryUrl = ensureService('registry').CSFLE_REGISTRY_URL as string;
}, SERVICE_START_TIMEOUT_MS);

it('the demo: ciphertext for a plain consumer, plaintext through the wrapper, the damaged record in the DLQ, all accounted for', async () => {
  const lines: string[] = [];
  const s = await runDemo({ brokers, registryUrl, count: 600, log: (l) => lines.push(l) });
  expect(s.produced).toBe(601);
  expect(s.handled + s.deadLettered).toBe(s.produced);
  expect(s.deadLettered).toBe(1);
  expect(s.decodedView).toEqual(makeCustomer(42));
  expect(s.plainView.name).toBe(makeCustomer(42).name);
  expect(s.plainView.email).not.toBe(makeCustomer(42).email);
  expect(String(s.plainView.ssn)).toMatch(/^[A-Za-z0-9+/]+=*$/);
  expect(s.dlqHeaders['csfle.dlq.error.code']).toBe('DECRYPTION_FAILED');
  expect(s.dlqHeaders['csfle.dlq.source.topic']).toBe(s.topic);
  expect(s.producerKms).toEqual({ wraps: 1, unwraps: 0 });
  expect(s.consumerKms).toEqual({ wraps: 0, unwraps: 1 });
  const text = lines.join('\n');
  expect(text).toContain('records in 601 = handled 600 + dead-lettered 1');
  expect(text).not.toContain('demo-secret-change-me');
}, 120_000);

it('the copyable producer and consumer apps work together', async () => {
  const config = { brokers, registryUrl, localSecret: 'apps-secret', topic: `apps-${Date.now().toString(36)}` };
  // The security engineer's step for this topic (the apps themselves carry no rule).
  const { createRegistryClients } = await import('@csfle/registry');
  const { CUSTOMER_AVRO } = await import('../src/kafka/config.js');
  const { schemas } = createRegistryClients({ url: registryUrl });
  await schemas.register(`${config.topic}-value`, {
    schema: CUSTOMER_AVRO,
    ruleSet: { domainRules: [{ name: 'pii', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: { 'encrypt.kek.name': `kek-${config.topic}`, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'k' } }] },
  });
  await produceCustomers(120, config);
  const got = new Map<string, Customer>();
  const running = await consumeCustomers((c) => void got.set(c.id, c), config, `g-${config.topic}`);
  const deadline = Date.now() + 60_000;
  while (got.size < 120 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await running.stop();
  expect(got.size).toBe(120);
  expect(got.get('c-7')).toEqual(makeCustomer(7));
}, 120_000);
