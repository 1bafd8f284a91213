/**
 * Rule semantics through the JSON Schema serde: DEK algorithms, rotation, onFailure actions
 * (ERROR / NONE / "ERROR,NONE" / DLQ / custom), disabled rules, enableAt, client overrides,
 * and the write-side guarantee that a failure never yields bytes carrying the plaintext.
 */
import { ErrorCodes, createLocalKms, type KmsClient, type RuleActionContext } from '@csfle/core';
import { createJsonSchemaDeserializer, createJsonSchemaSerializer } from '@csfle/json-schema';
import { body, codes, encryptRule, makeEnv, payloadRule } from './helpers.js';

const SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    email: { type: 'string', 'confluent:tags': ['PII'] },
    profile: { type: 'object', properties: { bio: { type: 'string', 'confluent:tags': ['PII'] } } },
  },
};
const EMAIL = 'bob.secret@example.com';
const BIO = 'a biography that is secret';
const user = () => ({ id: 1, email: EMAIL, profile: { bio: BIO } });
const raw = (bytes: Buffer) => body(bytes) as { id: number; email: string; profile: { bio: string } };
const leaks = (bytes: Buffer) => bytes.includes(Buffer.from(EMAIL)) || bytes.includes(Buffer.from(BIO));

/** A KMS that always fails to wrap/unwrap (key unavailable). */
const brokenKms: KmsClient = {
  kmsType: 'local-kms',
  supports: (u) => u.startsWith('local-kms://'),
  wrap: async () => {
    throw new Error('kms down');
  },
  unwrap: async () => {
    throw new Error('kms down');
  },
};

describe('DEK algorithms', () => {
  it.each([
    ['AES128_GCM', 28],
    ['AES256_GCM', 28],
    ['AES256_SIV', 16],
  ])('%s: ciphertext layout and round trip', async (alg, overhead) => {
    const env = makeEnv();
    await env.register('alg', SCHEMA, { ruleSet: { domainRules: [encryptRule({}, { 'encrypt.dek.algorithm': alg })] } });
    const ser = env.ser();
    const b1 = await ser.serialize('alg', user());
    const b2 = await ser.serialize('alg', user());
    expect(Buffer.from(raw(b1).email, 'base64')).toHaveLength(EMAIL.length + overhead);
    if (alg === 'AES256_SIV') expect(b2).toEqual(b1);
    else expect(raw(b2).email).not.toBe(raw(b1).email);
    expect(await env.de().deserialize('alg', b1)).toEqual(user());
    expect((await env.deks.getDek('kek1', 'alg-value', 1, alg as 'AES256_GCM'))?.algorithm).toBe(alg);
  });
});

describe('DEK rotation (encrypt.dek.expiry.days)', () => {
  it('creates a new DEK version after expiry; ciphertext carries 0x00 + version; old data still decrypts', async () => {
    const env = makeEnv();
    await env.register('rot', SCHEMA, { ruleSet: { domainRules: [encryptRule({}, { 'encrypt.dek.expiry.days': '1' })] } });
    const ser = env.ser();
    const v1 = await ser.serialize('rot', user());
    const e1 = Buffer.from(raw(v1).email, 'base64');
    expect(e1.subarray(0, 5).toString('hex')).toBe('0000000001');
    expect(e1).toHaveLength(EMAIL.length + 28 + 5);
    env.now.t += 12 * 3600_000;
    expect(Buffer.from(raw(await ser.serialize('rot', user())).email, 'base64').subarray(0, 5).toString('hex')).toBe('0000000001');
    env.now.t += 24 * 3600_000;
    const v2 = await ser.serialize('rot', user());
    expect(Buffer.from(raw(v2).profile.bio, 'base64').subarray(0, 5).toString('hex')).toBe('0000000002');
    expect(await env.deks.listDekVersions('kek1', 'rot-value')).toEqual([1, 2]);
    expect(await env.de().deserialize('rot', v1)).toEqual(user());
    expect(await env.de().deserialize('rot', v2)).toEqual(user());
  });

  it('rotation applies to payload encryption too', async () => {
    const env = makeEnv();
    await env.register('rotp', SCHEMA, { ruleSet: { encodingRules: [payloadRule({}, { 'encrypt.dek.expiry.days': '1' })] } });
    const bytes = await env.ser().serialize('rotp', user());
    expect(bytes.subarray(5, 10).toString('hex')).toBe('0000000001');
    expect(await env.de().deserialize('rotp', bytes)).toEqual(user());
  });
});

describe('onFailure', () => {
  it('ERROR (default): the write fails with RULE_FAILED and no bytes', async () => {
    const env = makeEnv();
    await env.register('err', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const e = await env.ser({ kms: [brokenKms] }).serialize('err', user()).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'RuleError', code: ErrorCodes.RULE_FAILED, action: 'ERROR' });
    expect(JSON.stringify(e)).not.toContain(EMAIL);
  });

  it('NONE on write: refused with PLAINTEXT_REFUSED unless unsafeAllowPlaintextOnWriteFailure', async () => {
    const env = makeEnv();
    await env.register('none', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' })] } });
    await expect(env.ser({ kms: [brokenKms] }).serialize('none', user())).rejects.toMatchObject({ code: ErrorCodes.PLAINTEXT_REFUSED, action: 'NONE' });
    const bytes = await env.ser({ kms: [brokenKms], unsafeAllowPlaintextOnWriteFailure: true }).serialize('none', user());
    expect(raw(bytes).email).toBe(EMAIL);
  });

  it('"ERROR,NONE": a write failure throws; a read failure passes ciphertext through and reports it per field', async () => {
    const env = makeEnv();
    await env.register('pair', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'ERROR,NONE' })] } });
    await expect(env.ser({ kms: [brokenKms] }).serialize('pair', user())).rejects.toMatchObject({ code: ErrorCodes.RULE_FAILED });
    const bytes = await env.ser().serialize('pair', user());
    const wrongSecret = createJsonSchemaDeserializer({ registry: env.registry, deks: env.deks, kms: [createLocalKms({ secret: 'not-the-secret' })] });
    const r = await wrongSecret.deserializeWithReport('pair', bytes);
    expect(r.value).toEqual(raw(bytes));
    expect(r.outcomes.map((o) => [o.field, o.outcome, o.code])).toEqual([
      ['$.email', 'passed-through', ErrorCodes.KMS_INVALID_CIPHERTEXT],
      ['$.profile.bio', 'passed-through', ErrorCodes.KMS_INVALID_CIPHERTEXT],
    ]);
  });

  it('DLQ: throws a RuleError whose action is DLQ (for the Kafka wrapper)', async () => {
    const env = makeEnv();
    await env.register('dlq', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'DLQ' })] } });
    await expect(env.ser({ kms: [brokenKms] }).serialize('dlq', user())).rejects.toMatchObject({ name: 'RuleError', action: 'DLQ' });
    const bytes = await env.ser().serialize('dlq', user());
    await expect(env.de({ kms: [brokenKms] }).deserialize('dlq', bytes)).rejects.toMatchObject({ action: 'DLQ', code: ErrorCodes.RULE_FAILED });
  });

  it('custom actions are called with the context; unknown actions fail', async () => {
    const env = makeEnv();
    await env.register('custom', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'ALERT', onSuccess: 'AUDIT' })] } });
    const seen: Array<{ name: string; ctx: RuleActionContext }> = [];
    const actions = {
      ALERT: (ctx: RuleActionContext) => void seen.push({ name: 'ALERT', ctx }),
      AUDIT: (ctx: RuleActionContext) => void seen.push({ name: 'AUDIT', ctx }),
    };
    const bytes = await env.ser({ actions }).serialize('custom', user());
    expect(seen.map((s) => [s.name, s.ctx.mode, s.ctx.subject, s.ctx.topic])).toEqual([['AUDIT', 'WRITE', 'custom-value', 'custom']]);
    const r = await env.de({ actions, kms: [brokenKms] }).deserializeWithReport('custom', bytes);
    expect(seen[1]?.name).toBe('ALERT');
    expect(r.outcomes.every((o) => o.outcome === 'passed-through')).toBe(true);
    await expect(env.ser({ actions, kms: [brokenKms] }).serialize('custom', user())).rejects.toMatchObject({ code: ErrorCodes.PLAINTEXT_REFUSED });
    await expect(env.ser({ kms: [brokenKms] }).serialize('custom', user())).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_ACTION });
  });
});

describe('disabled rules, enableAt, overrides, modes', () => {
  it('a disabled rule is skipped on write and read', async () => {
    const env = makeEnv();
    await env.register('dis', SCHEMA, { ruleSet: { domainRules: [encryptRule({ disabled: true })] } });
    expect(raw(await env.ser().serialize('dis', user())).email).toBe(EMAIL);
    expect(await env.deks.listKeks()).toEqual([]);
  });

  it('enableAt other than ALL/CLIENT disables every rule of the set', async () => {
    const env = makeEnv();
    await env.register('ea', SCHEMA, { ruleSet: { domainRules: [encryptRule()], enableAt: 'SERVER' } as never });
    expect(raw(await env.ser().serialize('ea', user())).email).toBe(EMAIL);
    await env.register('ea2', SCHEMA, { ruleSet: { domainRules: [encryptRule()], enableAt: 'CLIENT' } as never });
    expect(raw(await env.ser().serialize('ea2', user())).email).not.toBe(EMAIL);
  });

  it('ruleOverrides: disabling ENCRYPT on the reader passes ciphertext through; onFailure override', async () => {
    const env = makeEnv();
    await env.register('ov', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('ov', user());
    expect(await env.de({ ruleOverrides: [{ type: 'ENCRYPT', disabled: true }] }).deserialize('ov', bytes)).toEqual(raw(bytes));
    const r = await env.de({ kms: [], ruleOverrides: [{ type: 'ENCRYPT', onFailure: 'NONE' }] }).deserializeWithReport('ov', bytes);
    expect(r.outcomes.map((o) => o.outcome)).toEqual(['passed-through', 'passed-through']);
  });

  it('mode WRITE encrypts and never decrypts; mode READ never encrypts', async () => {
    const env = makeEnv();
    await env.register('mw', SCHEMA, { ruleSet: { domainRules: [encryptRule({ mode: 'WRITE' })] } });
    const bytes = await env.ser().serialize('mw', user());
    expect(leaks(bytes)).toBe(false);
    expect(await env.de().deserialize('mw', bytes)).toEqual(raw(bytes));
    await env.register('mr', SCHEMA, { ruleSet: { domainRules: [encryptRule({ mode: 'READ' })] } });
    expect(raw(await env.ser().serialize('mr', user())).email).toBe(EMAIL);
  });
});

describe('a failing write never yields bytes containing the plaintext', () => {
  const env = makeEnv();
  const base = { registry: env.registry, deks: env.deks, useLatestVersion: true } as const;
  beforeAll(async () => {
    await env.register('f1', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    await env.register('f2', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' })] } });
    await env.register('f3', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'ERROR,NONE' })] } });
    await env.register('f4', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'DLQ' })] } });
    await env.register('f5', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'CUSTOM' })] } });
    await env.register('f6', SCHEMA, { ruleSet: { domainRules: [{ ...encryptRule(), params: {} }] } });
    await env.register('f7', SCHEMA, { ruleSet: { encodingRules: [payloadRule({ onFailure: 'NONE' })] } });
    await env.register('f8', { ...SCHEMA, properties: { ...SCHEMA.properties, n: { type: 'integer', 'confluent:tags': ['PII'] } } }, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' })] } });
    await env.register('f9', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' }), encryptRule({ name: 'second', onFailure: 'NONE' }, { 'encrypt.kek.name': 'kek2' })] } });
  });
  const failing: Array<[string, () => Promise<Buffer>]> = [
    ['ERROR, KMS down', () => createJsonSchemaSerializer({ ...base, kms: [brokenKms] }).serialize('f1', user())],
    ['ERROR, no KMS client', () => createJsonSchemaSerializer({ ...base }).serialize('f1', user())],
    ['NONE', () => createJsonSchemaSerializer({ ...base, kms: [brokenKms] }).serialize('f2', user())],
    ['ERROR,NONE', () => createJsonSchemaSerializer({ ...base, kms: [brokenKms] }).serialize('f3', user())],
    ['DLQ', () => createJsonSchemaSerializer({ ...base, kms: [brokenKms] }).serialize('f4', user())],
    ['custom action', () => createJsonSchemaSerializer({ ...base, kms: [brokenKms], actions: { CUSTOM: () => undefined } }).serialize('f5', user())],
    ['no kek name', () => createJsonSchemaSerializer({ ...base, kms: [createLocalKms({ secret: 's' })] }).serialize('f6', user())],
    ['payload NONE', () => createJsonSchemaSerializer({ ...base, kms: [brokenKms] }).serialize('f7', user())],
    ['NONE, tagged integer', () => createJsonSchemaSerializer({ ...base, kms: [createLocalKms({ secret: 's' })] }).serialize('f8', { ...user(), n: 5 })],
    ['NONE, two rules', () => createJsonSchemaSerializer({ ...base, kms: [brokenKms] }).serialize('f9', user())],
  ];
  it.each(failing)('%s', async (_name, run) => {
    let out: unknown;
    let err: unknown;
    try {
      out = await run();
    } catch (e) {
      err = e;
    }
    expect(out).toBeUndefined();
    expect(err).toBeDefined();
    for (let c: unknown = err; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
      for (const t of [String((c as Error).message), JSON.stringify(c)]) {
        expect(t).not.toContain(EMAIL);
        expect(t).not.toContain(BIO);
      }
    }
    expect(codes(err)[0]).toMatch(/RULE_FAILED|PLAINTEXT_REFUSED|UNKNOWN_ACTION/);
  });

  it('the unsafe opt-in is the only way plaintext reaches the wire', async () => {
    const bytes = await createJsonSchemaSerializer({ ...base, kms: [brokenKms], unsafeAllowPlaintextOnWriteFailure: true }).serialize('f2', user());
    expect(leaks(bytes)).toBe(true);
    const safe = await createJsonSchemaSerializer({ ...base, kms: [createLocalKms({ secret: 'mysecret' })] }).serialize('f1', user());
    expect(leaks(safe)).toBe(false);
  });
});
