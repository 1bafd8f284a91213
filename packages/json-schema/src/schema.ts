/**
 * Parsing registered JSON Schemas, once per schema id: the schema text, its references to other
 * subjects (fetched from the Schema Registry, depth first, as in Confluent's client), an index of
 * every subschema (its document, JSON pointer and base URI), and every `$ref` resolved up front, so
 * that a broken reference is a `SCHEMA_ERROR` when the schema is first used and the field walk
 * never resolves anything per record.
 *
 * `$ref` resolution follows JSON Schema (RFC 3986 against the base URI in effect, `$id`
 * resources, JSON-pointer fragments, `$anchor` / draft-07 `"$id": "#name"` anchors), plus the
 * rule Confluent's client uses for schema references: a reference named `other.json` is found
 * under its registered name even when the base URI would resolve it elsewhere.
 */
import { ErrorCodes, SerdeError, isCsfleError, type SchemaInfo, type SchemaReference, type SchemaRegistryClient } from '@csfle/core';

/**
 * The validation dialect: `draft-2020-12` when `$schema` names 2020-12 (ajv's `Ajv2020`), else
 * `draft-07`, which covers drafts 6, 7 and 2019-09 and schemas without `$schema` (ajv's
 * `Ajv2019` with the draft-06/07 meta-schemas, as Confluent's client does).
 */
export type JsonSchemaDialect = 'draft-07' | 'draft-2020-12';

/** One schema document: the registered schema itself or a referenced one. */
export interface JsonSchemaDocument {
  /** The key it is known by: {@link ROOT_DOCUMENT} for the schema itself, else the reference name. */
  readonly name: string;
  readonly json: unknown;
}

/** A registered JSON Schema made ready for validation and field walks. */
export interface ParsedJsonSchema {
  /** The root schema (an object or a boolean). */
  readonly root: unknown;
  readonly dialect: JsonSchemaDialect;
  /** The schema first, then its references (references of references before their users). */
  readonly documents: readonly JsonSchemaDocument[];
  /** The root's `title`, used as the record name by the record subject-name strategies (as Confluent). */
  readonly recordName: string | undefined;
  /** Every inline `confluent:tags` value found in any document. */
  readonly inlineTags: ReadonlySet<string>;
  /** The subschema a node's `$ref` (or `$dynamicRef` / `$recursiveRef`) points to; `undefined` if it has none. */
  refOf(node: object): unknown;
  /** True if `node` has a reference keyword (its target is then {@link refOf}). */
  hasRef(node: object): boolean;
  /** The ajv address of a subschema (`<document>#<json pointer>`), or undefined for synthetic nodes. */
  addressOf(node: object): string | undefined;
  /**
   * Absolute URIs that `$ref`s resolve to but that name a reference only by its registered name
   * (e.g. `address.json` from a schema whose `$id` is `https://example.com/order.json`): ajv must
   * know the referenced document under these URIs too.
   */
  readonly aliases: ReadonlyArray<{ readonly uri: string; readonly name: string }>;
}

/** The key of the registered schema itself in ajv (a relative URI, so relative `$ref`s resolve to reference names). */
export const ROOT_DOCUMENT = '__csfle_root__.json';

/** Base for documents without an absolute `$id`; never dereferenced. */
const LOCAL_BASE = 'https://csfle.invalid/';

/** Keywords whose values are data, not subschemas (never indexed). */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'confluent:tags']);
const REF_KEYWORDS = ['$ref', '$dynamicRef', '$recursiveRef'] as const;
export const TAGS_KEYWORD = 'confluent:tags';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses schema text; throws SCHEMA_ERROR on bad JSON. */
export function parseSchemaJson(text: string, what: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (e) {
    throw new SerdeError(ErrorCodes.SCHEMA_ERROR, `json-schema: ${what} expected JSON Schema text, got unparsable text`, { cause: e });
  }
  if (!isObject(json) && typeof json !== 'boolean') {
    throw new SerdeError(ErrorCodes.SCHEMA_ERROR, `json-schema: ${what} expected a JSON object or boolean, got ${Array.isArray(json) ? 'array' : json === null ? 'null' : typeof json}`);
  }
  return json;
}

/** The dialect named by a root schema's `$schema` (2020-12 or the draft-07/2019-09 family). */
export function dialectOf(root: unknown): JsonSchemaDialect {
  const s = isObject(root) ? root['$schema'] : undefined;
  return typeof s === 'string' && /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/.test(s) ? 'draft-2020-12' : 'draft-07';
}

/** The root's `title` (Confluent's record name for JSON Schema). */
export function titleOf(root: unknown): string | undefined {
  const t = isObject(root) ? root['title'] : undefined;
  return typeof t === 'string' && t !== '' ? t : undefined;
}

/** Fetches the references of `info` depth first (references of references first), once per name. */
async function resolveReferences(
  info: SchemaInfo,
  registry: SchemaRegistryClient,
  seen: Set<string>,
  out: JsonSchemaDocument[],
  depth: number,
): Promise<void> {
  const refs: readonly SchemaReference[] = info.references ?? [];
  if (refs.length === 0) return;
  if (depth > 32) throw new SerdeError(ErrorCodes.SCHEMA_ERROR, 'json-schema: schema references expected depth <= 32, got deeper nesting');
  for (const ref of refs) {
    if (seen.has(ref.name)) continue;
    seen.add(ref.name);
    let dep: SchemaInfo;
    try {
      dep = await registry.getByVersion(ref.subject, ref.version);
    } catch (e) {
      if (isCsfleError(e)) throw e;
      throw new SerdeError(ErrorCodes.REGISTRY_ERROR, `json-schema: could not fetch schema reference ${ref.name} (${ref.subject} v${ref.version})`, { cause: e });
    }
    await resolveReferences(dep, registry, seen, out, depth + 1);
    out.push({ name: ref.name, json: parseSchemaJson(dep.schema, `reference ${ref.name}`) });
  }
}

/** `~` and `/` escaping of one JSON-pointer segment, then URI-fragment encoding (for ajv `$ref`s). */
function pointerSegment(key: string): string {
  return encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'));
}

function stripFragment(href: string): { base: string; fragment: string } {
  const i = href.indexOf('#');
  return i < 0 ? { base: href, fragment: '' } : { base: href.slice(0, i), fragment: href.slice(i + 1) };
}

interface Location {
  readonly address: string;
  readonly base: string;
}

/**
 * Indexes documents and resolves every reference in them.
 * @throws {SerdeError} `SCHEMA_ERROR` for a reference that cannot be resolved.
 */
export function indexDocuments(documents: readonly JsonSchemaDocument[]): ParsedJsonSchema {
  const root = documents[0]?.json;
  const locations = new WeakMap<object, Location>();
  const resources = new Map<string, unknown>();
  const anchors = new Map<string, unknown>();
  const byName = new Map<string, unknown>();
  const inlineTags = new Set<string>();
  const pending: Array<{ node: Record<string, unknown>; ref: string; base: string; keyword: string }> = [];

  const visit = (node: unknown, docName: string, pointer: string, base: string): void => {
    if (Array.isArray(node)) {
      node.forEach((x, i) => visit(x, docName, `${pointer}/${i}`, base));
      return;
    }
    if (!isObject(node)) return;
    let here = base;
    const id = node['$id'];
    if (typeof id === 'string') {
      let url: string | undefined;
      try {
        url = new URL(id, base).href;
      } catch {
        url = undefined;
      }
      if (url !== undefined) {
        const { base: b, fragment } = stripFragment(url);
        if (fragment !== '' && id.startsWith('#')) {
          anchors.set(`${b}#${fragment}`, node); // draft-06/07 plain-name fragment
        } else {
          here = b;
          if (!resources.has(b)) resources.set(b, node);
        }
      }
    }
    for (const kw of ['$anchor', '$dynamicAnchor']) {
      const a = node[kw];
      if (typeof a === 'string' && !anchors.has(`${here}#${a}`)) anchors.set(`${here}#${a}`, node);
    }
    locations.set(node, { address: `${docName}#${pointer}`, base: here });
    for (const keyword of REF_KEYWORDS) {
      const r = node[keyword];
      if (typeof r === 'string') {
        pending.push({ node, ref: r, base: here, keyword });
        break;
      }
    }
    const tags = node[TAGS_KEYWORD];
    if (Array.isArray(tags)) for (const t of tags) if (typeof t === 'string') inlineTags.add(t);
    for (const [k, v] of Object.entries(node)) {
      if (DATA_KEYWORDS.has(k) || v === null || typeof v !== 'object') continue;
      visit(v, docName, `${pointer}/${pointerSegment(k)}`, here);
    }
  };

  for (const doc of documents) {
    const base = new URL(doc.name, LOCAL_BASE).href;
    byName.set(doc.name, doc.json);
    if (!resources.has(base)) resources.set(base, doc.json);
    if (typeof doc.json === 'boolean') continue;
    visit(doc.json, doc.name, '', stripFragment(base).base);
  }

  const aliases = new Map<string, string>();
  const refs = new WeakMap<object, unknown>();
  for (const { node, ref, base, keyword } of pending) {
    const target = resolve(ref, base);
    if (target === undefined) {
      throw new SerdeError(ErrorCodes.SCHEMA_ERROR, `json-schema: ${keyword} ${JSON.stringify(ref)} cannot be resolved (not in the schema or its references)`);
    }
    refs.set(node, target);
  }

  function resolve(ref: string, base: string): unknown {
    let href: string;
    try {
      href = new URL(ref, base).href;
    } catch {
      return undefined;
    }
    const { base: resUri, fragment } = stripFragment(href);
    let resource = resources.get(resUri);
    let resourceUri = resUri;
    if (resource === undefined) {
      // Confluent's rule: a schema reference is found by its registered name.
      const raw = stripFragment(ref).base;
      resource = raw === '' ? undefined : byName.get(raw);
      if (resource !== undefined) {
        resourceUri = new URL(raw, LOCAL_BASE).href;
        if (!resUri.startsWith(LOCAL_BASE)) aliases.set(resUri, raw);
      }
    }
    if (resource === undefined) return undefined;
    let frag: string;
    try {
      frag = decodeURIComponent(fragment);
    } catch {
      return undefined;
    }
    if (frag === '') return resource;
    if (frag.startsWith('/')) {
      let cur: unknown = resource;
      for (const raw of frag.slice(1).split('/')) {
        const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
        if (Array.isArray(cur)) cur = /^\d+$/.test(seg) ? cur[Number(seg)] : undefined;
        else if (isObject(cur)) cur = Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
        else cur = undefined;
        if (cur === undefined) return undefined;
      }
      return isObject(cur) || typeof cur === 'boolean' ? cur : undefined;
    }
    const loc = isObject(resource) ? locations.get(resource) : undefined;
    return anchors.get(`${resourceUri}#${frag}`) ?? (loc ? anchors.get(`${loc.base}#${frag}`) : undefined);
  }

  return {
    root,
    dialect: dialectOf(root),
    documents,
    recordName: titleOf(root),
    inlineTags,
    refOf: (node) => refs.get(node),
    hasRef: (node) => refs.has(node),
    addressOf: (node) => locations.get(node)?.address,
    aliases: [...aliases].map(([uri, name]) => ({ uri, name })),
  };
}

/**
 * Parses a registered schema, resolving its references through `registry`.
 * @throws {SerdeError} `SCHEMA_ERROR` for a non-JSON or invalid schema; registry errors pass through.
 */
export async function parseJsonSchema(info: SchemaInfo, registry: SchemaRegistryClient): Promise<ParsedJsonSchema> {
  if (info.schemaType !== 'JSON') {
    throw new SerdeError(ErrorCodes.SCHEMA_ERROR, `json-schema: schemaType expected JSON, got ${JSON.stringify(info.schemaType ?? 'AVRO')}`);
  }
  const root = parseSchemaJson(info.schema, 'schema');
  const deps: JsonSchemaDocument[] = [];
  await resolveReferences(info, registry, new Set([ROOT_DOCUMENT]), deps, 0);
  return indexDocuments([{ name: ROOT_DOCUMENT, json: root }, ...deps]);
}
