import { fieldTags, wildcardMatch } from '../src/wildcard.js';

describe('wildcardMatch (external tag paths)', () => {
  const cases: Array<[name: string, pattern: string, expected: boolean]> = [
    ['com.acme.Customer.email', 'com.acme.Customer.email', true],
    ['com.acme.Customer.email', 'com.acme.Customer.*', true],
    ['com.acme.Customer.email', 'com.acme.*', false], // * stays within one segment
    ['com.acme.Customer.email', 'com.acme.**', true],
    ['com.acme.Customer.email', '**.email', true],
    ['com.acme.Customer.email', '**.*', true], // **.* is read as **
    ['com.acme.Customer.email', '*.email', false],
    ['com.acme.Customer.email', 'com.acme.Customer.emai?', true],
    ['com.acme.Customer.email', 'com.acme.Customer.ema?', false],
    ['com.acme.Customer.email', 'com?acme.Customer.email', false], // ? never matches '.'
    ['com.acme.Customer.email', 'com.acme.Customer.EMAIL', false], // case-sensitive
    ['com.acme.Customer.email', 'com.acme.Customer.emai', false], // whole-string match
    ['com.acme.Customer.', 'com.acme.Customer.*', true], // * matches zero characters
    ['a+b.c', 'a+b.c', true], // regex specials are literal
    ['a.b', 'a\\.b', true], // escaped dot
    ['$.user.email', '$.user.*', true], // JSON paths
    ['x', '[', false], // invalid pattern matches nothing
  ];
  it.each(cases)('%s ~ %s → %s', (name, pattern, expected) => {
    expect(wildcardMatch(name, pattern)).toBe(expected);
  });
});

describe('fieldTags', () => {
  it('merges inline and external tags', () => {
    const tags = fieldTags('ns.R.f', ['A'], { 'ns.R.*': ['B'], '**.g': ['C'], 'ns.R.f': ['A', 'D'] });
    expect([...tags].sort()).toEqual(['A', 'B', 'D']);
  });
  it('works without any tags', () => {
    expect(fieldTags('ns.R.f', undefined, undefined).size).toBe(0);
  });
});
