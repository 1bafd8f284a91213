/**
 * A migration path for users of `@kafkajs/confluent-schema-registry`: the same `register` /
 * `encode(registryId, payload)` / `decode(buffer)` shape, on csfle serdes, so encryption rules in
 * the registry apply. Migrating is a change of import and constructor; the calls stay.
 *
 * What differs from that package (it has no encryption and drops `metadata`/`ruleSet`):
 * - encryption needs the subject of a schema id (DEKs are per subject). `register`,
 *   `getLatestSchemaId`, `getRegistryId` and `getRegistryIdBySchema` remember it; for other ids
 *   the subjects are searched once (cached), or pass `subjects: { [id]: subject }`.
 * - serdes are injected (`formats`), so only the formats you use are installed.
 * - `decode(buffer, { topic })` is accepted and ignored unless a subject-name strategy needs it.
 */
import {
  CsfleError,
  ErrorCodes,
  unframe,
  type Deserializer,
  type SchemaInfo,
  type SchemaReference,
  type SchemaRegistryClient,
  type SerdeOptions,
  type Serializer,
} from '@csfle/core';

/** Schema types as `@kafkajs/confluent-schema-registry` names them. */
export const SchemaType = { AVRO: 'AVRO', JSON: 'JSON', PROTOBUF: 'PROTOBUF' } as const;
export type SchemaTypeName = (typeof SchemaType)[keyof typeof SchemaType];

/** A serde factory: `createAvroSerde`, `createJsonSchemaSerde`, `createProtobufSerde` all fit. */
export type SerdeFactory = (options: SerdeOptions) => Serializer & Deserializer;

/** A schema as passed to `register`: `{ type, schema, references }` or a raw Avro schema object. */
export type CompatSchema =
  | { readonly type: SchemaTypeName | string; readonly schema: string; readonly references?: readonly SchemaReference[] }
  | Record<string, unknown>;

export interface CompatRegistryOptions {
  /** Our registry client (`createSchemaRegistryClient` from `@csfle/registry`). */
  readonly registry: SchemaRegistryClient;
  /** Serde factories by schema type. */
  readonly formats: Partial<Record<SchemaTypeName, SerdeFactory>>;
  /** Options for every serde: `deks`, `kms`, `ruleConfig`, a shared `ruleEngine`, … */
  readonly serdeOptions?: Omit<SerdeOptions, 'registry' | 'useSchemaId' | 'subjectNameStrategy' | 'isKey'>;
  /** Known subjects of schema ids (skips the search for ids registered elsewhere). */
  readonly subjects?: Readonly<Record<number, string>>;
}

export interface CompatSchemaRegistry {
  register(schema: CompatSchema, options?: { subject?: string }): Promise<{ id: number }>;
  getLatestSchemaId(subject: string): Promise<number>;
  getRegistryId(subject: string, version: number | string): Promise<number>;
  getRegistryIdBySchema(subject: string, schema: CompatSchema): Promise<number>;
  /** The registered schema text and type (with csfle's `metadata`/`ruleSet`). */
  getSchema(registryId: number): Promise<SchemaInfo>;
  encode(registryId: number, payload: unknown): Promise<Buffer>;
  decode(buffer: Buffer, options?: { topic?: string }): Promise<unknown>;
}

function toSchemaInfo(schema: CompatSchema): SchemaInfo {
  if (typeof (schema as { schema?: unknown }).schema === 'string' && typeof (schema as { type?: unknown }).type === 'string') {
    const s = schema as { type: string; schema: string; references?: readonly SchemaReference[] };
    return {
      schema: s.schema,
      ...(s.type === 'AVRO' ? {} : { schemaType: s.type }),
      ...(s.references ? { references: [...s.references] } : {}),
    };
  }
  return { schema: JSON.stringify(schema) }; // a raw Avro schema object
}

function avroFullName(schema: CompatSchema): string | undefined {
  const s = schema as { name?: unknown; namespace?: unknown };
  if (typeof s.name !== 'string') return undefined;
  return s.name.includes('.') || typeof s.namespace !== 'string' ? s.name : `${s.namespace}.${s.name}`;
}

/**
 * Creates the compat registry.
 * @example
 * // before: const registry = new SchemaRegistry({ host })
 * const registry = createCompatSchemaRegistry({
 *   registry: createSchemaRegistryClient({ url: host }),
 *   formats: { AVRO: createAvroSerde },
 *   serdeOptions: { deks: createDekRegistryClient({ url: host }), kms: [createLocalKms({ secret })] },
 * });
 * const value = await registry.encode(id, customer); // encrypted per the subject's rules
 */
export function createCompatSchemaRegistry(options: CompatRegistryOptions): CompatSchemaRegistry {
  const { registry, formats } = options;
  if (!registry || typeof registry.getById !== 'function') throw new TypeError('csfle/kafkajs compat: "registry" expected a SchemaRegistryClient');
  const subjectOf = new Map<number, string>(Object.entries(options.subjects ?? {}).map(([k, v]) => [Number(k), v]));
  const serdes = new Map<number, Promise<Serializer & Deserializer>>();
  let search: Promise<void> | undefined;

  async function findSubject(id: number): Promise<string> {
    const known = subjectOf.get(id);
    if (known !== undefined) return known;
    // One walk over the registry at a time, shared by concurrent callers; a caller that joined a
    // walk already under way walks again if its id was not found (it may be newer than that walk).
    const walk = () =>
      (async () => {
        for (const subject of await registry.getSubjects()) {
          for (const version of await registry.getVersions(subject)) {
            const s = await registry.getByVersion(subject, version);
            if (!subjectOf.has(s.id)) subjectOf.set(s.id, subject);
          }
        }
      })().finally(() => {
        search = undefined;
      });
    const joined = search !== undefined;
    await (search ??= walk());
    if (joined && !subjectOf.has(id)) await (search ??= walk());
    const found = subjectOf.get(id);
    if (found === undefined) {
      throw new CsfleError(ErrorCodes.REGISTRY_NOT_FOUND, `csfle/kafkajs compat: no subject has schema id ${id}; pass subjects: { ${id}: '<subject>' }`);
    }
    return found;
  }

  function serdeFor(id: number): Promise<Serializer & Deserializer> {
    let p = serdes.get(id);
    if (!p) {
      p = (async () => {
        const [subject, schema] = await Promise.all([findSubject(id), registry.getById(id)]);
        const type = (schema.schemaType ?? 'AVRO') as SchemaTypeName;
        const factory = formats[type];
        if (!factory) {
          throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `csfle/kafkajs compat: schema ${id} is ${type}; add formats.${type} (e.g. the create…Serde of its @csfle package)`);
        }
        return factory({ ...(options.serdeOptions ?? {}), registry, useSchemaId: id, subjectNameStrategy: () => subject });
      })();
      p.catch(() => serdes.delete(id));
      serdes.set(id, p);
    }
    return p;
  }

  return {
    async register(schema, opts = {}) {
      const subject = opts.subject ?? avroFullName(schema);
      if (!subject) throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, 'csfle/kafkajs compat: register needs { subject } for this schema');
      const id = await registry.register(subject, toSchemaInfo(schema));
      subjectOf.set(id, subject);
      return { id };
    },
    async getLatestSchemaId(subject) {
      const s = await registry.getLatest(subject);
      subjectOf.set(s.id, subject);
      return s.id;
    },
    async getRegistryId(subject, version) {
      const s = version === 'latest' || version === -1 ? await registry.getLatest(subject) : await registry.getByVersion(subject, Number(version));
      subjectOf.set(s.id, subject);
      return s.id;
    },
    async getRegistryIdBySchema(subject, schema) {
      const s = await registry.lookup(subject, toSchemaInfo(schema));
      subjectOf.set(s.id, subject);
      return s.id;
    },
    getSchema: (id) => registry.getById(id),
    async encode(id, payload) {
      return (await serdeFor(id)).serialize('', payload);
    },
    async decode(buffer, opts = {}) {
      const { ref } = unframe(buffer);
      if (ref.id === undefined) throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, 'csfle/kafkajs compat: decode expected a schema id prefix, got a GUID');
      return (await serdeFor(ref.id)).deserialize(opts.topic ?? '', buffer);
    },
  };
}
