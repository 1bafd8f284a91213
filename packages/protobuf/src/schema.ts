/**
 * Parsing registered Protobuf schemas into protobufjs types, once per schema.
 *
 * - A registered schema is `.proto` text (what Confluent's Schema Registry stores and returns by
 *   default) or, as Confluent's JS client registers it and as the registry returns it for
 *   `?format=serialized`, a base64 `FileDescriptorProto`; both are accepted (the latter is turned
 *   into `.proto` text first, see `descriptor.ts`).
 * - Imports are schema references (`references: [{ name: <import path>, subject, version }]`),
 *   fetched from the Schema Registry depth first; `confluent/meta.proto`,
 *   `confluent/type/decimal.proto` and the well-known `google/protobuf/*.proto` files are built in
 *   (and win over references of the same name, as in Confluent's clients).
 * - Inline tags: the field option `(confluent.field_meta).tags` (compatibility facts §7), in any
 *   of its spellings (`(confluent.field_meta).tags = "PII"`, repeated, or the aggregate
 *   `(confluent.field_meta) = { tags: ["PII"] }`, with or without a leading dot).
 * - Message types of the schema's own file, with their Confluent message indexes: the position
 *   among the file's top-level messages, then among each parent's nested messages, in declaration
 *   order (map entries are not messages here, as in Confluent's JS and Java clients).
 *
 * Field names follow protobufjs: lowerCamelCase by default (`keepCase: false`), or as written in
 * the .proto file (`keepCase: true`). Field full names for tags always use the .proto names
 * (`<package>.<Message>.<field_name>`), as in Confluent's clients.
 */
import protobuf from 'protobufjs';
import { ErrorCodes, SerdeError, isCsfleError, type SchemaInfo, type SchemaReference, type SchemaRegistryClient } from '@csfle/core';
import { builtinImport } from './builtins.js';
import { fileDescriptorOf, fileDescriptorToProto, isSerializedSchema } from './descriptor.js';

/** protobufjs parse options the serde passes through. */
export interface ProtobufParseOptions {
  /**
   * Keep field names as written in the .proto file (`first_name`) instead of protobufjs'
   * lowerCamelCase (`firstName`). Applies to the plain objects written and read. [false]
   */
  readonly keepCase?: boolean;
}

/** One message type of the schema's own file. */
export interface ProtoMessage {
  readonly type: protobuf.Type;
  /** Full name without the leading dot, e.g. `shop.Order.Line`. */
  readonly fullName: string;
  /** Confluent message indexes (path of positions from the file's top-level messages). */
  readonly indexes: readonly number[];
  /** Nested message types, in declaration order. */
  readonly nested: readonly ProtoMessage[];
}

/** What the walk needs to know about a field beyond protobufjs' reflection. */
export interface FieldMeta {
  /** The field's name in the .proto file. */
  readonly protoName: string;
  /** Inline `(confluent.field_meta).tags`. */
  readonly tags: readonly string[];
}

/** A parsed schema. */
export interface ParsedProtoSchema {
  /** All types (the schema's own and its imports), field names per `keepCase`. */
  readonly root: protobuf.Root;
  /** The schema file's top-level message types, in declaration order. */
  readonly topLevel: readonly ProtoMessage[];
  /** Every message type of the schema file (top-level and nested), by full name (no leading dot). */
  readonly byName: ReadonlyMap<string, ProtoMessage>;
  /** The file's package ('' when none). */
  readonly packageName: string;
  /** Full name of the first message, for the record subject-name strategies. */
  readonly recordName: string | undefined;
  /** Proto name and inline tags of a field of `root`. */
  fieldMeta(field: protobuf.Field): FieldMeta;
}

/** The file name the registered schema itself is parsed under (never an import path). */
export const MAIN_FILE = '<schema>';

const META_OPTION = /^\(\.?confluent\.field_meta\)$/;
const META_TAGS_OPTION = /^\(\.?confluent\.field_meta\)\.tags$/;

function schemaError(message: string, cause?: unknown): SerdeError {
  return new SerdeError(ErrorCodes.SCHEMA_ERROR, message, cause === undefined ? {} : { cause });
}

/** The .proto text of a schema string (converting a base64 FileDescriptorProto). */
export function protoTextOf(schema: string, what: string): string {
  if (isSerializedSchema(schema)) {
    try {
      return fileDescriptorToProto(Buffer.from(schema.trim(), 'base64'));
    } catch (e) {
      throw schemaError(`protobuf: ${what} is neither .proto text nor a serialized FileDescriptorProto: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }
  return schema;
}

/** Fetches the references of `info` depth first (references of references first), once per name. */
async function resolveReferences(
  info: SchemaInfo,
  registry: SchemaRegistryClient,
  out: Map<string, string>,
  depth: number,
): Promise<void> {
  const refs: readonly SchemaReference[] = info.references ?? [];
  if (refs.length === 0) return;
  if (depth > 32) throw schemaError('protobuf: schema references expected depth <= 32, got deeper nesting');
  for (const ref of refs) {
    if (out.has(ref.name) || builtinImport(ref.name)) continue;
    let dep: SchemaInfo;
    try {
      dep = await registry.getByVersion(ref.subject, ref.version);
    } catch (e) {
      if (isCsfleError(e)) throw e;
      throw new SerdeError(ErrorCodes.REGISTRY_ERROR, `protobuf: could not fetch schema reference ${ref.name} (${ref.subject} v${ref.version})`, { cause: e });
    }
    out.set(ref.name, protoTextOf(dep.schema, `reference ${ref.name}`));
    await resolveReferences(dep, registry, out, depth + 1);
  }
}

/** Parses one file into `root`, returning its package and imports. */
function parseFile(root: protobuf.Root, name: string, text: string, keepCase: boolean): { pkg: string; imports: string[] } {
  const p = protobuf.parse as typeof protobuf.parse & { filename: string | null };
  p.filename = name;
  try {
    const r = protobuf.parse(text, root, { keepCase });
    return { pkg: r.package ?? '', imports: [...(r.imports ?? []), ...(r.weakImports ?? [])] };
  } catch (e) {
    // protobufjs syntax errors name a token and a line of the schema, never a value of a message.
    throw schemaError(`protobuf: ${name === MAIN_FILE ? 'schema' : `import ${name}`} is not valid .proto text: ${e instanceof Error ? e.message : String(e)}`, e);
  } finally {
    p.filename = null;
  }
}

/** Parses the schema and every file it imports (transitively) into one root. */
function buildRoot(main: string, deps: ReadonlyMap<string, string>, keepCase: boolean): { root: protobuf.Root; pkg: string; imports: string[] } {
  const root = new protobuf.Root();
  const loaded = new Set<string>();
  let pkg = '';
  let imports: string[] = [];
  const load = (name: string, text: string): void => {
    const parsed = parseFile(root, name, text, keepCase);
    if (name === MAIN_FILE) {
      pkg = parsed.pkg;
      imports = parsed.imports;
    }
    for (const imp of parsed.imports) {
      if (loaded.has(imp)) continue;
      loaded.add(imp);
      const builtin = builtinImport(imp);
      if (builtin && 'json' in builtin) {
        root.addJSON(builtin.json.nested ?? {});
      } else if (builtin) {
        load(imp, builtin.text);
      } else {
        const dep = deps.get(imp);
        if (dep === undefined) throw schemaError(`protobuf: import "${imp}" is neither a schema reference nor a built-in import`);
        load(imp, dep);
      }
    }
  };
  load(MAIN_FILE, main);
  try {
    root.resolveAll();
  } catch (e) {
    if (isCsfleError(e)) throw e;
    throw schemaError(`protobuf: schema does not resolve: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  return { root, pkg, imports };
}

/** The tags of `(confluent.field_meta)` on a field of a keepCase root. */
function inlineTagsOf(field: protobuf.Field): string[] {
  const tags: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string') tags.push(v);
    else if (Array.isArray(v)) for (const t of v) if (typeof t === 'string') tags.push(t);
  };
  const parsed = (field as { parsedOptions?: unknown }).parsedOptions;
  if (Array.isArray(parsed)) {
    for (const entry of parsed as unknown[]) {
      if (entry === null || typeof entry !== 'object') continue;
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (META_OPTION.test(k) && v !== null && typeof v === 'object') add((v as Record<string, unknown>)['tags']);
      }
    }
  } else if (field.options) {
    for (const [k, v] of Object.entries(field.options as Record<string, unknown>)) if (META_TAGS_OPTION.test(k)) add(v);
  }
  return [...new Set(tags)];
}

/** Message types declared in `file`, top-level first, in declaration order. */
function fileMessages(root: protobuf.Root, file: string): ProtoMessage[] {
  const nestedOf = (t: protobuf.Type, indexes: readonly number[]): ProtoMessage[] => {
    const out: ProtoMessage[] = [];
    for (const n of t.nestedArray) {
      if (!(n instanceof protobuf.Type)) continue;
      const idx = [...indexes, out.length];
      out.push({ type: n, fullName: n.fullName.slice(1), indexes: idx, nested: nestedOf(n, idx) });
    }
    return out;
  };
  const top: ProtoMessage[] = [];
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const n of ns.nestedArray) {
      if (n instanceof protobuf.Type) {
        if (n.filename === file) {
          const idx = [top.length];
          top.push({ type: n, fullName: n.fullName.slice(1), indexes: idx, nested: nestedOf(n, idx) });
        }
      } else if (n instanceof protobuf.Namespace) {
        visit(n);
      }
    }
  };
  visit(root);
  return top;
}

/**
 * Parses `.proto` text (or a base64 FileDescriptorProto) whose imports are given as texts by
 * import path (built-in imports need not be given).
 *
 * @param schema - the schema text.
 * @param imports - import path → .proto text. [none]
 * @param options - parse options. [camelCase field names]
 * @returns the parsed schema: protobufjs root, message types with their indexes, tags.
 * @throws {SerdeError} `SCHEMA_ERROR` for invalid text, unresolvable imports or types.
 * @example
 * ```ts
 * const { root } = parseProtoText(proto);
 * const Customer = root.lookupType('shop.Customer');
 * ```
 */
export function parseProtoText(schema: string, imports: Readonly<Record<string, string>> = {}, options: ProtobufParseOptions = {}): ParsedProtoSchema {
  const deps = new Map(Object.entries(imports).map(([k, v]) => [k, protoTextOf(v, `import ${k}`)] as const));
  return parseWithImports(protoTextOf(schema, 'schema'), deps, options);
}

/**
 * Parses `.proto` text plus already-fetched imports.
 * @throws {SerdeError} `SCHEMA_ERROR` for invalid text, unresolvable imports or types.
 */
export function parseWithImports(main: string, deps: ReadonlyMap<string, string>, options: ProtobufParseOptions = {}): ParsedProtoSchema {
  const keepCase = options.keepCase === true;
  const { root, pkg: packageName } = buildRoot(main, deps, keepCase);
  // Field names as written in the file, for full names and option lookup.
  const protoRoot = keepCase ? root : buildRoot(main, deps, true).root;
  const metaCache = new Map<protobuf.Field, FieldMeta>();
  function fieldMeta(field: protobuf.Field): FieldMeta {
    let m = metaCache.get(field);
    if (!m) {
      const parent = field.parent as protobuf.Type | null;
      const twin = parent ? (protoRoot.lookupType(parent.fullName).fieldsById[field.id] ?? field) : field;
      m = { protoName: twin.name, tags: inlineTagsOf(twin) };
      metaCache.set(field, m);
    }
    return m;
  }
  const topLevel = fileMessages(root, MAIN_FILE);
  const byName = new Map<string, ProtoMessage>();
  const index = (ms: readonly ProtoMessage[]): void => {
    for (const m of ms) {
      byName.set(m.fullName, m);
      index(m.nested);
    }
  };
  index(topLevel);
  return { root, topLevel, byName, packageName, recordName: topLevel[0]?.fullName, fieldMeta };
}

/**
 * Parses a registered schema, resolving its references through `registry`.
 * @throws {SerdeError} `SCHEMA_ERROR` for a non-Protobuf or invalid schema; registry errors pass through.
 */
export async function parseProtobufSchema(info: SchemaInfo, registry: SchemaRegistryClient, options: ProtobufParseOptions = {}): Promise<ParsedProtoSchema> {
  if (info.schemaType !== 'PROTOBUF') {
    throw schemaError(`protobuf: schemaType expected PROTOBUF, got ${JSON.stringify(info.schemaType ?? 'AVRO')}`);
  }
  const main = protoTextOf(info.schema, 'schema');
  const deps = new Map<string, string>();
  await resolveReferences(info, registry, deps, 0);
  return parseWithImports(main, deps, options);
}

/**
 * The full name of the first message of `.proto` text and its imports, read without resolving
 * them (for the record subject-name strategies and eager checks).
 * @throws {SerdeError} `SCHEMA_ERROR` for text protobufjs cannot parse.
 */
export function scanSchema(text: string): { recordName: string | undefined; imports: readonly string[] } {
  const root = new protobuf.Root();
  const { imports } = parseFile(root, MAIN_FILE, text, true);
  return { recordName: fileMessages(root, MAIN_FILE)[0]?.fullName, imports };
}

/** Finds a message of the schema file by full name (leading dot optional) or name relative to the package. */
export function findMessage(parsed: ParsedProtoSchema, name: string): ProtoMessage | undefined {
  const n = name.startsWith('.') ? name.slice(1) : name;
  return parsed.byName.get(n) ?? (parsed.packageName ? parsed.byName.get(`${parsed.packageName}.${n}`) : undefined);
}

/**
 * The serialized `FileDescriptorProto` of `.proto` text: the form Confluent's JS client
 * registers schemas in and asks registries for (`?format=serialized`). Imports resolve from
 * `imports` (import path → .proto text) or the built-ins. Field options other than `packed`,
 * proto2 defaults and `(confluent.field_meta)` doc/tags are not carried over; nor are services
 * or extensions declared in the file.
 *
 * @param schema - the .proto text.
 * @param imports - texts of the files it imports, by import path. [none]
 * @param name - the descriptor's file name. [`schema.proto`]
 * @returns the descriptor bytes (base64 them for a registry).
 * @throws {SerdeError} `SCHEMA_ERROR` for text that does not parse or resolve.
 * @example
 * ```ts
 * const serialized = Buffer.from(toFileDescriptorProto(protoText)).toString('base64');
 * ```
 */
export function toFileDescriptorProto(schema: string, imports: Readonly<Record<string, string>> = {}, name = 'schema.proto'): Uint8Array {
  const deps = new Map(Object.entries(imports).map(([k, v]) => [k, protoTextOf(v, `import ${k}`)] as const));
  const text = protoTextOf(schema, 'schema');
  const { root, pkg, imports: fileImports } = buildRoot(text, deps, true);
  const syntax = /^\s*syntax\s*=\s*["']proto3["']/m.test(text) ? 'proto3' : 'proto2';
  try {
    return fileDescriptorOf(root, MAIN_FILE, { name, package: pkg, imports: fileImports, syntax }, (f) => ({ tags: inlineTagsOf(f) }));
  } catch (e) {
    throw schemaError(`protobuf: schema has no FileDescriptorProto form: ${e instanceof Error ? e.message : String(e)}`, e);
  }
}
