/**
 * One way to find tagged fields and one way to transform them, shared by every format.
 *
 * A serde turns its schema into a {@link Transformer} once per (schema, rule tags, mode): a tree
 * of small closures that visits only the paths leading to matching fields and calls a
 * {@link LeafVisitor} on each matching value. The per-record path therefore never re-walks the
 * schema, and untouched sub-trees are never looked at.
 *
 * Write-side transformers copy on write (the caller's object is never mutated: only the
 * containers along a transformed path are shallow-copied, the rest is shared). Read-side
 * transformers may work in place, because the deserializer owns the freshly decoded value.
 */

/** Field types, named as in Confluent's rule engine (errors mention them by these names). */
export type FieldType =
  | 'RECORD'
  | 'ENUM'
  | 'ARRAY'
  | 'MAP'
  | 'COMBINED'
  | 'FIXED'
  | 'STRING'
  | 'BYTES'
  | 'INT'
  | 'LONG'
  | 'FLOAT'
  | 'DOUBLE'
  | 'BOOLEAN'
  | 'NULL';

/** A field as the rule engine sees it. */
export interface FieldInfo {
  /** Fully-qualified name: `<record full name>.<field>` (Avro/Protobuf) or `$.a.b` (JSON). */
  readonly fullName: string;
  /** The field's own name. */
  readonly name: string;
  /** Type of the value at the leaf (after resolving unions / arrays / maps). */
  readonly type: FieldType;
  /** Inline and external tags of the field. */
  readonly tags: ReadonlySet<string>;
}

/** Called on each matching, non-null leaf value; returns the replacement value. */
export type LeafVisitor = (field: FieldInfo, value: unknown) => unknown;

/** A compiled walk over a value. Returns the (possibly new) value. */
export type Transformer = (value: unknown, visit: LeafVisitor) => unknown;

/** Decides whether a leaf is part of a rule's plan. */
export type FieldPredicate = (field: FieldInfo) => boolean;

/** Types that can carry ciphertext. */
export function isEncryptableType(type: FieldType): boolean {
  return type === 'STRING' || type === 'BYTES';
}

/** Primitive types (a rule with no tags applies to all of them, as in Confluent). */
export function isPrimitiveType(type: FieldType): boolean {
  return (
    type === 'STRING' ||
    type === 'BYTES' ||
    type === 'INT' ||
    type === 'LONG' ||
    type === 'FLOAT' ||
    type === 'DOUBLE' ||
    type === 'BOOLEAN' ||
    type === 'NULL'
  );
}

/**
 * The leaf predicate of an encryption rule: a rule with tags matches fields sharing one of
 * them; a rule without tags matches every primitive field (and fails on non-string/bytes ones
 * at run time, like Confluent's client).
 */
export function ruleFieldPredicate(ruleTags: readonly string[] | undefined): FieldPredicate {
  if (!ruleTags || ruleTags.length === 0) return (f) => isPrimitiveType(f.type) || f.type === 'ENUM' || f.type === 'FIXED';
  const wanted = new Set(ruleTags);
  return (f) => {
    for (const t of f.tags) if (wanted.has(t)) return true;
    return false;
  };
}

/** Combinators that serdes use to build a {@link Transformer}. */
export const plan = {
  /** A field value: null/undefined pass through untouched, anything else goes to the visitor. */
  leaf(field: FieldInfo): Transformer {
    return (v, visit) => (v === null || v === undefined ? v : visit(field, v));
  },

  /**
   * An object with named entries. `entries` lists only keys whose sub-plan is non-empty.
   * With `inPlace` false the object is shallow-copied before the first write.
   */
  record(entries: ReadonlyArray<readonly [key: string, t: Transformer]>, inPlace: boolean): Transformer {
    const n = entries.length;
    if (inPlace) {
      return (v, visit) => {
        if (v === null || typeof v !== 'object') return v;
        const o = v as Record<string, unknown>;
        for (let i = 0; i < n; i++) {
          const [k, t] = entries[i] as readonly [string, Transformer];
          const cur = o[k];
          if (cur === undefined) continue;
          const next = t(cur, visit);
          if (next !== cur) o[k] = next;
        }
        return o;
      };
    }
    return (v, visit) => {
      if (v === null || typeof v !== 'object') return v;
      const src = v as Record<string, unknown>;
      let out: Record<string, unknown> | undefined;
      for (let i = 0; i < n; i++) {
        const [k, t] = entries[i] as readonly [string, Transformer];
        const cur = src[k];
        if (cur === undefined) continue;
        const next = t(cur, visit);
        if (next !== cur) {
          out ??= copyObject(src);
          out[k] = next;
        }
      }
      return out ?? src;
    };
  },

  /** An array whose items follow `item`. */
  array(item: Transformer, inPlace: boolean): Transformer {
    return (v, visit) => {
      if (!Array.isArray(v)) return v;
      let out: unknown[] | undefined = inPlace ? v : undefined;
      for (let i = 0; i < v.length; i++) {
        const cur: unknown = v[i];
        const next = item(cur, visit);
        if (next !== cur) {
          out ??= v.slice();
          out[i] = next;
        }
      }
      return out ?? v;
    };
  },

  /** A map (plain object or `Map`) whose values follow `value`. */
  map(value: Transformer, inPlace: boolean): Transformer {
    return (v, visit) => {
      if (v instanceof Map) {
        let out: Map<unknown, unknown> | undefined = inPlace ? v : undefined;
        for (const [k, cur] of v) {
          const next = value(cur, visit);
          if (next !== cur) {
            out ??= new Map(v);
            out.set(k, next);
          }
        }
        return out ?? v;
      }
      if (v === null || typeof v !== 'object') return v;
      const src = v as Record<string, unknown>;
      let out: Record<string, unknown> | undefined = inPlace ? src : undefined;
      for (const k of Object.keys(src)) {
        const cur = src[k];
        const next = value(cur, visit);
        if (next !== cur) {
          out ??= copyObject(src);
          out[k] = next;
        }
      }
      return out ?? src;
    };
  },

  /** A value whose sub-plan depends on its runtime shape (unions, oneOf, ...). */
  select(choose: (v: unknown) => Transformer | undefined): Transformer {
    return (v, visit) => {
      if (v === null || v === undefined) return v;
      const t = choose(v);
      return t ? t(v, visit) : v;
    };
  },

  /** Runs transformers one after the other on the same value (e.g. JSON `allOf`). */
  sequence(list: readonly Transformer[]): Transformer {
    if (list.length === 1) return list[0] as Transformer;
    return (v, visit) => {
      let cur = v;
      for (const t of list) cur = t(cur, visit);
      return cur;
    };
  },

  /**
   * A lazily-bound transformer, for recursive schemas: the builder registers the slot before
   * descending and fills it afterwards.
   */
  lazy(): { t: Transformer; set(target: Transformer | undefined): void } {
    let target: Transformer | undefined;
    return {
      t: (v, visit) => (target ? target(v, visit) : v),
      set(x) {
        target = x;
      },
    };
  },
} as const;

/** Shallow copy keeping the prototype (so class instances stay instances of their class). */
function copyObject(src: Record<string, unknown>): Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(src);
  if (proto === Object.prototype || proto === null) return { ...src };
  return Object.assign(Object.create(proto as object) as Record<string, unknown>, src);
}
