/**
 * The field walk of a JSON Schema: turns a (parsed, reference-resolved) schema into a core
 * {@link Transformer} that visits only the paths leading to fields matched by a rule, once per
 * (schema, rule). Built on core's plan combinators, like the Avro and Protobuf walks.
 *
 * Semantics follow Confluent's JSON field transform (`@confluentinc/schemaregistry` 1.10.1,
 * compatibility facts §3.4, §7), so both clients encrypt the same values the same number of times:
 * - a field is a property: `fullName = <parent field full name, or $>.<property>` (`$.a.b`);
 *   arrays, `$ref`s and combinators below a property keep that property's context; a top-level
 *   value is not a field;
 * - tags = inline `confluent:tags` of the property's schema (and of the schemas its `$ref` chain
 *   leads to, which Confluent's dereferencer merges into it) + external `metadata.tags`; tags
 *   inside combinator branches or `items` are not field tags;
 * - the leaf type is Confluent's `getType` of the schema after `$ref` merging (`string` → STRING,
 *   `integer` → INT, `number` → DOUBLE, `boolean` → BOOLEAN, typed `enum`/`const` → ENUM); only
 *   STRING carries ciphertext, other matched leaves fail on write (`type INT not supported for
 *   encryption`) and are passed through on read, as in Confluent;
 * - type arrays (`["string","null"]`) pick the first listed type the value has;
 * - combinators: one kind decides the leaves of the value itself, as in Confluent (`allOf`, else
 *   `oneOf`, else `anyOf`): `allOf` walks every subschema, `oneOf` the first one the value
 *   validates against, `anyOf` every one the current value validates against (ajv), so two
 *   valid `anyOf` branches encrypt twice, as Confluent does; `properties` / `items` next to them too.
 *
 * Where Confluent's walk leaves a tagged value in plaintext, this walk does not (documented in
 * docs/json-schema.md, "Differences from Confluent"): `prefixItems` / tuple `items`,
 * `additionalProperties` / `patternProperties` values, `if`/`then`/`else`, `dependentSchemas` /
 * `dependencies`, the combinator kinds Confluent ignores and a `$ref` next to combinators or
 * properties (for nested fields), a scalar `type` whose combinators reach no leaf (the node itself
 * is then the leaf); and a tagged property whose schema has nothing to walk (no type, an object
 * without properties, an array without items) is refused on write rather than written in
 * plaintext.
 *
 * Recursive schemas (`$ref` cycles) are tied with `plan.lazy()` when the field context does not
 * change, and built one level at a time on first use when it does (`$.node.child.child...`), so
 * full names stay exact at every depth (up to {@link MAX_FIELD_DEPTH}).
 */
import { ErrorCodes, SerdeError, fieldTags, plan, type FieldInfo, type FieldPredicate, type FieldType, type LeafVisitor, type Transformer } from '@csfle/core';
import { TAGS_KEYWORD, isObject } from './schema.js';

/** What the walk needs to know about a schema. */
export interface WalkSchema {
  /** The root schema (object or boolean). */
  readonly root: unknown;
  /** External tags (`metadata.tags`): wildcard path → tags. */
  readonly externalTags: Readonly<Record<string, readonly string[]>> | undefined;
  /** Every inline tag anywhere in the schema and its references (for a quick "nothing matches"). */
  readonly inlineTags: ReadonlySet<string>;
  /** The target of a node's `$ref` (undefined if none). */
  refOf(node: object): unknown;
  hasRef(node: object): boolean;
  /** A validator for a subschema (picks `anyOf` / `oneOf` branches, `if`). */
  branch(node: unknown): (value: unknown) => boolean;
}

/** Deepest field nesting a recursive schema is walked to (bounds memory and stack). */
export const MAX_FIELD_DEPTH = 256;

/** Field paths built lazily (recursive schemas) before the walk's caches start over. */
const MAX_LAZY_FIELDS = 10_000;

const LEAF_TYPES: ReadonlySet<FieldType> = new Set<FieldType>(['STRING', 'INT', 'DOUBLE', 'BOOLEAN', 'ENUM']);
const PROBE_TYPES: readonly FieldType[] = ['STRING', 'INT', 'DOUBLE', 'BOOLEAN', 'ENUM', 'NULL', 'MAP', 'ARRAY', 'COMBINED'];

/** The FieldType of one schema node, as Confluent's `getType` computes it. */
export function fieldTypeOf(schema: unknown): FieldType {
  if (!isObject(schema)) return 'NULL';
  return typeFrom(schema['type'], schema['enum'] != null || schema['const'] != null, hasKeys(schema['properties']));
}

function typeFrom(type: unknown, enumish: boolean, hasProperties: boolean): FieldType {
  if (type === undefined || type === null) return hasProperties ? 'RECORD' : 'NULL';
  if (Array.isArray(type)) return 'COMBINED';
  if (enumish) return 'ENUM';
  switch (type) {
    case 'object':
      return hasProperties ? 'RECORD' : 'MAP';
    case 'array':
      return 'ARRAY';
    case 'string':
      return 'STRING';
    case 'integer':
      return 'INT';
    case 'number':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return 'NULL';
  }
}

function hasKeys(v: unknown): boolean {
  return isObject(v) && Object.keys(v).length > 0;
}

function nonEmptyArray(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.length > 0;
}

/** True if `v` has the JSON type `t` (integers are numbers too). */
function hasJsonType(v: unknown, t: unknown): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
    case 'number':
      return typeof v === 'number' || typeof v === 'bigint';
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      return false;
  }
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** A property as the context of the values below it. */
class FieldContext {
  readonly #infos = new Map<FieldType, FieldInfo>();
  constructor(
    readonly fullName: string,
    readonly name: string,
    readonly tags: ReadonlySet<string>,
    readonly depth: number,
  ) {}
  info(type: FieldType): FieldInfo {
    let i = this.#infos.get(type);
    if (!i) {
      i = Object.freeze({ fullName: this.fullName, name: this.name, type, tags: this.tags });
      this.#infos.set(type, i);
    }
    return i;
  }
}

/** Applicator keywords: a schema with any of them has walkable content. */
function hasApplicators(n: Record<string, unknown>): boolean {
  return (
    hasKeys(n['properties']) ||
    isObject(n['additionalProperties']) ||
    hasKeys(n['patternProperties']) ||
    n['items'] !== undefined ||
    n['prefixItems'] !== undefined ||
    nonEmptyArray(n['allOf']) ||
    nonEmptyArray(n['anyOf']) ||
    nonEmptyArray(n['oneOf']) ||
    n['if'] !== undefined ||
    hasKeys(n['dependentSchemas']) ||
    hasKeys(n['dependencies'])
  );
}

type Slot = { readonly t: Transformer; set(target: Transformer | undefined): void };
type Entry = { done: true; t: Transformer | undefined } | { done: false; slot: Slot };

/**
 * Builds the copy-on-write transformer of `schema` for the leaves matching `match`, or
 * `undefined` when no field can match (the engine then skips the rule's walk entirely).
 * @throws {SerdeError} `SCHEMA_ERROR` when a branch validator cannot be compiled.
 */
export function buildJsonTransformer(schema: WalkSchema, match: FieldPredicate): Transformer | undefined {
  // Fast path: if no tag anywhere (inline or external) can satisfy the rule, nothing matches.
  const universe = new Set(schema.inlineTags);
  for (const list of Object.values(schema.externalTags ?? {})) for (const t of list) universe.add(t);
  if (!PROBE_TYPES.some((type) => match({ fullName: '$', name: '', type, tags: universe }))) return undefined;

  // ---- Nodes: type-array variants and `$ref` chains -------------------------------------
  const origin = new WeakMap<object, object>();
  const variants = new WeakMap<object, Map<string, Record<string, unknown>>>();
  const NO_TYPE = '\u0000none';
  function variant(node: Record<string, unknown>, type: string): Record<string, unknown> {
    let m = variants.get(node);
    if (!m) variants.set(node, (m = new Map()));
    let v = m.get(type);
    if (!v) {
      const { type: _omit, ...rest } = node;
      v = type === NO_TYPE ? rest : { ...rest, type };
      origin.set(v, origin.get(node) ?? node);
      m.set(type, v);
    }
    return v;
  }
  const refOf = (n: object): unknown => schema.refOf(origin.get(n) ?? n);
  const hasRef = (n: object): boolean => schema.hasRef(origin.get(n) ?? n);

  /** A node followed by the schemas its `$ref` chain leads to. */
  function chain(node: Record<string, unknown>): Record<string, unknown>[] {
    const out = [node];
    const seen = new Set<object>([node]);
    let cur: unknown = node;
    while (isObject(cur) && hasRef(cur)) {
      cur = refOf(cur);
      if (!isObject(cur) || seen.has(cur)) break;
      seen.add(cur);
      out.push(cur);
    }
    return out;
  }

  /** The FieldType of a node as Confluent sees it after dereferencing (`$ref` merged in). */
  function effectiveType(node: Record<string, unknown>): FieldType {
    let type: unknown;
    let enumish = false;
    let props = false;
    for (const n of chain(node)) {
      if (type === undefined && n['type'] !== undefined) type = n['type'];
      if (n['enum'] != null || n['const'] != null) enumish = true;
      if (hasKeys(n['properties'])) props = true;
    }
    return typeFrom(type, enumish, props);
  }

  // ---- Field contexts ---------------------------------------------------------------------
  let contexts = new WeakMap<object, Map<string, FieldContext>>();
  let created = 0;
  function contextOf(parent: FieldContext | undefined, name: string, prop: unknown): FieldContext {
    const fullName = `${parent ? parent.fullName : '$'}.${name}`;
    const key = isObject(prop) ? prop : contexts; // booleans share one bucket
    let m = contexts.get(key);
    if (!m) contexts.set(key, (m = new Map()));
    let c = m.get(fullName);
    if (!c) {
      const depth = (parent?.depth ?? 0) + 1;
      if (depth > MAX_FIELD_DEPTH) {
        throw new SerdeError(ErrorCodes.SCHEMA_ERROR, `json-schema: value nests fields of a recursive schema deeper than ${MAX_FIELD_DEPTH} levels`);
      }
      const inline: string[] = [];
      if (isObject(prop)) {
        for (const n of chain(prop)) {
          const tags = n[TAGS_KEYWORD];
          if (Array.isArray(tags)) for (const t of tags) if (typeof t === 'string') inline.push(t);
        }
      }
      c = new FieldContext(fullName, name, fieldTags(fullName, inline, schema.externalTags), depth);
      m.set(fullName, c);
      created++;
    }
    return c;
  }

  /**
   * A tagged property whose schema has nothing to walk (no type, an object without properties,
   * an array without items, a type array without scalar match): Confluent writes it in plaintext;
   * here it becomes a leaf of that type, so a write fails (`type MAP not supported for
   * encryption`) and a read passes the value through.
   */
  function opaqueLeaf(prop: unknown, ctx: FieldContext): Transformer | undefined {
    if (!isObject(prop) || ctx.tags.size === 0) return undefined;
    const links = chain(prop);
    if (links.some(hasApplicators)) return undefined;
    const type = effectiveType(prop);
    if (LEAF_TYPES.has(type) || type === 'RECORD') return undefined;
    const info = ctx.info(type);
    return match(info) ? plan.leaf(info) : undefined;
  }

  // ---- Building -----------------------------------------------------------------------------
  let memo = new WeakMap<object, Map<FieldContext | undefined, [Entry | undefined, Entry | undefined]>>();
  const building = new Set<object>();

  function build(node: unknown, ctx: FieldContext | undefined, noLeaf: boolean): Transformer | undefined {
    if (!isObject(node)) return undefined; // boolean schemas constrain, they have no fields
    let byCtx = memo.get(node);
    if (!byCtx) memo.set(node, (byCtx = new Map()));
    let pair = byCtx.get(ctx);
    if (!pair) byCtx.set(ctx, (pair = [undefined, undefined]));
    const i = noLeaf ? 1 : 0;
    const hit = pair[i];
    if (hit) return hit.done ? hit.t : hit.slot.t; // in progress: a cycle with the same context
    if (building.has(node)) return deferred(node, ctx, noLeaf); // a cycle into deeper fields
    const slot = plan.lazy();
    pair[i] = { done: false, slot };
    building.add(node);
    let out: Transformer | undefined;
    try {
      out = compile(node, ctx, noLeaf);
    } catch (e) {
      pair[i] = undefined;
      throw e;
    } finally {
      building.delete(node);
    }
    if (out === slot.t) out = undefined; // a pure `$ref` loop with nothing in it
    slot.set(out);
    pair[i] = { done: true, t: out };
    return out;
  }

  /** The walk of a node met again below itself with a deeper context: built when first reached. */
  function deferred(node: Record<string, unknown>, ctx: FieldContext | undefined, noLeaf: boolean): Transformer {
    let t: Transformer | undefined;
    let ready = false;
    return (v, visit) => {
      if (v === null || v === undefined) return v;
      if (!ready) {
        t = build(node, ctx, noLeaf);
        ready = true;
      }
      return t ? t(v, visit) : v;
    };
  }

  function compile(node: Record<string, unknown>, ctx: FieldContext | undefined, noLeaf: boolean): Transformer | undefined {
    // 1. Type arrays: the first type the value has (Confluent validates the value against each).
    const type = node['type'];
    if (Array.isArray(type) && type.length > 0) {
      const byType: Array<readonly [unknown, Transformer | undefined]> = type.map((t) => [t, typeof t === 'string' ? build(variant(node, t), ctx, noLeaf) : undefined] as const);
      // A value of a field that the schema cannot walk (an object or array with no properties or
      // items, or a type not listed): Confluent leaves it as it is; a matched one is a COMBINED
      // leaf here, so a write fails instead of writing it in plaintext.
      let opaque: Transformer | undefined;
      if (!noLeaf && ctx && !chain(node).some(hasApplicators)) {
        const info = ctx.info('COMBINED');
        if (match(info)) opaque = plan.leaf(info);
      }
      const fallback = build(variant(node, NO_TYPE), ctx, true) ?? opaque;
      if (fallback === undefined && byType.every(([, t]) => t === undefined)) return undefined;
      return plan.select((v) => {
        for (const [t, tr] of byType) if (hasJsonType(v, t)) return tr ?? (t === 'object' || t === 'array' ? opaque : undefined);
        return fallback;
      });
    }

    // 2. A scalar (or enum) value of a field is a leaf. With combinators on the node (or its
    //    `$ref` chain) Confluent walks those instead, and encrypts once per branch that reaches a
    //    leaf (possibly twice, e.g. two valid anyOf branches): so do we, and when no branch
    //    reaches a leaf for the value (typeless branches), the node's own type makes it one.
    if (!noLeaf && ctx) {
      const ft = effectiveType(node);
      if (LEAF_TYPES.has(ft)) {
        const info = ctx.info(ft);
        const leaf = match(info) ? plan.leaf(info) : undefined;
        if (!chain(node).some(hasCombinators)) return leaf;
        const inner = compileParts(node, ctx, false);
        if (!inner || !leaf) return inner ?? leaf;
        return withFallback(inner, leaf);
      }
    }
    return compileParts(node, ctx, noLeaf);
  }

  /** Everything but the type-array dispatch and the node's own leaf. */
  function compileParts(node: Record<string, unknown>, ctx: FieldContext | undefined, noLeaf: boolean): Transformer | undefined {
    const parts: Transformer[] = [];
    // Confluent walks one combinator kind per schema (allOf, else oneOf, else anyOf): only that
    // one may put a leaf on this very value, so leaf counts (single or double encryption) match.
    // The other kinds, conditionals and a `$ref` next to combinators are walked too (Confluent
    // would leave their tagged properties in plaintext), but only for nested fields.
    const primary = nonEmptyArray(node['allOf']) ? 'allOf' : nonEmptyArray(node['oneOf']) ? 'oneOf' : nonEmptyArray(node['anyOf']) ? 'anyOf' : undefined;
    const leafFor = (kw: string): boolean => noLeaf || (primary !== undefined && kw !== primary);

    // 3. Combinators (all kinds present, in this order) and conditionals, on the same value.
    const allOf = node['allOf'];
    if (nonEmptyArray(allOf)) {
      const sub = leafFor('allOf');
      const ts = allOf.map((s) => build(s, ctx, sub)).filter((t): t is Transformer => t !== undefined);
      if (ts.length > 0) parts.push(plan.sequence(ts));
    }
    const oneOf = node['oneOf'];
    if (nonEmptyArray(oneOf)) {
      const sub = leafFor('oneOf');
      const ts = oneOf.map((s) => build(s, ctx, sub));
      if (ts.some((t) => t !== undefined)) {
        const valid = oneOf.map((s) => schema.branch(s));
        parts.push((v, visit) => {
          if (v === null || v === undefined) return v;
          for (let k = 0; k < valid.length; k++) {
            if ((valid[k] as (x: unknown) => boolean)(v)) {
              const t = ts[k];
              return t ? t(v, visit) : v;
            }
          }
          return v;
        });
      }
    }
    const anyOf = node['anyOf'];
    if (nonEmptyArray(anyOf)) {
      const sub = leafFor('anyOf');
      const branches = anyOf.flatMap((s) => {
        const t = build(s, ctx, sub);
        return t ? [{ t, valid: schema.branch(s) }] : [];
      });
      if (branches.length > 0) {
        parts.push((v, visit) => {
          if (v === null || v === undefined) return v;
          // Every branch valid for the current value, in order (as Confluent: a later branch is
          // checked against the value the earlier ones produced).
          let cur: unknown = v;
          for (const b of branches) if (b.valid(cur)) cur = b.t(cur, visit);
          return cur;
        });
      }
    }
    const extraSub = leafFor('');
    if (node['if'] !== undefined) {
      const tThen = build(node['then'], ctx, extraSub);
      const tElse = build(node['else'], ctx, extraSub);
      if (tThen || tElse) {
        const cond = schema.branch(node['if']);
        parts.push((v, visit) => {
          if (v === null || v === undefined) return v;
          const t = cond(v) ? tThen : tElse;
          return t ? t(v, visit) : v;
        });
      }
    }
    for (const kw of ['dependentSchemas', 'dependencies']) {
      const deps = node[kw];
      if (!isObject(deps)) continue;
      for (const [key, s] of Object.entries(deps)) {
        const t = isObject(s) ? build(s, ctx, extraSub) : undefined;
        if (t) parts.push((v, visit) => (isObject(v) && hasOwn(v, key) ? t(v, visit) : v));
      }
    }

    // 4. `$ref` (Confluent's dereferencer merges it into this node).
    if (hasRef(node)) {
      const t = build(refOf(node), ctx, extraSub);
      if (t) parts.push(t);
    }

    // 5. Properties: each one is a field.
    const props = node['properties'];
    const names = isObject(props) ? Object.keys(props) : [];
    if (isObject(props) && names.length > 0) {
      const entries: Array<readonly [string, Transformer]> = [];
      for (const name of names) {
        const prop = props[name];
        const c = contextOf(ctx, name, prop);
        const t = build(prop, c, false) ?? opaqueLeaf(prop, c);
        if (t) entries.push([name, name in Object.prototype ? ownOnly(name, t) : t]);
      }
      if (entries.length > 0) {
        const rec = plan.record(entries, false);
        parts.push((v, visit) => (Array.isArray(v) ? v : rec(v, visit)));
      }
    }

    // 6. additionalProperties / patternProperties: map-like values keep the enclosing field.
    const extra = additional(node, new Set(names), ctx);
    if (extra) parts.push(extra);

    // 7. Arrays: items (all), or prefixItems / tuple items by position and the rest.
    const arr = arrayPart(node, ctx);
    if (arr) parts.push(arr);

    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0] : plan.sequence(parts);
  }

  function additional(node: Record<string, unknown>, known: ReadonlySet<string>, ctx: FieldContext | undefined): Transformer | undefined {
    const ap = node['additionalProperties'];
    const tAp = isObject(ap) ? build(ap, ctx, false) : undefined;
    const pats: Array<{ re: RegExp; t: Transformer | undefined }> = [];
    const pp = node['patternProperties'];
    if (isObject(pp)) {
      for (const [src, s] of Object.entries(pp)) {
        let re: RegExp;
        try {
          re = new RegExp(src, 'u');
        } catch {
          continue; // ajv rejects it when validating; the walk just skips it
        }
        pats.push({ re, t: build(s, ctx, false) });
      }
    }
    if (!tAp && pats.every((p) => p.t === undefined)) return undefined;
    return (v, visit) => {
      if (!isObject(v)) return v;
      let out: Record<string, unknown> | undefined;
      for (const k of Object.keys(v)) {
        if (known.has(k)) continue;
        const before = v[k];
        let cur = before;
        let matched = false;
        for (const p of pats) {
          if (!p.re.test(k)) continue;
          matched = true;
          if (p.t && cur !== null && cur !== undefined) cur = p.t(cur, visit);
        }
        if (!matched && tAp && cur !== null && cur !== undefined) cur = tAp(cur, visit);
        if (cur !== before) {
          out ??= { ...v };
          out[k] = cur;
        }
      }
      return out ?? v;
    };
  }

  function arrayPart(node: Record<string, unknown>, ctx: FieldContext | undefined): Transformer | undefined {
    const items = node['items'];
    const prefix = node['prefixItems'];
    const tuple = Array.isArray(prefix) ? prefix : Array.isArray(items) ? items : undefined;
    const rest = Array.isArray(prefix) ? items : Array.isArray(items) ? node['additionalItems'] : items;
    const restT = isObject(rest) ? build(rest, ctx, false) : undefined;
    if (!tuple) return restT ? plan.array(restT, false) : undefined;
    const ts = tuple.map((s) => build(s, ctx, false));
    if (!restT && ts.every((t) => t === undefined)) return undefined;
    return (v, visit) => {
      if (!Array.isArray(v)) return v;
      let out: unknown[] | undefined;
      for (let k = 0; k < v.length; k++) {
        const t = k < ts.length ? ts[k] : restT;
        const cur: unknown = v[k];
        if (!t || cur === null || cur === undefined) continue;
        const next = t(cur, visit);
        if (next !== cur) {
          out ??= v.slice();
          out[k] = next;
        }
      }
      return out ?? v;
    };
  }

  const root = build(schema.root, undefined, false);
  if (!root) return undefined;
  // Recursive schemas are built one level at a time as values reach deeper paths (one context per
  // distinct path). A stream of values with ever new paths (a recursive tree walked differently
  // by every record) would grow that without bound: past a budget, start over from a fresh build.
  const budget = created + MAX_LAZY_FIELDS;
  let current = root;
  return (v, visit) => {
    if (created > budget) {
      memo = new WeakMap();
      contexts = new WeakMap();
      created = 0;
      current = build(schema.root, undefined, false) ?? root;
    }
    return current(v, visit);
  };
}

function hasCombinators(n: Record<string, unknown>): boolean {
  return nonEmptyArray(n['allOf']) || nonEmptyArray(n['anyOf']) || nonEmptyArray(n['oneOf']);
}

/** Runs `inner`; if it reached no leaf for this value, applies `leaf` instead. */
function withFallback(inner: Transformer, leaf: Transformer): Transformer {
  return (v, visit) => {
    if (v === null || v === undefined) return v;
    let hit = false;
    const spy: LeafVisitor = (f, x) => {
      hit = true;
      return visit(f, x);
    };
    const out = inner(v, spy);
    return hit ? out : leaf(out, visit);
  };
}

/** A property whose name exists on Object.prototype (`constructor`, ...): only own values are walked. */
function ownOnly(name: string, t: Transformer): Transformer {
  const inherited = (Object.prototype as Record<string, unknown>)[name];
  return (v, visit) => (v === inherited ? v : t(v, visit));
}
