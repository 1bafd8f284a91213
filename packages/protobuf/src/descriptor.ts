/**
 * `FileDescriptorProto` ⇄ `.proto` text, for registries and clients that exchange Protobuf
 * schemas in their "serialized" form (base64 of a `google.protobuf.FileDescriptorProto`):
 * Confluent's JS client registers schemas that way, and asks the registry for them that way
 * (`?format=serialized`); a Confluent Schema Registry converts between the two forms.
 *
 * - {@link fileDescriptorToProto} renders a descriptor as `.proto` text, which then goes through
 *   the one parsing path (messages, nested messages, fields with labels, maps from their map
 *   entries, oneofs, proto3 `optional`, enums, `packed`, proto2 defaults, and the
 *   `(confluent.field_meta)` option with its `doc` and `tags`).
 * - {@link fileDescriptorOf} builds the descriptor of one parsed file (the reverse).
 *
 * Services, extensions declared by the schema, reserved ranges and other options are not
 * carried over: they play no part in encoding a message or finding its tagged fields.
 * Groups and editions are not supported.
 */
import protobuf from 'protobufjs';
import descriptorNamespace from 'protobufjs/ext/descriptor/index.js';
import { CONFLUENT_META_PROTO } from './builtins.js';

const META_KEY = '.confluent.field_meta';

let fdpType: protobuf.Type | undefined;

/** `google.protobuf.FileDescriptorProto`, with `(confluent.field_meta)` known on FieldOptions. */
function fileDescriptorProtoType(): protobuf.Type {
  if (!fdpType) {
    const root = new protobuf.Root();
    root.addJSON({ google: { nested: { protobuf: (descriptorNamespace as unknown as protobuf.Namespace).toJSON() } } });
    protobuf.parse(CONFLUENT_META_PROTO, root, { keepCase: true });
    root.resolveAll();
    fdpType = root.lookupType('google.protobuf.FileDescriptorProto');
  }
  return fdpType;
}

/** True if a registered schema string is a base64 FileDescriptorProto rather than .proto text. */
export function isSerializedSchema(schema: string): boolean {
  const s = schema.trim();
  return s.length > 0 && s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);
}

// ---- descriptor → .proto text ----------------------------------------------------------------

interface MetaObj {
  doc?: string;
  tags?: string[];
}
interface FieldObj {
  name?: string;
  number?: number;
  label?: string;
  type?: string;
  typeName?: string;
  defaultValue?: string;
  oneofIndex?: number;
  proto3Optional?: boolean;
  options?: { packed?: boolean; [META_KEY]?: MetaObj };
}
interface EnumObj {
  name?: string;
  value?: Array<{ name?: string; number?: number }>;
  options?: { allowAlias?: boolean };
}
interface MessageObj {
  name?: string;
  field?: FieldObj[];
  nestedType?: MessageObj[];
  enumType?: EnumObj[];
  oneofDecl?: Array<{ name?: string }>;
  options?: { mapEntry?: boolean };
}
interface FileObj {
  name?: string;
  package?: string;
  dependency?: string[];
  publicDependency?: number[];
  weakDependency?: number[];
  messageType?: MessageObj[];
  enumType?: EnumObj[];
  syntax?: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED = /^\.?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function ident(s: string | undefined, what: string): string {
  if (s === undefined || !IDENT.test(s)) throw new Error(`${what} expected an identifier, got ${JSON.stringify(s ?? null)}`);
  return s;
}
function dotted(s: string | undefined, what: string): string {
  if (s === undefined || !DOTTED.test(s)) throw new Error(`${what} expected a (dotted) type name, got ${JSON.stringify(s ?? null)}`);
  return s;
}
function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\0/g, '\\0')}"`;
}

const SCALARS: Readonly<Record<string, string>> = {
  TYPE_DOUBLE: 'double',
  TYPE_FLOAT: 'float',
  TYPE_INT64: 'int64',
  TYPE_UINT64: 'uint64',
  TYPE_INT32: 'int32',
  TYPE_FIXED64: 'fixed64',
  TYPE_FIXED32: 'fixed32',
  TYPE_BOOL: 'bool',
  TYPE_STRING: 'string',
  TYPE_BYTES: 'bytes',
  TYPE_UINT32: 'uint32',
  TYPE_SFIXED32: 'sfixed32',
  TYPE_SFIXED64: 'sfixed64',
  TYPE_SINT32: 'sint32',
  TYPE_SINT64: 'sint64',
};

function typeOf(f: FieldObj, where: string): string {
  if (f.type === 'TYPE_MESSAGE' || f.type === 'TYPE_ENUM') return dotted(f.typeName, `${where} type_name`);
  if (f.type === 'TYPE_GROUP') throw new Error(`${where}: groups are not supported`);
  const s = f.type === undefined ? undefined : SCALARS[f.type];
  if (!s) throw new Error(`${where} expected a field type, got ${JSON.stringify(f.type ?? null)}`);
  return s;
}

function defaultLiteral(f: FieldObj): string {
  const v = f.defaultValue as string;
  switch (f.type) {
    case 'TYPE_STRING':
      return quote(v);
    case 'TYPE_BYTES':
      // Stored C-escaped already.
      return `"${v.replace(/"/g, '\\"')}"`;
    case 'TYPE_ENUM':
      return ident(v, 'default enum value');
    case 'TYPE_BOOL':
      return v === 'true' ? 'true' : 'false';
    default:
      if (!/^-?(inf|nan|[0-9][0-9a-fA-FxX.eE+-]*)$/.test(v)) throw new Error(`default value of ${f.name ?? '?'} is not a number`);
      return v;
  }
}

function optionsOf(f: FieldObj, proto3: boolean): string {
  const opts: string[] = [];
  if (f.options?.packed !== undefined) opts.push(`packed = ${f.options.packed ? 'true' : 'false'}`);
  if (!proto3 && f.defaultValue !== undefined) opts.push(`default = ${defaultLiteral(f)}`);
  const meta = f.options?.[META_KEY];
  if (meta) {
    const parts: string[] = [];
    if (meta.doc) parts.push(`doc: ${quote(meta.doc)}`);
    if (meta.tags && meta.tags.length > 0) parts.push(`tags: [${meta.tags.map(quote).join(', ')}]`);
    if (parts.length > 0) opts.push(`(confluent.field_meta) = { ${parts.join(', ')} }`);
  }
  return opts.length > 0 ? ` [${opts.join(', ')}]` : '';
}

function renderEnum(e: EnumObj, indent: string, out: string[]): void {
  out.push(`${indent}enum ${ident(e.name, 'enum name')} {`);
  if (e.options?.allowAlias) out.push(`${indent}  option allow_alias = true;`);
  for (const v of e.value ?? []) out.push(`${indent}  ${ident(v.name, 'enum value name')} = ${v.number ?? 0};`);
  out.push(`${indent}}`);
}

function renderMessage(m: MessageObj, proto3: boolean, indent: string, out: string[]): void {
  const name = ident(m.name, 'message name');
  const entries = new Map<string, MessageObj>();
  for (const n of m.nestedType ?? []) if (n.options?.mapEntry && n.name) entries.set(n.name, n);
  const entryOf = (f: FieldObj): MessageObj | undefined => {
    if (f.type !== 'TYPE_MESSAGE' || f.label !== 'LABEL_REPEATED' || !f.typeName) return undefined;
    const last = f.typeName.slice(f.typeName.lastIndexOf('.') + 1);
    const e = entries.get(last);
    return e && (f.typeName === last || f.typeName.endsWith(`${name}.${last}`)) ? e : undefined;
  };
  const line = (f: FieldObj, inOneof: boolean): string => {
    const where = `${name}.${f.name ?? '?'}`;
    const fname = ident(f.name, 'field name');
    const num = f.number ?? 0;
    const entry = entryOf(f);
    if (entry) {
      const key = entry.field?.find((x) => x.number === 1);
      const value = entry.field?.find((x) => x.number === 2);
      if (!key || !value) throw new Error(`${where}: map entry without key/value`);
      return `map<${typeOf(key, `${where} key`)}, ${typeOf(value, `${where} value`)}> ${fname} = ${num}${optionsOf(f, proto3)};`;
    }
    let label = '';
    if (f.label === 'LABEL_REPEATED') label = 'repeated ';
    else if (f.label === 'LABEL_REQUIRED') label = 'required ';
    else if (!inOneof && (!proto3 || f.proto3Optional)) label = 'optional ';
    return `${label}${typeOf(f, where)} ${fname} = ${num}${optionsOf(f, proto3)};`;
  };
  out.push(`${indent}message ${name} {`);
  const inner = `${indent}  `;
  const decls = m.oneofDecl ?? [];
  const emitted = new Set<number>();
  const fields = m.field ?? [];
  for (const f of fields) {
    const oi = f.oneofIndex;
    if (oi === undefined || f.proto3Optional) {
      out.push(inner + line(f, false));
      continue;
    }
    if (emitted.has(oi)) continue;
    emitted.add(oi);
    out.push(`${inner}oneof ${ident(decls[oi]?.name, 'oneof name')} {`);
    for (const g of fields) if (g.oneofIndex === oi && !g.proto3Optional) out.push(`${inner}  ${line(g, true)}`);
    out.push(`${inner}}`);
  }
  for (const n of m.nestedType ?? []) if (!n.options?.mapEntry) renderMessage(n, proto3, inner, out);
  for (const e of m.enumType ?? []) renderEnum(e, inner, out);
  out.push(`${indent}}`);
}

/**
 * Renders a serialized `FileDescriptorProto` as `.proto` text.
 * @throws {Error} when the bytes are not a descriptor this module can render.
 */
export function fileDescriptorToProto(bytes: Uint8Array): string {
  const T = fileDescriptorProtoType();
  let file: FileObj;
  try {
    file = T.toObject(T.decode(bytes), { enums: String, longs: Number, defaults: false }) as FileObj;
  } catch {
    throw new Error('bytes are not a FileDescriptorProto');
  }
  const syntax = file.syntax ?? '';
  if (syntax !== '' && syntax !== 'proto2' && syntax !== 'proto3') throw new Error(`syntax ${JSON.stringify(syntax)} is not supported`);
  if ((file.messageType ?? []).length === 0 && (file.enumType ?? []).length === 0 && file.name === undefined) {
    throw new Error('descriptor declares no file name, message or enum');
  }
  const proto3 = syntax === 'proto3';
  const out: string[] = [`syntax = "${proto3 ? 'proto3' : 'proto2'}";`];
  if (file.package) out.push(`package ${dotted(file.package, 'package')};`);
  const pub = new Set(file.publicDependency ?? []);
  const weak = new Set(file.weakDependency ?? []);
  (file.dependency ?? []).forEach((d, i) => out.push(`import ${pub.has(i) ? 'public ' : weak.has(i) ? 'weak ' : ''}${quote(d)};`));
  for (const m of file.messageType ?? []) renderMessage(m, proto3, '', out);
  for (const e of file.enumType ?? []) renderEnum(e, '', out);
  return `${out.join('\n')}\n`;
}

// ---- parsed file → descriptor ----------------------------------------------------------------

/** What is known about a parsed file besides its types. */
export interface FileFacts {
  /** The descriptor's `name` (its import path). */
  readonly name: string;
  readonly package: string;
  readonly imports: readonly string[];
  readonly syntax: 'proto2' | 'proto3';
}

const SCALAR_TYPES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SCALARS).map(([k, v]) => [v, k]));

function upperCamel(name: string): string {
  let out = '';
  let cap = true;
  for (const c of name) {
    if (c === '_') cap = true;
    else {
      out += cap ? c.toUpperCase() : c;
      cap = false;
    }
  }
  return out;
}
function jsonName(name: string): string {
  let out = '';
  let cap = false;
  for (const c of name) {
    if (c === '_') cap = true;
    else {
      out += cap ? c.toUpperCase() : c;
      cap = false;
    }
  }
  return out;
}

function scalarOrRef(typeName: string, resolved: protobuf.Type | protobuf.Enum | null): { type: string; typeName?: string } {
  if (resolved instanceof protobuf.Type) return { type: 'TYPE_MESSAGE', typeName: resolved.fullName };
  if (resolved instanceof protobuf.Enum) return { type: 'TYPE_ENUM', typeName: resolved.fullName };
  const t = SCALAR_TYPES[typeName];
  if (!t) throw new Error(`unknown field type ${typeName}`);
  return { type: t };
}

type Tagged = (field: protobuf.Field) => { doc?: string; tags: readonly string[] };

function describeEnum(e: protobuf.Enum): Record<string, unknown> {
  const values = Object.entries(e.values).map(([name, number]) => ({ name, number }));
  const aliased = new Set(values.map((v) => v.number)).size !== values.length;
  return { name: e.name, value: values, ...(aliased ? { options: { allowAlias: true } } : {}) };
}

function describeMessage(t: protobuf.Type, facts: FileFacts, meta: Tagged): Record<string, unknown> {
  const real = t.oneofsArray.filter((o) => !o.fieldsArray.every((f) => (f.options as Record<string, unknown> | undefined)?.['proto3_optional'] === true));
  const synthetic = t.oneofsArray.filter((o) => !real.includes(o));
  const oneofs = [...real, ...synthetic];
  const nestedType: Record<string, unknown>[] = [];
  for (const n of t.nestedArray) if (n instanceof protobuf.Type) nestedType.push(describeMessage(n, facts, meta));
  const field = t.fieldsArray.map((f) => {
    f.resolve();
    const opts = (f.options ?? {}) as Record<string, unknown>;
    const m = meta(f);
    const options: Record<string, unknown> = {};
    if (typeof opts['packed'] === 'boolean') options['packed'] = opts['packed'];
    if (m.tags.length > 0 || m.doc) options[META_KEY] = { ...(m.doc ? { doc: m.doc } : {}), tags: [...m.tags] };
    const base: Record<string, unknown> = { name: f.name, number: f.id, jsonName: jsonName(f.name) };
    if (f instanceof protobuf.MapField) {
      const entryName = `${upperCamel(f.name)}Entry`;
      const key = scalarOrRef(f.keyType, null);
      const value = scalarOrRef(f.type, f.resolvedType);
      nestedType.push({
        name: entryName,
        field: [
          { name: 'key', number: 1, label: 'LABEL_OPTIONAL', jsonName: 'key', ...key },
          { name: 'value', number: 2, label: 'LABEL_OPTIONAL', jsonName: 'value', ...value },
        ],
        options: { mapEntry: true },
      });
      return { ...base, label: 'LABEL_REPEATED', type: 'TYPE_MESSAGE', typeName: `${t.fullName}.${entryName}`, ...(Object.keys(options).length ? { options } : {}) };
    }
    const label = f.repeated ? 'LABEL_REPEATED' : f.required ? 'LABEL_REQUIRED' : 'LABEL_OPTIONAL';
    const out: Record<string, unknown> = { ...base, label, ...scalarOrRef(f.type, f.resolvedType) };
    if (f.partOf) out['oneofIndex'] = oneofs.indexOf(f.partOf);
    if (opts['proto3_optional'] === true) out['proto3Optional'] = true;
    if (facts.syntax === 'proto2' && opts['default'] !== undefined) out['defaultValue'] = String(opts['default']);
    if (Object.keys(options).length) out['options'] = options;
    return out;
  });
  const enumType = t.nestedArray.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum).map(describeEnum);
  return { name: t.name, field, nestedType, enumType, oneofDecl: oneofs.map((o) => ({ name: o.name })) };
}

/**
 * The serialized `FileDescriptorProto` of the types `root` holds for file `file` (a keepCase
 * root, as parsed by this package).
 */
export function fileDescriptorOf(root: protobuf.Root, file: string, facts: FileFacts, meta: Tagged): Uint8Array {
  const messageType: Record<string, unknown>[] = [];
  const enumType: Record<string, unknown>[] = [];
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const n of ns.nestedArray) {
      if (n instanceof protobuf.Type) {
        if (n.filename === file) messageType.push(describeMessage(n, facts, meta));
      } else if (n instanceof protobuf.Enum) {
        if (n.filename === file) enumType.push(describeEnum(n));
      } else if (n instanceof protobuf.Namespace) {
        visit(n);
      }
    }
  };
  visit(root);
  const T = fileDescriptorProtoType();
  const obj = {
    name: facts.name,
    ...(facts.package ? { package: facts.package } : {}),
    dependency: [...facts.imports],
    messageType,
    enumType,
    ...(facts.syntax === 'proto3' ? { syntax: 'proto3' } : {}),
  };
  return T.encode(T.fromObject(obj)).finish();
}
