/**
 * `@csfle/registry`: Confluent Schema Registry and DEK Registry REST clients (on `fetch`), and
 * in-memory implementations of both for tests. The test server is at `@csfle/registry/server`.
 *
 * Implements the contracts `SchemaRegistryClient` and `DekRegistryClient` of `@csfle/core`
 * (REST API: docs/confluent-csfle-format.md §4).
 */
export {
  createRegistryRestClient,
  encodePath,
  resolveRegistryHttpOptions,
  type RegistryAuth,
  type RegistryHttpOptions,
  type ResolvedHttpOptions,
  type RegistryRestClient,
  type RestRequest,
  type RetryInfo,
} from './http.js';
export {
  createSchemaRegistryClient,
  type HttpSchemaRegistryClient,
  type SchemaRegistryClientOptions,
} from './schema-registry-client.js';
export { createDekRegistryClient, type DekRegistryClientOptions } from './dek-registry-client.js';
export { createRegistryClients, type RegistryClients } from './clients.js';
export {
  createInMemoryDekRegistry,
  createInMemorySchemaRegistry,
  createKmsDekGenerator,
  type GeneratedDek,
  type InMemoryDekRegistry,
  type InMemoryDekRegistryOptions,
  type InMemorySchemaRegistry,
  type InMemorySchemaRegistryOptions,
  type SubjectVersion,
} from './memory.js';
export type {
  DekRegistryAdminClient,
  RegistryConfig,
  RegistryConfigUpdate,
  SchemaRegistryAdminClient,
} from './types.js';
