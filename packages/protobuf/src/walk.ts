/**
 * The field walk of a Protobuf message type: turns protobufjs reflection into a core
 * {@link Transformer} that visits only the paths leading to fields matched by a rule, once per
 * (message type, rule).
 *
 * Semantics follow Confluent's Protobuf field transform as its Java client implements it
 * (compatibility facts §7; the JS client's nested-message bug, §8.5, is not reproduced):
 * - a field's context is the innermost message field: `fullName = <package>.<Message>.<field>`
 *   (the .proto field name), tags = inline `(confluent.field_meta).tags` + external
 *   `metadata.tags` (wildcards);
 * - nested messages are walked with **their own** fields and tags, at every depth, including
 *   messages in repeated fields, in map values and in oneofs;
 * - repeated scalars are leaves of their field (each element is encrypted);
 * - map values are leaves of the map field (like Avro maps; keys are never transformed);
 * - oneof members are ordinary fields: only the member that is set has a value;
 * - the leaf type is the field's scalar type (`int32` → INT, `int64` → LONG, ...); enums are
 *   ENUM leaves, so a tagged enum fails the rule (`type ENUM not supported for encryption`).
 *
 * Presence, as Confluent's clients see it: a singular `string`/`bytes` field with implicit
 * presence (proto3, not `optional`, not in a oneof) always has a value, so an absent one is
 * the empty string / empty bytes and is transformed like any other value (Confluent encrypts
 * `""`). Protobufjs message instances are read by their own properties, so unset oneof members
 * and optional fields (whose prototype defaults protobufjs fills in) are not mistaken for values.
 *
 * A fixed-point pass first finds the message types that (transitively) contain a matched field,
 * so sub-trees without one are never walked at run time; recursive types go through
 * `plan.lazy()`.
 */
import protobuf from 'protobufjs';
import { fieldTags, plan, type FieldInfo, type FieldPredicate, type FieldType, type Transformer } from '@csfle/core';
import { isProtobufjsMessage } from './codec.js';
import type { ParsedProtoSchema } from './schema.js';

/** The FieldType of a protobuf scalar type name (as Confluent's clients name them). */
export function fieldTypeOfScalar(type: string): FieldType {
  switch (type) {
    case 'string':
      return 'STRING';
    case 'bytes':
      return 'BYTES';
    case 'int32':
    case 'sint32':
    case 'uint32':
    case 'fixed32':
    case 'sfixed32':
      return 'INT';
    case 'int64':
    case 'sint64':
    case 'uint64':
    case 'fixed64':
    case 'sfixed64':
      return 'LONG';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'bool':
      return 'BOOLEAN';
    default:
      return 'NULL';
  }
}

/** The FieldType of a field's values (of a map field: its values). */
export function fieldTypeOf(field: protobuf.Field): FieldType {
  const r = field.resolvedType;
  if (r instanceof protobuf.Type) return 'RECORD';
  if (r instanceof protobuf.Enum) return 'ENUM';
  return fieldTypeOfScalar(field.type);
}

/** A message field as a context for the leaves below it. */
class FieldContext {
  readonly #infos = new Map<FieldType, FieldInfo>();
  constructor(
    readonly fullName: string,
    readonly name: string,
    readonly tags: ReadonlySet<string>,
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

/** What the walk needs to know about a schema. */
export interface WalkSchema {
  readonly parsed: ParsedProtoSchema;
  /** External tags (`metadata.tags`): wildcard path → tags. */
  readonly externalTags: Readonly<Record<string, readonly string[]>> | undefined;
}

type Fill = readonly [key: string, make: () => unknown];

/**
 * Wraps a message's record plan: reads protobufjs instances by their own properties, and gives
 * absent implicit-presence matched leaves their default value. Copy on write: the input is
 * returned when nothing changed.
 */
function messagePlan(record: Transformer, fills: readonly Fill[]): Transformer {
  return (v, visit) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    let view = v as Record<string, unknown>;
    let copied = false;
    if (isProtobufjsMessage(view)) {
      view = { ...view };
      copied = true;
    }
    for (const [k, make] of fills) {
      if (view[k] === undefined || view[k] === null) {
        if (!copied) {
          view = { ...view };
          copied = true;
        }
        view[k] = make();
      }
    }
    const out = record(view, visit);
    return out === view ? v : out;
  };
}

/**
 * Builds the copy-on-write transformer of message type `message` for the leaves matching
 * `match`, or `undefined` when no field matches (the engine then skips the rule's walk).
 */
export function buildProtobufTransformer(schema: WalkSchema, message: protobuf.Type, match: FieldPredicate): Transformer | undefined {
  const { parsed, externalTags } = schema;
  const contexts = new Map<protobuf.Field, FieldContext>();
  function contextOf(owner: protobuf.Type, field: protobuf.Field): FieldContext {
    let c = contexts.get(field);
    if (!c) {
      const meta = parsed.fieldMeta(field);
      const fullName = `${owner.fullName.slice(1)}.${meta.protoName}`;
      c = new FieldContext(fullName, meta.protoName, fieldTags(fullName, meta.tags, externalTags));
      contexts.set(field, c);
    }
    return c;
  }

  /** The matched leaf info of a field's values, if they are leaves and match. */
  function leafMatch(owner: protobuf.Type, field: protobuf.Field): FieldInfo | undefined {
    const t = fieldTypeOf(field);
    if (t === 'RECORD' || t === 'NULL') return undefined;
    const info = contextOf(owner, field).info(t);
    return match(info) ? info : undefined;
  }

  // ---- 1. Which message types contain a matched field (least fixed point). ----
  const parents = new Map<protobuf.Type, Set<protobuf.Type>>();
  const seen = new Set<protobuf.Type>([message]);
  const queue: protobuf.Type[] = [message];
  const containing = new Set<protobuf.Type>();
  const pending: protobuf.Type[] = [];
  while (queue.length > 0) {
    const t = queue.pop() as protobuf.Type;
    let direct = false;
    for (const f of t.fieldsArray) {
      const r = f.resolvedType;
      if (r instanceof protobuf.Type) {
        let ps = parents.get(r);
        if (!ps) {
          ps = new Set();
          parents.set(r, ps);
        }
        ps.add(t);
        if (!seen.has(r)) {
          seen.add(r);
          queue.push(r);
        }
      } else if (leafMatch(t, f)) {
        direct = true;
      }
    }
    if (direct && !containing.has(t)) {
      containing.add(t);
      pending.push(t);
    }
  }
  while (pending.length > 0) {
    const t = pending.pop() as protobuf.Type;
    for (const p of parents.get(t) ?? []) {
      if (!containing.has(p)) {
        containing.add(p);
        pending.push(p);
      }
    }
  }

  // ---- 2. Build the plan. ----
  const built = new Map<protobuf.Type, Transformer | undefined>();

  function buildMessage(t: protobuf.Type): Transformer | undefined {
    if (!containing.has(t)) return undefined;
    if (built.has(t)) return built.get(t);
    const slot = plan.lazy();
    built.set(t, slot.t); // a recursive reference inside goes through the slot
    const entries: Array<readonly [string, Transformer]> = [];
    const fills: Fill[] = [];
    for (const f of t.fieldsArray) {
      const r = f.resolvedType;
      let values: Transformer | undefined;
      if (r instanceof protobuf.Type) {
        values = buildMessage(r);
      } else {
        const info = leafMatch(t, f);
        if (info) {
          values = plan.leaf(info);
          const single = !f.repeated && !(f instanceof protobuf.MapField);
          if (single && !f.hasPresence && (info.type === 'STRING' || info.type === 'BYTES')) {
            fills.push([f.name, info.type === 'STRING' ? () => '' : () => Buffer.alloc(0)]);
          }
        }
      }
      if (!values) continue;
      if (f instanceof protobuf.MapField) entries.push([f.name, plan.map(values, false)]);
      else if (f.repeated) entries.push([f.name, plan.array(values, false)]);
      else entries.push([f.name, values]);
    }
    const out = entries.length > 0 ? messagePlan(plan.record(entries, false), fills) : undefined;
    slot.set(out);
    built.set(t, out);
    return out;
  }

  return buildMessage(message);
}
