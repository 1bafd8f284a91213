/**
 * Rule semantics through the Protobuf serde: DEK algorithms, rotation, payload encryption,
 * onFailure actions (ERROR / NONE / "ERROR,NONE" / DLQ / custom), disabled rules, enableAt,
 * client overrides, and the write-side guarantee that a failure never yields bytes carrying the
 * plaintext, nested fields included.
 */
import { ErrorCodes, createLocalKms, type KmsClient, type RuleActionContext } from '@csfle/core';
import { createProtobufDeserializer, createProtobufSerializer } from '@csfle/protobuf';
import { codes, encryptRule, expected, body as rawBody, makeEnv, payloadRule, texts } from './helpers.js';

const PROTO = `syntax = "proto3";
package app;
import "confluent/meta.proto";
message User {
  int32 id = 1;
  string email = 2 [(confluent.field_meta).tags = "PII"];
  bytes blob = 3 [(confluent.field_meta).tags = "PII"];
  Profile profile = 4;
  message Profile {
    string ssn = 1 [(confluent.field_meta).tags = "PII"];
  }
}`;
const EMAIL = 'bob.secret@example.com';
const BLOB = 'binary-secret-blob';
const SSN = '123-45-6789-nested';
const user = () => ({ id: 1, email: EMAIL, blob: Buffer.from(BLOB), profile: { ssn: SSN } });
const want = () => expected(PROTO, 'app.User', user());
type Raw = { id: number; email: string; blob: Buffer; profile: { ssn: string } };
const body = (bytes: Buffer) => rawBody(PROTO, 'app.User', bytes) as unknown as Raw;
const leaks = (bytes: Buffer) => [EMAIL, BLOB, SSN].some((s) => bytes.includes(Buffer.from(s)));

describe('DEK algorithms', () => {
  it.each([
    ['AES128_GCM', 28],
    ['AES256_GCM', 28],
    ['AES256_SIV', 16],
  ])('%s: ciphertext layout and round trip', async (alg, overhead) => {
    const env = makeEnv();
    await env.register('alg', PROTO, { ruleSet: { domainRules: [encryptRule({}, { 'encrypt.dek.algorithm': alg })] } });
    const ser = env.ser();
    const b1 = await ser.serialize('alg', user());
    const b2 = await ser.serialize('alg', user());
    const r1 = body(b1);
    expect(Buffer.from(r1.email, 'base64')).toHaveLength(EMAIL.length + overhead);
    expect(r1.blob).toHaveLength(BLOB.length + overhead);
    expect(Buffer.from(r1.profile.ssn, 'base64')).toHaveLength(SSN.length + overhead);
    if (alg === 'AES256_SIV') {
      expect(b2).toEqual(b1); // deterministic: same value and DEK → same bytes
    } else {
      expect(body(b2).email).not.toBe(r1.email);
    }
    expect(await env.de().deserialize('alg', b1)).toEqual(want());
    expect((await env.deks.getDek('kek1', 'alg-value', 1, alg as 'AES256_GCM'))?.algorithm).toBe(alg);
  });
});

describe('DEK rotation (encrypt.dek.expiry.days)', () => {
  it('creates a new DEK version after expiry; ciphertext carries 0x00 + version; old data still decrypts', async () => {
    const env = makeEnv();
    await env.register('rot', PROTO, { ruleSet: { domainRules: [encryptRule({}, { 'encrypt.dek.expiry.days': '1' })] } });
    const ser = env.ser();
    const v1 = await ser.serialize('rot', user());
    const e1 = Buffer.from(body(v1).email, 'base64');
    expect(e1.subarray(0, 5).toString('hex')).toBe('0000000001');
    expect(e1).toHaveLength(EMAIL.length + 28 + 5);
    expect(body(v1).blob.subarray(0, 5).toString('hex')).toBe('0000000001');
    expect(Buffer.from(body(v1).profile.ssn, 'base64').subarray(0, 5).toString('hex')).toBe('0000000001');
    env.now.t += 36 * 3600_000; // past expiry
    const v2 = await ser.serialize('rot', user());
    expect(Buffer.from(body(v2).email, 'base64').subarray(0, 5).toString('hex')).toBe('0000000002');
    expect(await env.deks.listDekVersions('kek1', 'rot-value')).toEqual([1, 2]);
    expect(await env.de().deserialize('rot', v1)).toEqual(want());
    expect(await env.de().deserialize('rot', v2)).toEqual(want());
  });

  it('rotation applies to payload encryption too (the prefix follows the message indexes)', async () => {
    const env = makeEnv();
    await env.register('rotp', PROTO, { ruleSet: { encodingRules: [payloadRule({}, { 'encrypt.dek.expiry.days': '1' })] } });
    const bytes = await env.ser().serialize('rotp', user());
    expect(bytes[5]).toBe(0); // message indexes [0]
    expect(bytes.subarray(6, 11).toString('hex')).toBe('0000000001');
    expect(leaks(bytes)).toBe(false);
    expect(await env.de().deserialize('rotp', bytes)).toEqual(want());
  });
});

describe('onFailure', () => {
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

  it('ERROR (default): the write fails with RULE_FAILED and no bytes', async () => {
    const env = makeEnv();
    await env.register('err', PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    const e = await env.ser({ kms: [brokenKms] }).serialize('err', user()).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'RuleError', code: ErrorCodes.RULE_FAILED, action: 'ERROR' });
    for (const t of texts(e)) expect(t).not.toContain(EMAIL);
  });

  it('NONE on write: refused with PLAINTEXT_REFUSED unless unsafeAllowPlaintextOnWriteFailure', async () => {
    const env = makeEnv();
    await env.register('none', PROTO, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' })] } });
    await expect(env.ser({ kms: [brokenKms] }).serialize('none', user())).rejects.toMatchObject({ code: ErrorCodes.PLAINTEXT_REFUSED, action: 'NONE' });
    const bytes = await env.ser({ kms: [brokenKms], unsafeAllowPlaintextOnWriteFailure: true }).serialize('none', user());
    expect(body(bytes).email).toBe(EMAIL); // Confluent's behaviour, only when asked for by name
  });

  it('"ERROR,NONE": a write failure throws; a read failure passes ciphertext through, per field, and reports it', async () => {
    const env = makeEnv();
    await env.register('pair', PROTO, { ruleSet: { domainRules: [encryptRule({ onFailure: 'ERROR,NONE' })] } });
    await expect(env.ser({ kms: [brokenKms] }).serialize('pair', user())).rejects.toMatchObject({ code: ErrorCodes.RULE_FAILED });
    const bytes = await env.ser().serialize('pair', user());
    const wrongSecret = createProtobufDeserializer({ registry: env.registry, deks: env.deks, kms: [createLocalKms({ secret: 'not-the-secret' })] });
    const r = await wrongSecret.deserializeWithReport('pair', bytes);
    const v = r.value as Raw;
    expect(v.email).toBe(body(bytes).email); // the stored base64 ciphertext
    expect(v.blob).toEqual(body(bytes).blob);
    expect(v.profile.ssn).toBe(body(bytes).profile.ssn);
    expect(r.outcomes.map((o) => [o.field, o.outcome, o.code])).toEqual([
      ['app.User.email', 'passed-through', ErrorCodes.KMS_INVALID_CIPHERTEXT],
      ['app.User.blob', 'passed-through', ErrorCodes.KMS_INVALID_CIPHERTEXT],
      ['app.User.Profile.ssn', 'passed-through', ErrorCodes.KMS_INVALID_CIPHERTEXT],
    ]);
  });

  it('DLQ: throws a RuleError whose action is DLQ, on write and on read', async () => {
    const env = makeEnv();
    await env.register('dlq', PROTO, { ruleSet: { domainRules: [encryptRule({ onFailure: 'DLQ' })] } });
    await expect(env.ser({ kms: [brokenKms] }).serialize('dlq', user())).rejects.toMatchObject({ name: 'RuleError', action: 'DLQ' });
    const bytes = await env.ser().serialize('dlq', user());
    await expect(env.de({ kms: [brokenKms] }).deserialize('dlq', bytes)).rejects.toMatchObject({ action: 'DLQ', code: ErrorCodes.RULE_FAILED });
  });

  it('custom actions are called with the context; unknown actions fail', async () => {
    const env = makeEnv();
    await env.register('custom', PROTO, { ruleSet: { domainRules: [encryptRule({ onFailure: 'ALERT', onSuccess: 'AUDIT' })] } });
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

describe('disabled rules, enableAt, overrides', () => {
  it('a disabled rule is skipped on write and read; enableAt SERVER disables the set', async () => {
    const env = makeEnv();
    await env.register('dis', PROTO, { ruleSet: { domainRules: [encryptRule({ disabled: true })] } });
    expect(body(await env.ser().serialize('dis', user())).email).toBe(EMAIL);
    await env.register('ea', PROTO, { ruleSet: { domainRules: [encryptRule()], enableAt: 'SERVER' } as never });
    expect(body(await env.ser().serialize('ea', user())).profile.ssn).toBe(SSN);
    expect(await env.deks.listKeks()).toEqual([]);
  });

  it('ruleOverrides: disabling ENCRYPT on the reader passes ciphertext through; an onFailure override', async () => {
    const env = makeEnv();
    await env.register('ov', PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('ov', user());
    const v = (await env.de({ ruleOverrides: [{ type: 'ENCRYPT', disabled: true }] }).deserialize('ov', bytes)) as Raw;
    expect(v.profile.ssn).toBe(body(bytes).profile.ssn);
    const r = await env.de({ kms: [], ruleOverrides: [{ type: 'ENCRYPT', onFailure: 'NONE' }] }).deserializeWithReport('ov', bytes);
    expect(r.outcomes.map((o) => o.outcome)).toEqual(['passed-through', 'passed-through', 'passed-through']);
  });
});

describe('a failing write never yields bytes containing the plaintext', () => {
  const env = makeEnv();
  const brokenKms: KmsClient = {
    kmsType: 'local-kms',
    supports: () => true,
    wrap: async () => {
      throw new Error('down');
    },
    unwrap: async () => {
      throw new Error('down');
    },
  };
  const base = { registry: env.registry, deks: env.deks, useLatestVersion: true } as const;
  const TAGGED_INT = `syntax = "proto3";
package app;
import "confluent/meta.proto";
message User {
  int32 id = 1 [(confluent.field_meta).tags = "PII"];
  string email = 2 [(confluent.field_meta).tags = "PII"];
  bytes blob = 3 [(confluent.field_meta).tags = "PII"];
  Profile profile = 4;
  message Profile {
    string ssn = 1 [(confluent.field_meta).tags = "PII"];
  }
}`;
  beforeAll(async () => {
    await env.register('f1', PROTO, { ruleSet: { domainRules: [encryptRule()] } });
    await env.register('f2', PROTO, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' })] } });
    await env.register('f3', PROTO, { ruleSet: { domainRules: [encryptRule({ onFailure: 'ERROR,NONE' })] } });
    await env.register('f4', PROTO, { ruleSet: { domainRules: [encryptRule({ onFailure: 'DLQ' })] } });
    await env.register('f5', PROTO, { ruleSet: { domainRules: [encryptRule({ onFailure: 'CUSTOM' })] } });
    await env.register('f6', PROTO, { ruleSet: { domainRules: [{ ...encryptRule(), params: {} }] } });
    await env.register('f7', PROTO, { ruleSet: { encodingRules: [payloadRule({ onFailure: 'NONE' })] } });
    await env.register('f8', TAGGED_INT, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' })] } });
  });
  const local = [createLocalKms({ secret: 'mysecret' })];
  it.each<[string, () => Promise<Buffer>]>([
    ['ERROR, KMS down', () => createProtobufSerializer({ ...base, kms: [brokenKms] }).serialize('f1', user())],
    ['ERROR, no KMS client', () => createProtobufSerializer({ ...base }).serialize('f1', user())],
    ['NONE', () => createProtobufSerializer({ ...base, kms: [brokenKms] }).serialize('f2', user())],
    ['ERROR,NONE', () => createProtobufSerializer({ ...base, kms: [brokenKms] }).serialize('f3', user())],
    ['DLQ', () => createProtobufSerializer({ ...base, kms: [brokenKms] }).serialize('f4', user())],
    ['custom action', () => createProtobufSerializer({ ...base, kms: [brokenKms], actions: { CUSTOM: () => undefined } }).serialize('f5', user())],
    ['no kek name', () => createProtobufSerializer({ ...base, kms: local }).serialize('f6', user())],
    ['payload NONE', () => createProtobufSerializer({ ...base, kms: [brokenKms] }).serialize('f7', user())],
    ['tagged int32, NONE', () => createProtobufSerializer({ ...base, kms: local }).serialize('f8', user())],
    ['a value not matching the schema', () => createProtobufSerializer({ ...base, kms: local }).serialize('f1', { ...user(), id: 'not-a-number' })],
    ['a nested value not matching', () => createProtobufSerializer({ ...base, kms: local }).serialize('f1', { ...user(), profile: { ssn: 5 } })],
  ])('%s', async (_name, run) => {
    let out: unknown;
    let err: unknown;
    try {
      out = await run();
    } catch (e) {
      err = e;
    }
    expect(out).toBeUndefined();
    expect(err).toBeDefined();
    for (const t of texts(err)) for (const s of [EMAIL, BLOB, SSN]) expect(t).not.toContain(s);
    expect(codes(err)[0]).toMatch(/RULE_FAILED|PLAINTEXT_REFUSED|UNKNOWN_ACTION|SERIALIZATION_FAILED/);
  });

  it('the unsafe opt-in is the only way plaintext reaches the wire', async () => {
    const bytes = await createProtobufSerializer({ ...base, kms: [brokenKms], unsafeAllowPlaintextOnWriteFailure: true }).serialize('f2', user());
    expect(leaks(bytes)).toBe(true);
    expect(leaks(await createProtobufSerializer({ ...base, kms: local }).serialize('f1', user()))).toBe(false);
  });
});
