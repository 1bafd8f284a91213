/**
 * The data-contract model of the Confluent Schema Registry, as the SDK sees it
 * (schema text + type, references, metadata with tags and properties, and a rule set).
 * Field names and JSON shapes follow the registry's REST API exactly.
 */

export type RuleKind = 'TRANSFORM' | 'CONDITION';
export type RuleMode = 'UPGRADE' | 'DOWNGRADE' | 'UPDOWN' | 'WRITE' | 'READ' | 'WRITEREAD';

export interface Rule {
  name: string;
  doc?: string;
  kind?: RuleKind | string;
  mode?: RuleMode | string;
  /** `ENCRYPT` (field level, domain rules) or `ENCRYPT_PAYLOAD` (encoding rules). */
  type: string;
  tags?: string[];
  params?: Record<string, string>;
  expr?: string;
  onSuccess?: string;
  onFailure?: string;
  disabled?: boolean;
}

export interface RuleSet {
  migrationRules?: Rule[];
  domainRules?: Rule[];
  encodingRules?: Rule[];
  /** If present, must be `ALL` or `CLIENT`, or every rule in the set is disabled. */
  enableAt?: string;
}

export interface Metadata {
  /** External tags: wildcard field path → tag names. */
  tags?: Record<string, string[]>;
  properties?: Record<string, string>;
  sensitive?: string[];
}

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

/** A schema as registered (what `POST /subjects/{s}/versions` takes). */
export interface SchemaInfo {
  schema: string;
  /** Absent means AVRO. */
  schemaType?: SchemaType | string;
  references?: SchemaReference[];
  metadata?: Metadata;
  ruleSet?: RuleSet;
}

/** A registered schema with its identity. */
export interface RegisteredSchema extends SchemaInfo {
  id: number;
  subject?: string;
  version?: number;
  guid?: string;
}

/** A KEK as stored in the DEK registry. */
export interface Kek {
  name: string;
  kmsType: string;
  kmsKeyId: string;
  kmsProps?: Record<string, string>;
  doc?: string;
  shared: boolean;
  ts?: number;
  deleted?: boolean;
}

export type DekAlgorithm = 'AES128_GCM' | 'AES256_GCM' | 'AES256_SIV';

/** A DEK as stored in the DEK registry. */
export interface Dek {
  kekName: string;
  subject: string;
  version: number;
  algorithm: DekAlgorithm;
  /** Standard base64 of the KMS-wrapped DEK proto. */
  encryptedKeyMaterial?: string;
  /** Standard base64 of the raw DEK proto (returned only for shared KEKs). */
  keyMaterial?: string;
  ts?: number;
  deleted?: boolean;
}

/** Options common to registry calls. */
export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * The slice of the Schema Registry API the serdes use. Implemented over HTTP and in memory
 * by `@csfle/registry`; users may implement it for their own tests.
 */
export interface SchemaRegistryClient {
  /** Register (or find) a schema under a subject; returns its id. */
  register(subject: string, schema: SchemaInfo, options?: CallOptions & { normalize?: boolean }): Promise<number>;
  /** Look up the registered schema equal to `schema` under `subject` (id, version). */
  lookup(subject: string, schema: SchemaInfo, options?: CallOptions & { normalize?: boolean; deleted?: boolean }): Promise<RegisteredSchema>;
  /** Schema by global id. `subject` is a hint some registries use for contexts. */
  getById(id: number, options?: CallOptions & { subject?: string }): Promise<RegisteredSchema>;
  /** Schema by subject and version (`-1`/latest allowed via getLatest). */
  getByVersion(subject: string, version: number, options?: CallOptions & { deleted?: boolean }): Promise<RegisteredSchema>;
  /** Latest version of a subject. */
  getLatest(subject: string, options?: CallOptions): Promise<RegisteredSchema>;
  /** Latest version whose metadata properties include all of `metadata`. */
  getLatestWithMetadata(subject: string, metadata: Record<string, string>, options?: CallOptions & { deleted?: boolean }): Promise<RegisteredSchema>;
  /** All subjects. */
  getSubjects(options?: CallOptions): Promise<string[]>;
  /** All versions of a subject. */
  getVersions(subject: string, options?: CallOptions): Promise<number[]>;
}

/** The DEK registry API (`/dek-registry/v1`) as used by the DEK manager. */
export interface DekRegistryClient {
  /** GET a KEK; resolves `undefined` on 404. */
  getKek(name: string, options?: CallOptions & { deleted?: boolean }): Promise<Kek | undefined>;
  /** POST a KEK. Rejects with a RegistryError (status 409) if it exists. */
  createKek(kek: Omit<Kek, 'ts' | 'deleted'>, options?: CallOptions): Promise<Kek>;
  /** GET a DEK version (`-1` = latest); resolves `undefined` on 404. */
  getDek(kekName: string, subject: string, version: number, algorithm: DekAlgorithm, options?: CallOptions & { deleted?: boolean }): Promise<Dek | undefined>;
  /** POST a DEK (with `encryptedKeyMaterial`, or without it for a shared KEK). */
  createDek(kekName: string, dek: { subject: string; version: number; algorithm: DekAlgorithm; encryptedKeyMaterial?: string }, options?: CallOptions): Promise<Dek>;
}
