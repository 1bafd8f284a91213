/**
 * `csfle inspect` and `csfle decrypt`: read records from a topic and report, per record, the
 * writer schema id and subject, each protected field's outcome with the current credentials
 * (decrypted, or kept as ciphertext with the reason), and — for `decrypt` — the decrypted value.
 * Reads never fail on a record: decryption failures are reported (rules run with `onFailure: NONE`
 * for ciphertext, which keeps it as is), undecodable records are reported with their error.
 */
import { isCsfleError, unframe, type Deserializer, type FieldOutcome, type RuleOverride } from '@csfle/core';
import { createAvroDeserializer } from '@csfle/avro';
import { createJsonSchemaDeserializer } from '@csfle/json-schema';
import { createProtobufDeserializer } from '@csfle/protobuf';
import { Kafka, logLevel } from 'kafkajs';
import type { CliContext } from './context.js';

export interface InspectedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly schemaId?: number;
  readonly fields: readonly FieldOutcome[];
  /** True when every protected field decrypted with the current credentials. */
  readonly decryptable: boolean;
  /** The decrypted value (`decrypt` only). */
  readonly value?: unknown;
  readonly error?: string;
}

export interface InspectOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Stop after this many records. Default 100. */
  readonly max?: number;
  /** Include the decrypted values. */
  readonly decrypt?: boolean;
  /** Called as records arrive (for a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Give up waiting for records after this long, ms. Default 30 000. */
  readonly timeoutMs?: number;
}

const NONE: readonly RuleOverride[] = [
  { type: 'ENCRYPT', onFailure: 'NONE' },
  { type: 'ENCRYPT_PAYLOAD', onFailure: 'NONE' },
];

export async function inspectTopic(ctx: CliContext, opts: InspectOptions): Promise<InspectedRecord[]> {
  const kafka = new Kafka({ clientId: 'csfle-cli', brokers: [...opts.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let total = 0;
  try {
    const offsets = await admin.fetchTopicOffsets(opts.topic);
    total = Math.min(opts.max ?? 100, offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0));
  } finally {
    await admin.disconnect();
  }
  const base = { registry: ctx.schemas, deks: ctx.deks, kms: ctx.kms, ruleConfig: ctx.kmsParams, ruleOverrides: NONE };
  const deserializers = new Map<string, Deserializer>();
  const deserializerFor = async (bytes: Buffer): Promise<{ de: Deserializer; id: number }> => {
    const { ref } = unframe(bytes);
    const id = ref.id as number;
    const type = (await ctx.schemas.getById(id)).schemaType ?? 'AVRO';
    let de = deserializers.get(type);
    if (!de) {
      de = type === 'JSON' ? createJsonSchemaDeserializer(base) : type === 'PROTOBUF' ? createProtobufDeserializer(base) : createAvroDeserializer(base);
      deserializers.set(type, de);
    }
    return { de, id };
  };
  const out: InspectedRecord[] = [];
  if (total === 0) return out;
  const consumer = kafka.consumer({ groupId: `csfle-cli-inspect-${process.pid}-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [opts.topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => resolve(), opts.timeoutMs ?? 30_000);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            if (out.length >= total) return;
            const bytes = message.value;
            if (!bytes) {
              out.push({ partition, offset: message.offset, fields: [], decryptable: true, value: null });
            } else {
              try {
                const { de, id } = await deserializerFor(bytes);
                const r = await de.deserializeWithReport(opts.topic, bytes, message.headers as never);
                out.push({
                  partition,
                  offset: message.offset,
                  schemaId: id,
                  fields: r.outcomes,
                  decryptable: r.outcomes.every((o) => o.outcome === 'decrypted'),
                  ...(opts.decrypt ? { value: r.value } : {}),
                });
              } catch (e) {
                out.push({ partition, offset: message.offset, fields: [], decryptable: false, error: isCsfleError(e) ? `${e.code}: ${e.message}` : String((e as Error).name) });
              }
            }
            opts.onProgress?.(out.length, total);
            if (out.length >= total) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}
