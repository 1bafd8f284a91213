import { plan, ruleFieldPredicate, type FieldInfo, type LeafVisitor } from '../src/fields.js';

const f = (name: string, type: FieldInfo['type'] = 'STRING', tags: string[] = ['PII']): FieldInfo => ({
  fullName: `ns.R.${name}`,
  name,
  type,
  tags: new Set(tags),
});
const upper: LeafVisitor = (_f, v) => String(v).toUpperCase();

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('plan combinators', () => {
  const t = plan.record(
    [
      ['a', plan.leaf(f('a'))],
      ['nested', plan.record([['b', plan.leaf(f('b'))]], false)],
      ['list', plan.array(plan.leaf(f('list')), false)],
      ['dict', plan.map(plan.leaf(f('dict')), false)],
    ],
    false,
  );

  it('copy-on-write: transforms a copy and never mutates the input', () => {
    const input = deepFreeze({ a: 'x', keep: 'k', nested: { b: 'y', c: 1 }, list: ['p', null], dict: { k: 'v' }, untouched: { z: 1 } });
    const out = t(input, upper) as typeof input;
    expect(out).toEqual({ a: 'X', keep: 'k', nested: { b: 'Y', c: 1 }, list: ['P', null], dict: { k: 'V' }, untouched: { z: 1 } });
    expect(input.a).toBe('x');
    expect(out.untouched).toBe(input.untouched); // untouched sub-trees are shared, not copied
  });

  it('returns the same object when nothing changes', () => {
    const input = { a: null, nested: null, list: [] as unknown[] };
    expect(t(input, upper)).toBe(input);
  });

  it('in-place variant mutates', () => {
    const ip = plan.record([['a', plan.leaf(f('a'))]], true);
    const o = { a: 'x' };
    expect(ip(o, upper)).toBe(o);
    expect(o.a).toBe('X');
  });

  it('handles Map values and keeps class prototypes', () => {
    class Rec {
      constructor(public a: string) {}
    }
    const m = plan.map(plan.record([['a', plan.leaf(f('a'))]], false), false);
    const input = new Map([['k', new Rec('x')]]);
    const out = m(input, upper) as Map<string, Rec>;
    expect(out.get('k')).toBeInstanceOf(Rec);
    expect(out.get('k')?.a).toBe('X');
    expect(input.get('k')?.a).toBe('x');
  });

  it('select picks a sub-plan per value; lazy supports recursion', () => {
    const slot = plan.lazy();
    const node = plan.record(
      [
        ['v', plan.leaf(f('v'))],
        ['next', plan.select((v) => (typeof v === 'object' ? slot.t : undefined))],
      ],
      false,
    );
    slot.set(node);
    const out = node({ v: 'a', next: { v: 'b', next: { v: 'c', next: null } } }, upper);
    expect(out).toEqual({ v: 'A', next: { v: 'B', next: { v: 'C', next: null } } });
  });

  it('sequence applies every transformer', () => {
    const s = plan.sequence([plan.leaf(f('a')), plan.leaf(f('a'))]);
    expect(s('x', (_f, v) => `${String(v)}!`)).toBe('x!!');
  });
});

describe('ruleFieldPredicate', () => {
  it('matches any shared tag', () => {
    const p = ruleFieldPredicate(['PII', 'PHI']);
    expect(p(f('a', 'STRING', ['PHI']))).toBe(true);
    expect(p(f('a', 'STRING', ['OTHER']))).toBe(false);
  });
  it('a rule without tags matches every non-container field (Confluent semantics)', () => {
    const p = ruleFieldPredicate(undefined);
    expect(p(f('a', 'INT', []))).toBe(true);
    expect(p(f('a', 'ENUM', []))).toBe(true);
    expect(p(f('a', 'RECORD', []))).toBe(false);
  });
});
