/**
 * Property-based round trips (fast-check): random JSON Schemas (nested objects, arrays, string
 * fields tagged at random, type arrays, `$ref` to definitions, `oneOf` with null, external tags,
 * draft-07 or 2020-12) with random values round-trip through serialize → deserialize with
 * encryption on (random algorithm, rotation on or off), the caller's value is never mutated, and
 * the serialized bytes never contain the plaintext of a tagged field (values of 8+ characters).
 */
import fc from 'fast-check';
import type { Metadata } from '@csfle/core';
import { deepFreeze, encryptRule, makeEnv } from './helpers.js';

const names = fc.constantFrom('a', 'b', 'name', 'ssn', 'note', 'city', 'x1', 'deep', 'list', 'obj');

/** A property: its schema shape and whether it is tagged (inline `confluent:tags` or an external path). */
type Prop = readonly [name: string, shape: Shape, tag: 'none' | 'inline' | 'external'];
type Shape =
  | { readonly kind: 'string'; readonly nullable: boolean }
  | { readonly kind: 'integer' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'object'; readonly props: readonly Prop[]; readonly viaRef: boolean; readonly nullable: boolean }
  | { readonly kind: 'array'; readonly items: Shape };

/** Tags sit on properties (as in Confluent); they apply to the strings below, up to the next property. */
function onlyStringLeaves(shape: Shape): boolean {
  return shape.kind === 'string' || shape.kind === 'object' || (shape.kind === 'array' && onlyStringLeaves(shape.items));
}
const tagArb = fc.constantFrom('none', 'inline', 'external', 'inline') as fc.Arbitrary<Prop[2]>;
const propsArb = (shape: fc.Arbitrary<Shape>, max: number): fc.Arbitrary<Prop[]> =>
  fc
    .uniqueArray(fc.tuple(names, shape, tagArb), { minLength: 1, maxLength: max, selector: ([k]) => k })
    .map((ps) => ps.map(([k, sh, t]): Prop => [k, sh, onlyStringLeaves(sh) ? t : 'none']));


const shapeArb: fc.Arbitrary<Shape> = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('string' as const), nullable: fc.boolean() }),
    fc.record({ kind: fc.constant('integer' as const) }),
    fc.record({ kind: fc.constant('boolean' as const) }),
    fc.record({
      kind: fc.constant('object' as const),
      props: propsArb(tie('shape'), 4),
      viaRef: fc.boolean(),
      nullable: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('array' as const), items: tie('shape') }),
  ),
})).shape;

/** A root object shape (Confluent's walk starts at properties). */
const rootArb = fc.record({
  kind: fc.constant('object' as const),
  props: propsArb(shapeArb, 5),
  viaRef: fc.constant(false),
  nullable: fc.constant(false),
});

/** JSON Schema for a shape; object shapes with `viaRef` go to definitions. */
function toSchema(shape: Shape, defs: Record<string, unknown>, defsKey: string, external: Set<string>, path: string): Record<string, unknown> {
  switch (shape.kind) {
    case 'string':
      return { type: shape.nullable ? ['string', 'null'] : 'string' };
    case 'integer':
    case 'boolean':
      return { type: shape.kind };
    case 'array':
      return { type: 'array', items: toSchema(shape.items, defs, defsKey, external, path) };
    case 'object': {
      const properties: Record<string, unknown> = {};
      for (const [k, p, tag] of shape.props) {
        const ps = toSchema(p, defs, defsKey, external, `${path}.${k}`);
        if (tag === 'inline') ps['confluent:tags'] = ['PII'];
        if (tag === 'external') external.add(`${path}.${k}`);
        properties[k] = ps;
      }
      let s: Record<string, unknown> = { type: 'object', properties };
      if (shape.viaRef) {
        const name = `D${Object.keys(defs).length}`;
        defs[name] = s;
        s = { $ref: `#/${defsKey}/${name}` };
      }
      return shape.nullable ? { oneOf: [{ type: 'null' }, s] } : s;
    }
  }
}

const tagged = fc.string({ minLength: 8, maxLength: 40, unit: 'grapheme' });
const plainText = fc.string({ maxLength: 12 });

function valueArb(shape: Shape, isTagged = false): fc.Arbitrary<unknown> {
  switch (shape.kind) {
    case 'string': {
      const s = isTagged ? tagged : plainText;
      return shape.nullable ? fc.option(s, { nil: null }) : s;
    }
    case 'integer':
      return fc.integer();
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueArb(shape.items, isTagged), { maxLength: 3 });
    case 'object': {
      const rec = fc.record(Object.fromEntries(shape.props.map(([k, p, tag]) => [k, valueArb(p, tag !== 'none')])), { requiredKeys: [] });
      return shape.nullable ? fc.option(rec, { nil: null }) : rec;
    }
  }
}

/** The tagged string values present in `value`. */
function taggedValues(shape: Shape, value: unknown, out: string[], isTagged = false): string[] {
  if (value === null || value === undefined) return out;
  if (shape.kind === 'string' && isTagged) out.push(value as string);
  if (shape.kind === 'array') for (const v of value as unknown[]) taggedValues(shape.items, v, out, isTagged);
  if (shape.kind === 'object') for (const [k, p, tag] of shape.props) taggedValues(p, (value as Record<string, unknown>)[k], out, tag !== 'none');
  return out;
}

/** `value` with tagged strings blanked: what is allowed to appear in clear. */
function publicPart(shape: Shape, value: unknown, isTagged = false): unknown {
  if (value === null || value === undefined) return value;
  if (shape.kind === 'string') return isTagged ? '' : value;
  if (shape.kind === 'array') return (value as unknown[]).map((v) => publicPart(shape.items, v, isTagged));
  if (shape.kind === 'object') {
    const o = value as Record<string, unknown>;
    return Object.fromEntries(shape.props.filter(([k]) => k in o).map(([k, p, tag]) => [k, publicPart(p, o[k], tag !== 'none')]));
  }
  return value;
}

const caseArb = rootArb.chain((root) =>
  fc.record({
    root: fc.constant(root),
    value: valueArb(root),
    dialect: fc.constantFrom('draft-07', '2020-12'),
    algorithm: fc.constantFrom('AES256_GCM', 'AES128_GCM', 'AES256_SIV'),
    rotation: fc.boolean(),
  }),
);

describe('property: random schemas and values round-trip with encryption, and never leak tagged plaintext', () => {
  const env = makeEnv();
  let n = 0;
  let checked = 0;

  it('serialize → deserialize is the identity; no tagged value of 8+ chars in the bytes; input untouched', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ root, value, dialect, algorithm, rotation }) => {
        const defs: Record<string, unknown> = {};
        const defsKey = dialect === '2020-12' ? '$defs' : 'definitions';
        const external = new Set<string>();
        const schema: Record<string, unknown> = toSchema(root, defs, defsKey, external, '$');
        if (dialect === '2020-12') schema['$schema'] = 'https://json-schema.org/draft/2020-12/schema';
        else schema['$schema'] = 'http://json-schema.org/draft-07/schema#';
        schema[defsKey] = defs;
        const metadata: Metadata = { tags: Object.fromEntries([...external].map((p) => [p, ['PII']])) };
        const topic = `prop-${n++}`;
        const params: Record<string, string> = { 'encrypt.dek.algorithm': algorithm, ...(rotation ? { 'encrypt.dek.expiry.days': '1' } : {}) };
        await env.register(topic, schema, { ruleSet: { domainRules: [encryptRule({}, params)] }, metadata });

        const input = deepFreeze(structuredClone(value));
        const bytes = await env.ser().serialize(topic, input);
        expect(input).toEqual(value);
        expect(await env.de({ validate: true }).deserialize(topic, bytes)).toEqual(value);

        const publicText = JSON.stringify(publicPart(root, value));
        for (const secret of taggedValues(root, value, [])) {
          const escaped = JSON.stringify(secret).slice(1, -1);
          if (publicText.includes(escaped) || escaped.length < 8) continue; // not distinctive
          expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
          expect(bytes.includes(Buffer.from(escaped, 'utf8'))).toBe(false);
          checked++;
        }
      }),
      { numRuns: 120 },
    );
    // The property is not vacuous: many distinctive tagged values were checked.
    expect(checked).toBeGreaterThan(50);
  }, 120_000);
});
