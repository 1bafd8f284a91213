/**
 * The field walk of an Avro schema: turns an avsc type tree into a core {@link Transformer}
 * that visits only the paths leading to fields matched by a rule, once per (schema, rule).
 *
 * Semantics follow Confluent's Avro field transform (compatibility facts §3.4, §7):
 * - a field's context is the innermost record field: `fullName = <record full name>.<field>`,
 *   tags = inline `confluent:tags` + external `metadata.tags` (wildcards);
 * - arrays, maps and unions under a field keep that field's context; the leaf type is the
 *   type of the value itself (so `array<string>` elements are STRING leaves of the field);
 * - unions pick the branch of the runtime value: unwrapped unions by avsc's value bucket
 *   (null, string, number, boolean, buffer, array, object: at most one branch per bucket),
 *   wrapped unions by the single `{ "<branch name>": value }` key, re-wrapped on output;
 * - named types are shared avsc objects, so each record's plan is built once and reused;
 *   recursive records are tied with `plan.lazy()`.
 *
 * Before building, a fixed-point pass finds the records that (transitively) contain a matched
 * field, so sub-trees without one are never walked at run time.
 */
import { fieldTags, plan, type FieldInfo, type FieldPredicate, type FieldType, type Transformer } from '@csfle/core';
import type { AvroType, RecordTags } from './schema.js';

/** The parts of avsc's type classes the walk reads. */
interface AvroField {
  readonly name: string;
  readonly type: AvroType;
}
interface AvroNode {
  readonly typeName: string;
  readonly name: string | undefined;
  readonly branchName: string | undefined;
  readonly fields?: readonly AvroField[];
  readonly itemsType?: AvroType;
  readonly valuesType?: AvroType;
  readonly types?: readonly AvroType[];
  readonly underlyingType?: AvroType;
}

const node = (t: AvroType): AvroNode => t as unknown as AvroNode;

type Kind = 'record' | 'array' | 'map' | 'unwrapped' | 'wrapped' | 'logical' | 'leaf';

function kindOf(t: AvroType): Kind {
  const n = t.typeName;
  switch (n) {
    case 'record':
    case 'error':
      return 'record';
    case 'array':
      return 'array';
    case 'map':
      return 'map';
    case 'union:unwrapped':
      return 'unwrapped';
    case 'union:wrapped':
      return 'wrapped';
    default:
      return n.startsWith('logical:') ? 'logical' : 'leaf';
  }
}

/** The FieldType of an avsc type, with the names Confluent uses. */
export function fieldTypeOf(t: AvroType): FieldType {
  switch (t.typeName) {
    case 'record':
    case 'error':
      return 'RECORD';
    case 'enum':
      return 'ENUM';
    case 'array':
      return 'ARRAY';
    case 'map':
      return 'MAP';
    case 'union:unwrapped':
    case 'union:wrapped':
      return 'COMBINED';
    case 'fixed':
      return 'FIXED';
    case 'string':
      return 'STRING';
    case 'bytes':
      return 'BYTES';
    case 'int':
      return 'INT';
    case 'long':
    case 'abstract:long':
      return 'LONG';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return 'NULL';
  }
}

/** avsc's bucket of a branch type in an unwrapped union (`getTypeBucket`). */
function typeBucket(t: AvroType): string {
  switch (t.typeName) {
    case 'double':
    case 'float':
    case 'int':
    case 'long':
      return 'number';
    case 'bytes':
    case 'fixed':
      return 'buffer';
    case 'enum':
      return 'string';
    case 'map':
    case 'error':
    case 'record':
      return 'object';
    default:
      return t.typeName;
  }
}

/** avsc's bucket of a value (`getValueBucket`). */
function valueBucket(v: unknown): string {
  if (v === null) return 'null';
  const b = typeof v;
  if (b === 'object') {
    if (Array.isArray(v)) return 'array';
    if (Buffer.isBuffer(v)) return 'buffer';
  }
  return b;
}

/** Branches avsc resolves by running the value through them (logical and abstract types). */
function isDynamicBranch(t: AvroType): boolean {
  const n = t.typeName;
  return n.startsWith('logical:') || n.startsWith('abstract:');
}

/** A record field as a context for the leaves below it. */
class FieldContext {
  readonly #infos = new Map<FieldType, FieldInfo>();
  constructor(
    readonly fullName: string,
    readonly name: string,
    readonly tags: ReadonlySet<string>,
  ) {}
  /** The field's info with the type of one leaf below it (one object per type). */
  info(type: FieldType): FieldInfo {
    let i = this.#infos.get(type);
    if (!i) {
      i = Object.freeze({ fullName: this.fullName, name: this.name, type, tags: this.tags });
      this.#infos.set(type, i);
    }
    return i;
  }
}

/** What the walk needs to know about a schema besides its type. */
export interface WalkSchema {
  readonly type: AvroType;
  readonly inlineTags: ReadonlyMap<string, RecordTags>;
  /** External tags (`metadata.tags`): wildcard path → tags. */
  readonly externalTags: Readonly<Record<string, readonly string[]>> | undefined;
}

/**
 * Builds the copy-on-write transformer of `schema` for the leaves matching `match`, or
 * `undefined` when no field matches (the engine then skips the rule's walk entirely).
 */
export function buildAvroTransformer(schema: WalkSchema, match: FieldPredicate): Transformer | undefined {
  const contexts = new Map<AvroField, FieldContext>();
  function contextOf(record: AvroType, field: AvroField): FieldContext {
    let c = contexts.get(field);
    if (!c) {
      const rname = record.name;
      const fullName = rname ? `${rname}.${field.name}` : field.name;
      const inline = rname ? schema.inlineTags.get(rname)?.get(field.name) : undefined;
      c = new FieldContext(fullName, field.name, fieldTags(fullName, inline, schema.externalTags));
      contexts.set(field, c);
    }
    return c;
  }

  /** The leaf type of `t` if it is (or wraps, for logical types) a leaf, else undefined. */
  function leafType(t: AvroType): FieldType | undefined {
    const k = kindOf(t);
    if (k === 'leaf') return fieldTypeOf(t);
    if (k === 'logical') {
      const u = node(t).underlyingType;
      return u && kindOf(u) === 'leaf' ? fieldTypeOf(u) : undefined;
    }
    return undefined;
  }

  function leafMatches(t: AvroType, ctx: FieldContext | undefined): FieldInfo | undefined {
    if (!ctx) return undefined;
    const ft = leafType(t);
    // A `null` leaf is always null: nothing to transform.
    if (ft === undefined || ft === 'NULL') return undefined;
    const info = ctx.info(ft);
    return match(info) ? info : undefined;
  }

  // ---- 1. Which records contain a matched field (least fixed point over the type graph). ----
  const parents = new Map<AvroType, Set<AvroType>>();
  const seen = new Set<AvroType>();
  const queue: AvroType[] = [];
  const containing = new Set<AvroType>();
  const pending: AvroType[] = [];

  /** Scans below a field without entering records; true if a leaf matches. */
  function scan(t: AvroType, ctx: FieldContext | undefined, onRecord: (r: AvroType) => void): boolean {
    switch (kindOf(t)) {
      case 'record':
        onRecord(t);
        return false;
      case 'array':
        return scan(node(t).itemsType as AvroType, ctx, onRecord);
      case 'map':
        return scan(node(t).valuesType as AvroType, ctx, onRecord);
      case 'unwrapped':
      case 'wrapped': {
        let any = false;
        for (const b of node(t).types ?? []) any = scan(b, ctx, onRecord) || any;
        return any;
      }
      default:
        return leafMatches(t, ctx) !== undefined;
    }
  }
  const enqueue = (r: AvroType): void => {
    if (!seen.has(r)) {
      seen.add(r);
      queue.push(r);
    }
  };
  scan(schema.type, undefined, enqueue);
  while (queue.length > 0) {
    const r = queue.pop() as AvroType;
    let direct = false;
    for (const f of node(r).fields ?? []) {
      const hit = scan(f.type, contextOf(r, f), (child) => {
        let ps = parents.get(child);
        if (!ps) {
          ps = new Set();
          parents.set(child, ps);
        }
        ps.add(r);
        enqueue(child);
      });
      direct = hit || direct;
    }
    if (direct && !containing.has(r)) {
      containing.add(r);
      pending.push(r);
    }
  }
  while (pending.length > 0) {
    const r = pending.pop() as AvroType;
    for (const p of parents.get(r) ?? []) {
      if (!containing.has(p)) {
        containing.add(p);
        pending.push(p);
      }
    }
  }

  // ---- 2. Build the plan. ----
  const built = new Map<AvroType, Transformer | undefined>();

  function buildRecord(r: AvroType): Transformer | undefined {
    if (!containing.has(r)) return undefined;
    if (built.has(r)) return built.get(r);
    const slot = plan.lazy();
    built.set(r, slot.t); // a recursive reference inside goes through the slot
    const entries: Array<readonly [string, Transformer]> = [];
    for (const f of node(r).fields ?? []) {
      const t = build(f.type, contextOf(r, f));
      if (t) entries.push([f.name, t]);
    }
    const out = entries.length > 0 ? plan.record(entries, false) : undefined;
    slot.set(out);
    built.set(r, out);
    return out;
  }

  function buildUnwrapped(t: AvroType, ctx: FieldContext | undefined): Transformer | undefined {
    const byBucket = new Map<string, Transformer>();
    const dynamic: Array<{ type: AvroType; t: Transformer | undefined }> = [];
    for (const b of node(t).types ?? []) {
      const bt = build(b, ctx);
      if (isDynamicBranch(b)) dynamic.push({ type: b, t: bt });
      else if (bt) byBucket.set(typeBucket(b), bt);
    }
    if (byBucket.size === 0 && dynamic.every((d) => d.t === undefined)) return undefined;
    if (dynamic.length === 0) {
      if (byBucket.size === 1) {
        const [[bucket, only]] = [...byBucket] as [[string, Transformer]];
        return plan.select((v) => (valueBucket(v) === bucket ? only : undefined));
      }
      return plan.select((v) => byBucket.get(valueBucket(v)));
    }
    return plan.select((v) => {
      for (const d of dynamic) if (d.type.isValid(v)) return d.t;
      return byBucket.get(valueBucket(v));
    });
  }

  function buildWrapped(t: AvroType, ctx: FieldContext | undefined): Transformer | undefined {
    const byName = new Map<string, Transformer>();
    for (const b of node(t).types ?? []) {
      const bt = build(b, ctx);
      const name = node(b).branchName;
      if (bt && name !== undefined) byName.set(name, rewrap(name, bt));
    }
    if (byName.size === 0) return undefined;
    return plan.select((v) => {
      if (typeof v !== 'object' || v === null) return undefined;
      const keys = Object.keys(v);
      return keys.length === 1 ? byName.get(keys[0] as string) : undefined;
    });
  }

  function build(t: AvroType, ctx: FieldContext | undefined): Transformer | undefined {
    switch (kindOf(t)) {
      case 'record':
        return buildRecord(t);
      case 'array': {
        const item = build(node(t).itemsType as AvroType, ctx);
        return item ? plan.array(item, false) : undefined;
      }
      case 'map': {
        const value = build(node(t).valuesType as AvroType, ctx);
        return value ? plan.map(value, false) : undefined;
      }
      case 'unwrapped':
        return buildUnwrapped(t, ctx);
      case 'wrapped':
        return buildWrapped(t, ctx);
      default: {
        const info = leafMatches(t, ctx);
        return info ? plan.leaf(info) : undefined;
      }
    }
  }

  return build(schema.type, undefined);
}

/** A wrapped-union branch `{ name: value }`: transforms the value and re-wraps it (copy on write). */
function rewrap(name: string, t: Transformer): Transformer {
  return (v, visit) => {
    const cur = (v as Record<string, unknown>)[name];
    const next = t(cur, visit);
    return next === cur ? v : { [name]: next };
  };
}
