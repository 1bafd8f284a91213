import {
  ErrorCodes,
  createLocalKms,
  createRuleEngine,
  plan,
  type FieldInfo,
  type FieldOutcome,
  type Rule,
  type RuleEngineOptions,
  type RuleTarget,
  type SchemaInfo,
} from '@csfle/core';
import { createInMemoryDekRegistry } from '@csfle/registry';

/** A tiny format: a flat record whose fields are declared with a type and tags. */
function target(info: SchemaInfo, fields: Record<string, { type: FieldInfo['type']; tags: string[] }>): RuleTarget {
  return {
    info,
    buildTransformer(match) {
      const entries = Object.entries(fields)
        .map(([name, d]) => ({ fullName: `t.R.${name}`, name, type: d.type, tags: new Set(d.tags) }) as FieldInfo)
        .filter(match)
        .map((f) => [f.name, plan.leaf(f)] as const);
      return entries.length ? plan.record(entries, false) : undefined;
    },
  };
}

const PARAMS = { 'encrypt.kek.name': 'kek1', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'mykey' };
const rule = (over: Partial<Rule> = {}): Rule => ({ name: 'pii', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], params: PARAMS, ...over });
const FIELDS = {
  email: { type: 'STRING' as const, tags: ['PII'] },
  photo: { type: 'BYTES' as const, tags: ['PII'] },
  name: { type: 'STRING' as const, tags: [] },
};
const CTX = { subject: 't-value', topic: 't', isKey: false };
const value = () => ({ email: 'alice@example.com', photo: Buffer.from('raw-photo'), name: 'Alice' });

function setup(rules: Rule[], opts: Partial<RuleEngineOptions> = {}, fields: Parameters<typeof target>[1] = FIELDS, extra: Partial<SchemaInfo> = {}) {
  const deks = createInMemoryDekRegistry();
  const kms = [createLocalKms({ secret: 'mysecret' })];
  const engine = createRuleEngine({ deks, kms, ...opts });
  const t = target({ schema: 'x', ruleSet: { domainRules: rules }, ...extra }, fields);
  return { deks, kms, engine, t };
}

describe('rule engine', () => {
  it('encrypts tagged string and bytes fields and decrypts them back, with outcomes', async () => {
    const { engine, t } = setup([rule()]);
    const input = Object.freeze(value());
    const report: FieldOutcome[] = [];
    const enc = (await engine.runDomain(t, 'WRITE', input, { ...CTX, report })) as ReturnType<typeof value>;
    expect(input.email).toBe('alice@example.com'); // not mutated
    expect(enc.name).toBe('Alice');
    expect(Buffer.from(enc.email, 'base64')).toHaveLength('alice@example.com'.length + 28);
    expect(enc.photo).toHaveLength('raw-photo'.length + 28);
    expect(report.map((o) => `${o.field}:${o.outcome}`)).toEqual(['t.R.email:encrypted', 't.R.photo:encrypted']);
    const back: FieldOutcome[] = [];
    const dec = (await engine.runDomain(t, 'READ', enc, { ...CTX, report: back })) as ReturnType<typeof value>;
    expect(dec.email).toBe('alice@example.com');
    expect(dec.photo.toString()).toBe('raw-photo');
    expect(back.map((o) => o.outcome)).toEqual(['decrypted', 'decrypted']);
  });

  it('does not touch the DEK registry when every protected field is null', async () => {
    const { engine, t, deks } = setup([rule({ params: { 'encrypt.kek.name': 'kek1' } })]); // no kms type: KEK creation would fail
    const out = await engine.runDomain(t, 'WRITE', { email: null, photo: null, name: 'x' }, CTX);
    expect(out).toEqual({ email: null, photo: null, name: 'x' });
    expect(await deks.listKeks()).toEqual([]);
  });

  it('rotation: ciphertext carries 0x00 + version', async () => {
    const { engine, t } = setup([rule({ params: { ...PARAMS, 'encrypt.dek.expiry.days': '1' } })]);
    const enc = (await engine.runDomain(t, 'WRITE', value(), CTX)) as ReturnType<typeof value>;
    expect(Buffer.from(enc.email, 'base64').subarray(0, 5).toString('hex')).toBe('0000000001');
    expect(((await engine.runDomain(t, 'READ', enc, CTX)) as ReturnType<typeof value>).email).toBe('alice@example.com');
  });

  it('runs write rules in order and read rules in reverse', async () => {
    const seen: string[] = [];
    const actions = { TRACE: (c: { rule: Rule; mode: string }) => void seen.push(`${c.mode}:${c.rule.name}`) };
    const { engine, t } = setup(
      [rule({ name: 'a', onSuccess: 'TRACE' }), rule({ name: 'b', tags: ['OTHER'], onSuccess: 'TRACE' })],
      { actions },
      { ...FIELDS, name: { type: 'STRING', tags: ['OTHER'] } },
    );
    const enc = await engine.runDomain(t, 'WRITE', value(), CTX);
    await engine.runDomain(t, 'READ', enc, CTX);
    expect(seen).toEqual(['WRITE:a', 'WRITE:b', 'READ:b', 'READ:a']);
  });

  it('honours mode, disabled, overrides and enableAt', async () => {
    const writeOnly = setup([rule({ mode: 'WRITE' })]);
    const enc = (await writeOnly.engine.runDomain(writeOnly.t, 'WRITE', value(), CTX)) as ReturnType<typeof value>;
    expect(((await writeOnly.engine.runDomain(writeOnly.t, 'READ', enc, CTX)) as ReturnType<typeof value>).email).toBe(enc.email);

    const disabled = setup([rule({ disabled: true })]);
    expect(await disabled.engine.runDomain(disabled.t, 'WRITE', value(), CTX)).toEqual(value());

    const overridden = setup([rule({ disabled: true })], { ruleOverrides: [{ type: 'ENCRYPT', disabled: false }] });
    expect(((await overridden.engine.runDomain(overridden.t, 'WRITE', value(), CTX)) as ReturnType<typeof value>).email).not.toBe(
      'alice@example.com',
    );

    const notClient = setup([rule()], {}, FIELDS, {});
    const tt = target({ schema: 'x', ruleSet: { domainRules: [rule()], enableAt: 'SERVER' } }, FIELDS);
    expect(await notClient.engine.runDomain(tt, 'WRITE', value(), CTX)).toEqual(value());
    expect(notClient.engine.hasRules(tt.info, 'DOMAIN', 'WRITE')).toBe(false);
  });

  describe('onFailure', () => {
    const badField = { ...FIELDS, age: { type: 'INT' as const, tags: ['PII'] } };
    const withAge = () => ({ ...value(), age: 42 });

    it('ERROR (default): write rejects with RULE_FAILED and the typed cause', async () => {
      const { engine, t } = setup([rule()], {}, badField);
      const err = await engine.runDomain(t, 'WRITE', withAge(), CTX).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: ErrorCodes.RULE_FAILED, action: 'ERROR', ruleName: 'pii', fieldPath: 't.R.age' });
      expect((err as Error).message).toBe('rule pii failed: type INT not supported for encryption (UNSUPPORTED_FIELD_TYPE)');
    });

    it('NONE on write refuses plaintext unless explicitly allowed', async () => {
      const refused = setup([rule({ onFailure: 'NONE' })], {}, badField);
      await expect(refused.engine.runDomain(refused.t, 'WRITE', withAge(), CTX)).rejects.toMatchObject({ code: ErrorCodes.PLAINTEXT_REFUSED });
      const allowed = setup([rule({ onFailure: 'NONE' })], { unsafeAllowPlaintextOnWriteFailure: true }, badField);
      expect(await allowed.engine.runDomain(allowed.t, 'WRITE', withAge(), CTX)).toEqual(withAge());
    });

    it('"ERROR,NONE": read passes ciphertext through per field and reports it', async () => {
      const w = setup([rule()]);
      const enc = (await w.engine.runDomain(w.t, 'WRITE', value(), CTX)) as ReturnType<typeof value>;
      // tamper with one field only
      const bad = Buffer.from(enc.email, 'base64');
      bad[bad.length - 1]! ^= 1;
      const tampered = { ...enc, email: bad.toString('base64') };
      const r = createRuleEngine({ deks: w.deks, kms: w.kms });
      const tr = target({ schema: 'x', ruleSet: { domainRules: [rule({ onFailure: 'ERROR,NONE' })] } }, FIELDS);
      const report: FieldOutcome[] = [];
      const out = (await r.runDomain(tr, 'READ', tampered, { ...CTX, report })) as ReturnType<typeof value>;
      expect(out.email).toBe(tampered.email);
      expect(out.photo.toString()).toBe('raw-photo');
      expect(report).toEqual([
        { rule: 'pii', field: 't.R.email', outcome: 'passed-through', code: ErrorCodes.DECRYPTION_FAILED, kek: 'kek1', dekVersion: 1 },
        { rule: 'pii', field: 't.R.photo', outcome: 'decrypted', kek: 'kek1', dekVersion: 1 },
      ]);
      // and with ERROR the read rejects, opaquely
      const strict = target({ schema: 'x', ruleSet: { domainRules: [rule()] } }, FIELDS);
      await expect(r.runDomain(strict, 'READ', tampered, CTX)).rejects.toMatchObject({
        code: ErrorCodes.RULE_FAILED,
        message: 'rule pii failed: decryption failed (DECRYPTION_FAILED)',
      });
    });

    it('DLQ is built in: the error carries action DLQ', async () => {
      const { engine, t } = setup([rule({ onFailure: 'DLQ' })], {}, badField);
      await expect(engine.runDomain(t, 'WRITE', withAge(), CTX)).rejects.toMatchObject({ action: 'DLQ', code: ErrorCodes.RULE_FAILED });
    });

    it('custom actions run with the typed error; unknown actions are typed errors', async () => {
      const got: string[] = [];
      const { engine, t } = setup([rule({ onFailure: 'ALERT' })], { actions: { ALERT: (c) => void got.push(c.error?.message ?? '') } }, badField);
      await expect(engine.runDomain(t, 'WRITE', withAge(), CTX)).rejects.toMatchObject({ code: ErrorCodes.PLAINTEXT_REFUSED });
      expect(got).toEqual(['rule pii failed: type INT not supported for encryption']);
      const u = setup([rule({ onFailure: 'NOPE' })], {}, badField);
      await expect(u.engine.runDomain(u.t, 'WRITE', withAge(), CTX)).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_ACTION });
      expect(() => createRuleEngine({ actions: { ERROR: () => undefined } })).toThrow(TypeError);
    });

    it('malformed params go through onFailure', async () => {
      const { engine, t } = setup([rule({ params: { 'encrypt.kek.name': 'k', 'encrypt.dek.expiry.days': 'soon' } })]);
      await expect(engine.runDomain(t, 'WRITE', value(), CTX)).rejects.toMatchObject({ code: ErrorCodes.RULE_FAILED });
    });

    it('a rule type without an executor goes through onFailure and later rules still run', async () => {
      const { engine, t } = setup([rule({ type: 'CEL', name: 'cel', onFailure: 'NONE', params: { expr: 'true' } }), rule()]);
      const enc = (await engine.runDomain(t, 'WRITE', value(), CTX)) as ReturnType<typeof value>;
      expect(enc.email).not.toBe('alice@example.com');
    });

    it('a mistyped encryption rule (its params name a KEK) with onFailure NONE refuses the write, not writes plaintext', async () => {
      const typo = rule({ type: 'ENCRPYT', onFailure: 'NONE' });
      const { engine, t } = setup([typo]);
      await expect(engine.runDomain(t, 'WRITE', value(), CTX)).rejects.toMatchObject({
        code: ErrorCodes.PLAINTEXT_REFUSED,
        message: expect.stringContaining('could not find rule executor of type ENCRPYT'),
      });
      // Reads are not affected, and the caller can still opt in explicitly.
      expect(await engine.runDomain(t, 'READ', value(), CTX)).toEqual(value());
      const unsafe = setup([typo], { unsafeAllowPlaintextOnWriteFailure: true });
      expect(await unsafe.engine.runDomain(unsafe.t, 'WRITE', value(), CTX)).toEqual(value());
    });

    it('an untagged rule applies to every primitive field and fails on non-string ones', async () => {
      const { engine, t } = setup([rule({ tags: [] })], {}, { name: { type: 'STRING', tags: [] }, age: { type: 'INT', tags: [] } });
      await expect(engine.runDomain(t, 'WRITE', { name: 'x', age: 1 }, CTX)).rejects.toMatchObject({ code: ErrorCodes.RULE_FAILED });
      const { engine: e2, t: t2 } = setup([rule({ tags: [] })], {}, { name: { type: 'STRING', tags: [] } });
      expect(((await e2.runDomain(t2, 'WRITE', { name: 'x' }, CTX)) as { name: string }).name).not.toBe('x');
    });
  });

  it('payload rules encrypt and decrypt the body', async () => {
    const deks = createInMemoryDekRegistry();
    const engine = createRuleEngine({ deks, kms: [createLocalKms({ secret: 's' })] });
    const t = target({ schema: 'x', ruleSet: { encodingRules: [(({ tags: _t, ...r }) => r)(rule({ type: 'ENCRYPT_PAYLOAD' }))] } }, {});
    const body = Buffer.from('serialized-body');
    const enc = await engine.runEncoding(t, 'WRITE', body, CTX);
    expect(enc.length).toBe(body.length + 28);
    expect(enc.includes(body)).toBe(false);
    expect((await engine.runEncoding(t, 'READ', enc, CTX)).toString()).toBe('serialized-body');
    const bad = Buffer.from(enc);
    bad[20]! ^= 0xff;
    await expect(engine.runEncoding(t, 'READ', bad, CTX)).rejects.toMatchObject({ code: ErrorCodes.RULE_FAILED });
  });
});
