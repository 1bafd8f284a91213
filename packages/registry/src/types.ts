/**
 * Interfaces this package adds on top of the core contracts (`SchemaRegistryClient`,
 * `DekRegistryClient` in `@csfle/core`): the admin operations the CLI and tests need. Both the
 * HTTP clients and the in-memory registries implement them.
 */
import type {
  CallOptions,
  DekAlgorithm,
  Dek,
  DekRegistryClient,
  Kek,
  RegisteredSchema,
  SchemaInfo,
  SchemaRegistryClient,
} from '@csfle/core';

/** Subject or global configuration, as `GET /config` answers it. */
export interface RegistryConfig {
  /** `BACKWARD` (the registry default), `NONE`, `FULL`, ... */
  compatibilityLevel?: string;
  [key: string]: unknown;
}

/** The body of `PUT /config[/{subject}]`. */
export interface RegistryConfigUpdate {
  compatibility?: string;
  [key: string]: unknown;
}

/** Schema Registry client with the admin operations of the REST API. */
export interface SchemaRegistryAdminClient extends SchemaRegistryClient {
  /** Like `register`, but resolves the whole answer (id, and version/guid when the server sends them). */
  registerFull(subject: string, schema: SchemaInfo, options?: CallOptions & { normalize?: boolean }): Promise<RegisteredSchema>;
  /** Schema by its GUID (Confluent Platform 8+). */
  getByGuid(guid: string, options?: CallOptions): Promise<RegisteredSchema>;
  /** All subjects (`deleted: true` includes soft-deleted ones). */
  getSubjects(options?: CallOptions & { deleted?: boolean }): Promise<string[]>;
  /** All versions of a subject (`deleted: true` includes soft-deleted ones). */
  getVersions(subject: string, options?: CallOptions & { deleted?: boolean }): Promise<number[]>;
  /** Soft-deletes (or, after a soft delete, permanently deletes) a subject; resolves the deleted versions. */
  deleteSubject(subject: string, options?: CallOptions & { permanent?: boolean }): Promise<number[]>;
  /** Soft-deletes (or permanently deletes) one version; resolves the version. */
  deleteSubjectVersion(subject: string, version: number, options?: CallOptions & { permanent?: boolean }): Promise<number>;
  /** Subject config (or the global one when `subject` is undefined). */
  getConfig(subject?: string, options?: CallOptions & { defaultToGlobal?: boolean }): Promise<RegistryConfig>;
  /** Sets subject config (or the global one when `subject` is undefined). */
  setConfig(subject: string | undefined, config: RegistryConfigUpdate, options?: CallOptions): Promise<RegistryConfigUpdate>;
}

/** DEK Registry client with the admin operations of `/dek-registry/v1`. */
export interface DekRegistryAdminClient extends DekRegistryClient {
  /** KEK names (`deleted: true` includes soft-deleted ones). */
  listKeks(options?: CallOptions & { deleted?: boolean }): Promise<string[]>;
  /** Updates a KEK's `kmsProps`, `doc` or `shared` (kms type and key id are immutable). */
  updateKek(
    name: string,
    update: { kmsProps?: Record<string, string>; doc?: string; shared?: boolean },
    options?: CallOptions,
  ): Promise<Kek>;
  /** Soft-deletes a KEK (no live DEKs may remain), or permanently deletes a soft-deleted one. */
  deleteKek(name: string, options?: CallOptions & { permanent?: boolean }): Promise<void>;
  /** Undeletes a soft-deleted KEK. */
  undeleteKek(name: string, options?: CallOptions): Promise<void>;
  /** Subjects that have DEKs under a KEK. */
  listDekSubjects(kekName: string, options?: CallOptions & { deleted?: boolean }): Promise<string[]>;
  /** Versions of a DEK (default algorithm AES256_GCM). */
  listDekVersions(
    kekName: string,
    subject: string,
    options?: CallOptions & { algorithm?: DekAlgorithm; deleted?: boolean },
  ): Promise<number[]>;
  /** Soft-deletes one DEK version, or permanently deletes a soft-deleted one. */
  deleteDek(
    kekName: string,
    subject: string,
    version: number,
    options?: CallOptions & { algorithm?: DekAlgorithm; permanent?: boolean },
  ): Promise<void>;
  /** Undeletes one soft-deleted DEK version. */
  undeleteDek(kekName: string, subject: string, version: number, options?: CallOptions & { algorithm?: DekAlgorithm }): Promise<void>;
  /**
   * Replaces the wrapped key material of an existing DEK version (live or soft-deleted) after its
   * KEK was rotated in the KMS: `POST /dek-registry/v1/keks/{kek}/deks/{subject}?rewrap=true`.
   * The key itself does not change, so every record stays readable; the caller must have checked
   * that the new material unwraps to the same key (see `@csfle/cli`'s `dekRewrap`). 404/40470 when
   * the version does not exist.
   */
  rewrapDek(
    kekName: string,
    dek: { subject: string; version: number; algorithm: DekAlgorithm; encryptedKeyMaterial: string },
    options?: CallOptions,
  ): Promise<Dek>;
}
