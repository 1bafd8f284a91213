/**
 * What the doc pages assume is already in scope (`registry`, `kafka`, `customer`, ...). A host
 * imports these instead of declaring them; the runner (./run.ts) puts real values on
 * `globalThis.__csfleSnippetEnv` before it imports the host. Only the values a host's page assumes
 * are set; the others stay undefined.
 */
import type { DekRegistryClient, KmsClient, RuleSet, SchemaRegistryClient } from '@csfle/core';
import type { Kafka, Producer } from 'kafkajs';

export interface SnippetEnv {
  registry: SchemaRegistryClient;
  deks: DekRegistryClient;
  kms: KmsClient[];
  kafka: Kafka;
  dlqProducer: Producer;
  handle: (value: unknown) => Promise<void>;
  secret: string;
  registryUrl: string;
  brokers: string[];
  customer: { id: string; email: string };
  message: { value: Buffer };
  avroSchema: object;
  ruleSet: RuleSet;
  fakeNow: number;
  token: string;
  caPem: string;
}

const env = ((globalThis as { __csfleSnippetEnv?: Partial<SnippetEnv> }).__csfleSnippetEnv ?? {}) as SnippetEnv;

export const registry = env.registry;
export const deks = env.deks;
export const kms = env.kms;
export const kafka = env.kafka;
export const dlqProducer = env.dlqProducer;
export const handle = env.handle;
export const secret = env.secret;
export const registryUrl = env.registryUrl;
export const brokers = env.brokers;
export const customer = env.customer;
export const message = env.message;
export const avroSchema = env.avroSchema;
export const ruleSet = env.ruleSet;
export const fakeNow = env.fakeNow;
export const token = env.token;
export const caPem = env.caPem;
