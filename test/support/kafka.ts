/** Helpers for integration tests on the real local broker (scripts/stack/kafka.sh). */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { ensureService } from './stack';

export interface KafkaEnv {
  readonly kafka: Kafka;
  readonly brokers: string[];
  readonly logDir: string;
  readonly registryUrl: string;
  admin: Admin;
  /** Producers and consumers to disconnect in `close`. */
  track<T extends Producer | Consumer>(c: T): T;
  close(): Promise<void>;
}

/** Starts (if needed) the broker and the registry and connects an admin client. */
export async function kafkaEnv(): Promise<KafkaEnv> {
  const k = ensureService('kafka');
  const r = ensureService('registry');
  const brokers = [k.CSFLE_KAFKA_BROKERS as string];
  const kafka = new Kafka({ clientId: 'csfle-tests', brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
  const admin = kafka.admin();
  await admin.connect();
  const tracked: (Producer | Consumer)[] = [];
  return {
    kafka,
    brokers,
    logDir: k.CSFLE_KAFKA_LOG_DIR as string,
    registryUrl: r.CSFLE_REGISTRY_URL as string,
    admin,
    track(c) {
      tracked.push(c);
      return c;
    },
    async close() {
      await Promise.allSettled(tracked.map((c) => c.disconnect()));
      await admin.disconnect();
    },
  };
}

/** A fresh topic name (tests never share topics). */
export function topicName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createTopic(admin: Admin, topic: string, numPartitions = 1): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true });
}

/** Sum of end offsets over a topic's partitions (records written). */
export async function endOffsetTotal(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
}

/** Resolves once `done()` returns true (polled), or rejects after `ms`. */
export async function waitFor(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** All segment (.log) files of a topic's partitions in the broker's log dir. */
export function segmentFiles(logDir: string, topic: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(logDir)) {
    if (!d.startsWith(`${topic}-`) || !/^\d+$/.test(d.slice(topic.length + 1))) continue;
    const dir = path.join(logDir, d);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.log')) out.push(path.join(dir, f));
  }
  return out;
}

/** Which of `needles` occur in the topic's segment files. */
export function scanSegments(logDir: string, topic: string, needles: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const f of segmentFiles(logDir, topic)) {
    const bytes = readFileSync(f);
    for (const n of needles) if (!found.has(n) && bytes.includes(Buffer.from(n, 'utf8'))) found.add(n);
  }
  return found;
}
