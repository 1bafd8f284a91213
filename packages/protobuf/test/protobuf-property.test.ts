/**
 * Property-based round trips (fast-check): random message types — scalars, enums, nested
 * messages to depth 3, repeated fields, maps, oneofs, with tagged string/bytes fields at every
 * level — and random values of them round-trip through serialize/deserialize with field
 * encryption on (random DEK algorithm, rotation on or off), and the serialized bytes never
 * contain a tagged field's plaintext.
 *
 * Tagged plaintexts start with a UUID so they are distinctive (untagged values cannot contain
 * one); the check looks for the UUID and for the whole plaintext.
 */
import fc from 'fast-check';
import { encryptRule, expected, makeEnv } from './helpers.js';

type Kind = 'string' | 'bytes' | 'int32' | 'int64' | 'bool' | 'double' | 'enum' | 'rstring' | 'rbytes' | 'msg' | 'rmsg' | 'mapstr' | 'mapmsg' | 'oneof';
interface FieldSpec {
  readonly kind: Kind;
  readonly tagged: boolean;
  readonly child?: MsgSpec;
}
interface MsgSpec {
  readonly fields: readonly FieldSpec[];
}

const TAGGABLE: readonly Kind[] = ['string', 'bytes', 'rstring', 'rbytes', 'mapstr', 'oneof'];

const { msg: msgSpec } = fc.letrec<{ msg: MsgSpec; field: FieldSpec }>((tie) => ({
  msg: fc.record({ fields: fc.array(tie('field'), { minLength: 1, maxLength: 6 }) }),
  field: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'msg' },
    fc.record({
      kind: fc.constantFrom<Kind>('string', 'bytes', 'int32', 'int64', 'bool', 'double', 'enum', 'rstring', 'rbytes', 'mapstr', 'oneof'),
      tagged: fc.boolean(),
    }).map((f) => ({ kind: f.kind, tagged: f.tagged && TAGGABLE.includes(f.kind) })),
    fc.record({ kind: fc.constantFrom<Kind>('msg', 'rmsg', 'mapmsg'), tagged: fc.constant(false), child: tie('msg') }),
  ),
}));

const TAG = ' [(confluent.field_meta).tags = "PII"]';

/** Renders a message spec as .proto (nested messages declared inside their parent). */
function render(spec: MsgSpec, name: string, indent = ''): string[] {
  const out = [`${indent}message ${name} {`];
  const inner = `${indent}  `;
  spec.fields.forEach((f, i) => {
    const n = i + 1;
    const tag = f.tagged ? TAG : '';
    const child = `C${n}`;
    switch (f.kind) {
      case 'string':
      case 'bytes':
      case 'int32':
      case 'int64':
      case 'bool':
      case 'double':
        out.push(`${inner}${f.kind} f${n} = ${n}${tag};`);
        break;
      case 'enum':
        out.push(`${inner}E f${n} = ${n};`);
        break;
      case 'rstring':
        out.push(`${inner}repeated string f${n} = ${n}${tag};`);
        break;
      case 'rbytes':
        out.push(`${inner}repeated bytes f${n} = ${n}${tag};`);
        break;
      case 'mapstr':
        out.push(`${inner}map<string, string> f${n} = ${n}${tag};`);
        break;
      case 'oneof':
        out.push(`${inner}oneof o${n} { string f${n} = ${n}${tag}; int32 g${n} = ${100 + n}; }`);
        break;
      case 'msg':
        out.push(`${inner}${child} f${n} = ${n};`);
        break;
      case 'rmsg':
        out.push(`${inner}repeated ${child} f${n} = ${n};`);
        break;
      case 'mapmsg':
        out.push(`${inner}map<string, ${child}> f${n} = ${n};`);
        break;
    }
    if (f.child) out.push(...render(f.child, child, inner));
  });
  out.push(`${inner}enum E { E_ZERO = 0; E_ONE = 1; }`, `${indent}}`);
  return out;
}

const secretText = fc.tuple(fc.uuid(), fc.string({ unit: 'grapheme', maxLength: 12 })).map(([u, s]) => u + s);
const secretBytes = fc.tuple(fc.uuid(), fc.uint8Array({ maxLength: 12 })).map(([u, b]) => Buffer.concat([Buffer.from(u), b]));
const key = fc.stringMatching(/^[a-z]{1,6}$/);

/** An arbitrary value of a message spec (fields present or absent at random). */
function valueOf(spec: MsgSpec): fc.Arbitrary<Record<string, unknown>> {
  const parts: Array<fc.Arbitrary<Record<string, unknown>>> = spec.fields.map((f, i) => {
    const k = `f${i + 1}`;
    const str = f.tagged ? secretText : fc.string({ unit: 'grapheme', maxLength: 10 });
    const bytes = f.tagged ? secretBytes : fc.uint8Array({ maxLength: 10 }).map((b) => Buffer.from(b));
    let v: fc.Arbitrary<unknown>;
    switch (f.kind) {
      case 'string':
        v = str;
        break;
      case 'bytes':
        v = bytes;
        break;
      case 'int32':
        v = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
        break;
      case 'int64':
        v = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
        break;
      case 'bool':
        v = fc.boolean();
        break;
      case 'double':
        v = fc.double();
        break;
      case 'enum':
        v = fc.constantFrom('E_ZERO', 'E_ONE');
        break;
      case 'rstring':
        v = fc.array(str, { maxLength: 3 });
        break;
      case 'rbytes':
        v = fc.array(bytes, { maxLength: 3 });
        break;
      case 'mapstr':
        v = fc.dictionary(key, str, { maxKeys: 3 });
        break;
      case 'msg':
        v = valueOf(f.child as MsgSpec);
        break;
      case 'rmsg':
        v = fc.array(valueOf(f.child as MsgSpec), { maxLength: 2 });
        break;
      case 'mapmsg':
        v = fc.dictionary(key, valueOf(f.child as MsgSpec), { maxKeys: 2 });
        break;
      case 'oneof':
        return fc.oneof(
          str.map((s) => ({ [k]: s })),
          fc.integer({ min: 0, max: 1000 }).map((n) => ({ [`g${i + 1}`]: n })),
          fc.constant({}),
        );
    }
    return fc.option(v, { nil: undefined }).map((x) => (x === undefined ? {} : { [k]: x }));
  });
  return fc.tuple(...parts).map((ps) => Object.assign({}, ...ps) as Record<string, unknown>);
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Every tagged plaintext (strings and bytes carrying a UUID) in a value, and the UUIDs. */
function secretsOf(v: unknown, out: { texts: Set<string>; bytes: Buffer[] }): void {
  if (typeof v === 'string') {
    if (v.match(UUID)) out.texts.add(v);
  } else if (Buffer.isBuffer(v)) {
    if (v.toString('latin1').match(UUID)) out.bytes.push(v);
  } else if (Array.isArray(v)) {
    for (const x of v) secretsOf(x, out);
  } else if (v && typeof v === 'object') {
    for (const x of Object.values(v)) secretsOf(x, out);
  }
}

const caseArb = msgSpec.chain((spec) =>
  fc.record({
    spec: fc.constant(spec),
    value: valueOf(spec),
    algorithm: fc.constantFrom('AES128_GCM', 'AES256_GCM', 'AES256_SIV'),
    rotation: fc.boolean(),
  }),
);

describe('property: random schemas and values round-trip with encryption on, and never leak a tagged plaintext', () => {
  it('serialize → deserialize is the identity (up to protobuf defaults); bytes never contain tagged plaintext', async () => {
    let withSecrets = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ spec, value, algorithm, rotation }) => {
        const proto = ['syntax = "proto3";', 'package prop;', 'import "confluent/meta.proto";', ...render(spec, 'Root')].join('\n');
        const env = makeEnv();
        const params: Record<string, string> = { 'encrypt.dek.algorithm': algorithm, ...(rotation ? { 'encrypt.dek.expiry.days': '1' } : {}) };
        await env.register('prop', proto, { ruleSet: { domainRules: [encryptRule({}, params)] } });
        const bytes = await env.ser().serialize('prop', value);
        const secrets = { texts: new Set<string>(), bytes: [] as Buffer[] };
        secretsOf(value, secrets);
        if (secrets.texts.size + secrets.bytes.length > 0) withSecrets++;
        for (const s of secrets.texts) {
          expect(bytes.includes(Buffer.from(s, 'utf8'))).toBe(false);
          for (const u of s.match(UUID) ?? []) expect(bytes.includes(Buffer.from(u))).toBe(false);
        }
        for (const b of secrets.bytes) expect(bytes.includes(b)).toBe(false);
        const back = await env.de().deserialize('prop', bytes);
        expect(back).toEqual(expected(proto, 'prop.Root', value));
      }),
      { numRuns: 120 },
    );
    expect(withSecrets).toBeGreaterThan(30);
  });
});
