/**
 * The field walk on its own (white box): Confluent's field types, which leaves a rule reaches and
 * with which full names, `$ref` loops without content, recursion depth, inherited property names,
 * and the guarantee that the walk never mutates its input.
 */
import { ErrorCodes, ruleFieldPredicate, type FieldInfo, type Transformer } from '@csfle/core';
import { buildJsonTransformer, fieldTypeOf } from '@csfle/json-schema';
import { indexDocuments, ROOT_DOCUMENT } from '../src/schema.js';
import { createValidation } from '../src/validate.js';
import { deepFreeze } from './helpers.js';

function walkOf(schema: unknown, tags: readonly string[] = ['PII'], externalTags?: Record<string, string[]>): Transformer | undefined {
  const parsed = indexDocuments([{ name: ROOT_DOCUMENT, json: schema }]);
  const validation = createValidation(parsed, undefined, 1);
  return buildJsonTransformer(
    { root: parsed.root, externalTags, inlineTags: parsed.inlineTags, refOf: parsed.refOf, hasRef: parsed.hasRef, branch: validation.branch },
    ruleFieldPredicate(tags),
  );
}

/** Runs a walk, replacing every visited leaf by `<fullName:type>`; returns the result and the visits. */
function run(t: Transformer | undefined, value: unknown): { out: unknown; seen: string[] } {
  const seen: string[] = [];
  const out = t ? t(value, (f: FieldInfo, v: unknown) => (seen.push(`${f.fullName}:${f.type}`), `<${String(v)}>`)) : value;
  return { out, seen };
}

describe('fieldTypeOf (Confluent getType)', () => {
  it.each([
    [{ type: 'string' }, 'STRING'],
    [{ type: 'integer' }, 'INT'],
    [{ type: 'number' }, 'DOUBLE'],
    [{ type: 'boolean' }, 'BOOLEAN'],
    [{ type: 'null' }, 'NULL'],
    [{ type: 'string', enum: ['a'] }, 'ENUM'],
    [{ type: 'string', const: 'a' }, 'ENUM'],
    [{ enum: ['a'] }, 'NULL'],
    [{ type: ['string', 'null'] }, 'COMBINED'],
    [{ type: 'object', properties: { a: {} } }, 'RECORD'],
    [{ properties: { a: {} } }, 'RECORD'],
    [{ type: 'object' }, 'MAP'],
    [{ type: 'array' }, 'ARRAY'],
    [{}, 'NULL'],
    [true, 'NULL'],
    [{ type: 'weird' }, 'NULL'],
  ])('%j → %s', (schema, type) => {
    expect(fieldTypeOf(schema)).toBe(type);
  });
});

describe('buildJsonTransformer', () => {
  it('visits only matching leaves, with $.a.b full names; returns undefined when nothing matches', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { type: 'object', properties: { b: { type: 'string', 'confluent:tags': ['PII'] }, c: { type: 'string' } } },
        list: { type: 'array', items: { type: 'string' }, 'confluent:tags': ['PII'] },
      },
    };
    const { out, seen } = run(walkOf(schema), deepFreeze({ a: { b: 'x', c: 'y' }, list: ['p', 'q'] }));
    expect(out).toEqual({ a: { b: '<x>', c: 'y' }, list: ['<p>', '<q>'] });
    expect(seen).toEqual(['$.a.b:STRING', '$.list:STRING', '$.list:STRING']);
    expect(walkOf(schema, ['OTHER'])).toBeUndefined();
    // A rule without tags reaches every scalar leaf (and would fail on the non-strings).
    expect(run(walkOf({ type: 'object', properties: { n: { type: 'integer' }, s: { type: 'string' } } }, []), { n: 1, s: 'v' }).seen).toEqual(['$.n:INT', '$.s:STRING']);
  });

  it('a top-level scalar is not a field (as Confluent): no leaf without a property', () => {
    expect(walkOf({ type: 'string', 'confluent:tags': ['PII'] })).toBeUndefined();
    expect(run(walkOf({ type: 'array', items: { type: 'string' }, 'confluent:tags': ['PII'] }, []), ['a']).seen).toEqual([]);
  });

  it('pure $ref loops have no content and do not hang', () => {
    expect(walkOf({ $ref: '#' })).toBeUndefined();
    expect(walkOf({ $ref: '#/definitions/A', definitions: { A: { $ref: '#/definitions/B' }, B: { $ref: '#/definitions/A' } }, properties: { s: { type: 'string', 'confluent:tags': ['PII'] } } })).toBeDefined();
    const loop = walkOf({ definitions: { A: { $ref: '#/definitions/B' }, B: { $ref: '#/definitions/A' } }, type: 'object', properties: { a: { $ref: '#/definitions/A', 'confluent:tags': ['PII'] } } });
    expect(run(loop, { a: 'v' }).seen).toEqual(['$.a:NULL']); // typeless: refused on write, passed through on read
  });

  it('recursion with the same field context (nested arrays) is tied; with deeper contexts it is built per level', () => {
    const nested = walkOf({
      type: 'object',
      properties: { m: { $ref: '#/definitions/M', 'confluent:tags': ['PII'] } },
      definitions: { M: { type: 'array', items: { anyOf: [{ type: 'string' }, { $ref: '#/definitions/M' }] } } },
    });
    const r = run(nested, { m: ['a', ['b', ['c']]] });
    expect(r.out).toEqual({ m: ['<a>', ['<b>', ['<c>']]] });
    expect(r.seen).toEqual(['$.m:STRING', '$.m:STRING', '$.m:STRING']);

    const tree = walkOf({ $ref: '#/definitions/N', definitions: { N: { type: 'object', properties: { s: { type: 'string', 'confluent:tags': ['PII'] }, n: { $ref: '#/definitions/N' } } } } });
    let v: Record<string, unknown> = { s: 'leaf' };
    for (let i = 0; i < 50; i++) v = { s: `s${i}`, n: v };
    const deep = run(tree, v);
    expect(deep.seen).toHaveLength(51);
    expect(deep.seen[50]).toBe(`$${'.n'.repeat(50)}.s:STRING`);
  });

  it('values nested deeper than MAX_FIELD_DEPTH under a recursive schema fail typed', () => {
    const tree = walkOf({ $ref: '#/definitions/N', definitions: { N: { type: 'object', properties: { s: { type: 'string', 'confluent:tags': ['PII'] }, n: { $ref: '#/definitions/N' } } } } });
    let v: Record<string, unknown> = { s: 'leaf' };
    for (let i = 0; i < 300; i++) v = { n: v };
    expect(() => run(tree, v)).toThrow(expect.objectContaining({ code: ErrorCodes.SCHEMA_ERROR }));
  });

  it('a recursive schema walked along ever new paths keeps working (its lazy caches start over past a budget)', () => {
    const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
    const props: Record<string, unknown> = { _s: { type: 'string', 'confluent:tags': ['PII'] } };
    for (const l of letters) props[l] = { $ref: '#/definitions/N' };
    const tree = walkOf({ $ref: '#/definitions/N', definitions: { N: { type: 'object', properties: props } } });
    let n = 0;
    for (const x of letters) {
      for (const y of letters) {
        for (const z of letters.slice(0, 4)) {
          const r = run(tree, { [x]: { [y]: { [z]: { _s: 'v' } } } });
          expect(r.seen).toEqual([`$.${x}.${y}.${z}._s:STRING`]);
          n++;
        }
      }
    }
    expect(n).toBe(26 * 26 * 4);
  });

  it('property names from Object.prototype are only walked when present', () => {
    const t = walkOf({ type: 'object', properties: { constructor: { type: 'string', 'confluent:tags': ['PII'] }, toString: { type: 'string', 'confluent:tags': ['PII'] } } });
    expect(run(t, {}).seen).toEqual([]);
    expect(run(t, { constructor: 'c' }).out).toEqual({ constructor: '<c>' });
  });

  it('never mutates the input and keeps untouched sub-trees shared', () => {
    const t = walkOf({ type: 'object', properties: { a: { type: 'object', properties: { s: { type: 'string', 'confluent:tags': ['PII'] } } }, b: { type: 'object', properties: { t: { type: 'string' } } } } });
    const input = deepFreeze({ a: { s: 'x' }, b: { t: 'y' } });
    const { out } = run(t, input) as { out: typeof input };
    expect(out).not.toBe(input);
    expect(out.b).toBe(input.b);
    expect(input.a.s).toBe('x');
  });

  it('oneOf picks the first valid branch (validated with ajv); if/then/else by the condition', () => {
    const t = walkOf({
      type: 'object',
      properties: {
        u: {
          oneOf: [
            { type: 'object', properties: { k: { const: 1 }, a: { type: 'string', 'confluent:tags': ['PII'] } }, required: ['k'] },
            { type: 'object', properties: { b: { type: 'string', 'confluent:tags': ['PII'] } } },
          ],
        },
      },
    });
    expect(run(t, { u: { k: 1, a: 'x', b: 'y' } }).out).toEqual({ u: { k: 1, a: '<x>', b: 'y' } });
    expect(run(t, { u: { k: 2, a: 'x', b: 'y' } }).out).toEqual({ u: { k: 2, a: 'x', b: '<y>' } });
  });
});
