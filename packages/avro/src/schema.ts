/**
 * Parsing registered Avro schemas into avsc types, once per schema.
 *
 * - Schema references (`references: [{ name, subject, version }]`) are fetched from the Schema
 *   Registry (`getByVersion`), depth first, and parsed into one shared avsc `registry` before
 *   the schema itself, so the schema can name the referenced types.
 * - Inline tags (`"confluent:tags": [...]` on a record field, compatibility facts §7 "Tag
 *   discovery") are not kept by avsc, so a `typeHook` reads them from the schema JSON while
 *   avsc parses it, keyed by the record's fully-qualified name as avsc computes it (the same
 *   name the field walk uses, so the two always agree). Referenced schemas contribute their
 *   tags too, as in Confluent's client.
 */
import avsc from 'avsc';
import { ErrorCodes, SerdeError, isCsfleError, type SchemaInfo, type SchemaReference, type SchemaRegistryClient } from '@csfle/core';

/** avsc's `Type`. */
export type AvroType = avsc.Type;

/** The avsc parse options a serde passes through (`registry` is managed by the serde). */
export type AvroTypeOptions = Omit<NonNullable<Parameters<typeof avsc.Type.forSchema>[1]>, 'registry'>;

/** Inline tags of one record: field name → tags. */
export type RecordTags = ReadonlyMap<string, readonly string[]>;

/** A parsed schema. */
export interface ParsedAvroSchema {
  /** The avsc type of the schema. */
  readonly type: AvroType;
  /** Inline `confluent:tags`, by record full name, then field name. */
  readonly inlineTags: ReadonlyMap<string, RecordTags>;
  /** Full name of the top-level record (for the record subject-name strategies), if the schema is one. */
  readonly recordName: string | undefined;
}

const TAGS_ATTR = 'confluent:tags';

/** avsc's name qualification: a dotted name is already full (a leading `.` is dropped). */
function qualify(name: string, namespace: string | undefined): string {
  if (name.includes('.')) return name.replace(/^\./, '');
  return namespace ? `${namespace}.${name}` : name;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The full name of the top-level record of a schema JSON value, read from the JSON (no avsc
 * parse, so it works before references are resolved). `undefined` when it is not a record.
 */
export function recordNameOf(schemaJson: unknown): string | undefined {
  if (!isPlainObject(schemaJson)) return undefined;
  const t = schemaJson['type'];
  const name = schemaJson['name'];
  if ((t !== 'record' && t !== 'error') || typeof name !== 'string') return undefined;
  const ns = schemaJson['namespace'];
  return qualify(name, typeof ns === 'string' ? ns : undefined);
}

/** Parses schema text to JSON; throws SCHEMA_ERROR on bad JSON. */
export function parseSchemaJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new SerdeError(ErrorCodes.SCHEMA_ERROR, `avro: ${what} expected schema JSON, got unparsable text`, { cause: e });
  }
}

/** One referenced schema, in parse order (its own references come first). */
interface Dependency {
  readonly name: string;
  readonly json: unknown;
}

/** Fetches the references of `info` depth first (references of references first), once per name. */
async function resolveReferences(
  info: SchemaInfo,
  registry: SchemaRegistryClient,
  seen: Set<string>,
  out: Dependency[],
  depth: number,
): Promise<void> {
  const refs: readonly SchemaReference[] = info.references ?? [];
  if (refs.length === 0) return;
  if (depth > 32) throw new SerdeError(ErrorCodes.SCHEMA_ERROR, 'avro: schema references expected depth <= 32, got deeper nesting');
  for (const ref of refs) {
    if (seen.has(ref.name)) continue;
    seen.add(ref.name);
    let dep: SchemaInfo;
    try {
      dep = await registry.getByVersion(ref.subject, ref.version);
    } catch (e) {
      if (isCsfleError(e)) throw e;
      throw new SerdeError(ErrorCodes.REGISTRY_ERROR, `avro: could not fetch schema reference ${ref.name} (${ref.subject} v${ref.version})`, { cause: e });
    }
    await resolveReferences(dep, registry, seen, out, depth + 1);
    out.push({ name: ref.name, json: parseSchemaJson(dep.schema, `reference ${ref.name}`) });
  }
}

/**
 * Parses `schemaJson` (and already-resolved dependencies) with avsc, collecting inline tags.
 * @throws {SerdeError} `SCHEMA_ERROR` if avsc rejects a schema.
 */
export function parseWithDependencies(
  schemaJson: unknown,
  deps: ReadonlyArray<{ readonly name: string; readonly json: unknown }>,
  avroOptions: AvroTypeOptions | undefined,
): ParsedAvroSchema {
  const inlineTags = new Map<string, Map<string, string[]>>();
  const userHook = avroOptions?.typeHook;
  const opts: NonNullable<Parameters<typeof avsc.Type.forSchema>[1]> = {
    ...avroOptions,
    registry: {},
    typeHook(schema, o) {
      if (isPlainObject(schema) && (schema['type'] === 'record' || schema['type'] === 'error') && typeof schema['name'] === 'string' && Array.isArray(schema['fields'])) {
        const nsAttr = schema['namespace'];
        const ns = nsAttr === undefined ? o.namespace : typeof nsAttr === 'string' ? nsAttr : undefined;
        const full = qualify(schema['name'], ns);
        const byField = new Map<string, string[]>();
        for (const field of schema['fields'] as unknown[]) {
          if (!isPlainObject(field) || typeof field['name'] !== 'string') continue;
          const tags = field[TAGS_ATTR];
          if (Array.isArray(tags)) byField.set(field['name'], tags.filter((t): t is string => typeof t === 'string'));
        }
        if (byField.size > 0) {
          const prev = inlineTags.get(full);
          if (prev) for (const [k, v] of byField) prev.set(k, v);
          else inlineTags.set(full, byField);
        }
      }
      return userHook ? userHook(schema, o) : undefined;
    },
  };
  let current = 'schema';
  try {
    for (const dep of deps) {
      current = `reference ${dep.name}`;
      avsc.Type.forSchema(dep.json as avsc.Schema, opts);
    }
    current = 'schema';
    const type = avsc.Type.forSchema(schemaJson as avsc.Schema, opts);
    return { type, inlineTags, recordName: type.typeName === 'record' || type.typeName === 'error' ? type.name : undefined };
  } catch (e) {
    if (isCsfleError(e)) throw e;
    throw new SerdeError(ErrorCodes.SCHEMA_ERROR, `avro: ${current} is not a valid Avro schema: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * Parses a registered schema, resolving its references through `registry`.
 * @throws {SerdeError} `SCHEMA_ERROR` for a non-Avro or invalid schema; registry errors pass through.
 */
export async function parseAvroSchema(info: SchemaInfo, registry: SchemaRegistryClient, avroOptions: AvroTypeOptions | undefined): Promise<ParsedAvroSchema> {
  if (info.schemaType !== undefined && info.schemaType !== 'AVRO') {
    throw new SerdeError(ErrorCodes.SCHEMA_ERROR, `avro: schemaType expected AVRO, got ${JSON.stringify(info.schemaType)}`);
  }
  const json = parseSchemaJson(info.schema, 'schema');
  const deps: Dependency[] = [];
  await resolveReferences(info, registry, new Set(), deps, 0);
  return parseWithDependencies(json, deps, avroOptions);
}
