/**
 * Both registry clients on one REST core: one set of URLs, credentials, timeouts and retry
 * settings (the DEK registry lives on the Schema Registry's base URL, §4).
 */
import { createDekRegistryClientOn } from './dek-registry-client.js';
import { createRegistryRestClient } from './http.js';
import {
  type HttpSchemaRegistryClient,
  type SchemaRegistryClientOptions,
  createSchemaRegistryClientOn,
} from './schema-registry-client.js';
import type { DekRegistryAdminClient } from './types.js';

/** The pair returned by {@link createRegistryClients}. */
export interface RegistryClients {
  /** Schema Registry client (cached, see `createSchemaRegistryClient`). */
  readonly schemas: HttpSchemaRegistryClient;
  /** DEK Registry client (not cached, see `createDekRegistryClient`). */
  readonly deks: DekRegistryAdminClient;
}

/**
 * Creates the Schema Registry and DEK Registry clients from one options object.
 *
 * @param options - the schema client's options (the DEK client ignores the cache options).
 * @returns `{ schemas, deks }`.
 * @throws {CsfleError} `INVALID_ARGUMENT` for bad options.
 * @example
 * ```ts
 * const { schemas, deks } = createRegistryClients({ url, auth: { basic: { username, password } } });
 * ```
 */
export function createRegistryClients(options: SchemaRegistryClientOptions): RegistryClients {
  const rest = createRegistryRestClient(options);
  return { schemas: createSchemaRegistryClientOn(rest, options), deks: createDekRegistryClientOn(rest) };
}
