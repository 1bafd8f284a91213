/**
 * Rule semantics through the Avro serde: DEK algorithms, rotation, onFailure actions
 * (ERROR / NONE / "ERROR,NONE" / DLQ / custom), disabled rules, enableAt, client overrides,
 * and the write-side guarantee that a failure never yields bytes carrying the plaintext.
 */
import avsc from 'avsc';
import { ErrorCodes, createLocalKms, type KmsClient, type RuleActionContext } from '@csfle/core';
import { createAvroDeserializer, createAvroSerializer } from '@csfle/avro';
import { encryptRule, makeEnv, payloadRule, plain } from './helpers.js';

const SCHEMA = {
  type: 'record',
  name: 'User',
  namespace: 'app',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'email', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'blob', type: 'bytes', 'confluent:tags': ['PII'] },
  ],
};
const EMAIL = 'bob.secret@example.com';
const BLOB = 'binary-secret-blob';
const user = () => ({ id: 1, email: EMAIL, blob: Buffer.from(BLOB) });
const body = (bytes: Buffer) => avsc.Type.forSchema(SCHEMA as avsc.Schema).fromBuffer(bytes.subarray(5)) as { id: number; email: string; blob: Buffer };
const leaks = (bytes: Buffer) => bytes.includes(Buffer.from(EMAIL)) || bytes.includes(Buffer.from(BLOB));

/** Codes along an error's cause chain. */
function codes(e: unknown): string[] {
  const out: string[] = [];
  for (let c: unknown = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
  }
  return out;
}

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
    const r1 = body(b1);
    expect(Buffer.from(r1.email, 'base64')).toHaveLength(EMAIL.length + overhead);
    expect(r1.blob).toHaveLength(BLOB.length + overhead);
    if (alg === 'AES256_SIV') {
      // Deterministic: same value and DEK → same ciphertext.
      expect(b2).toEqual(b1);
    } else {
      expect(body(b2).email).not.toBe(r1.email);
    }
    expect(plain(await env.de().deserialize('alg', b1))).toEqual(user());
    const [dek] = await Promise.all([env.deks.getDek('kek1', 'alg-value', 1, alg as 'AES256_GCM')]);
    expect(dek?.algorithm).toBe(alg);
  });
});

describe('DEK rotation (encrypt.dek.expiry.days)', () => {
  it('creates a new DEK version after expiry; ciphertext carries 0x00 + version; old data still decrypts', async () => {
    const env = makeEnv();
    await env.register('rot', SCHEMA, { ruleSet: { domainRules: [encryptRule({}, { 'encrypt.dek.expiry.days': '1' })], encodingRules: [] } });
    const ser = env.ser();
    const de = env.de();
    const v1 = await ser.serialize('rot', user());
    const e1 = Buffer.from(body(v1).email, 'base64');
    expect(e1.subarray(0, 5).toString('hex')).toBe('0000000001');
    expect(e1).toHaveLength(EMAIL.length + 28 + 5);
    expect(body(v1).blob.subarray(0, 5).toString('hex')).toBe('0000000001');

    env.now.t += 12 * 3600_000; // half a day: same DEK
    expect(Buffer.from(body(await ser.serialize('rot', user())).email, 'base64').subarray(0, 5).toString('hex')).toBe('0000000001');

    env.now.t += 24 * 3600_000; // past expiry
    const v2 = await ser.serialize('rot', user());
    expect(Buffer.from(body(v2).email, 'base64').subarray(0, 5).toString('hex')).toBe('0000000002');
    expect(await env.deks.listDekVersions('kek1', 'rot-value')).toEqual([1, 2]);

    // A fresh reader decrypts both generations.
    expect(plain(await de.deserialize('rot', v1))).toEqual(user());
    expect(plain(await de.deserialize('rot', v2))).toEqual(user());
    expect(plain(await env.de().deserialize('rot', v1))).toEqual(user());
  });

  it('rotation applies to payload encryption too', async () => {
    const env = makeEnv();
    await env.register('rotp', SCHEMA, { ruleSet: { encodingRules: [payloadRule({}, { 'encrypt.dek.expiry.days': '1' })] } });
    const bytes = await env.ser().serialize('rotp', user());
    expect(bytes.subarray(5, 10).toString('hex')).toBe('0000000001');
    expect(plain(await env.de().deserialize('rotp', bytes))).toEqual(user());
  });
});

describe('onFailure', () => {
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

  it('ERROR (default): the write fails with RULE_FAILED and no bytes', async () => {
    const env = makeEnv();
    await env.register('err', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const e = await env.ser({ kms: [brokenKms] }).serialize('err', user()).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'RuleError', code: ErrorCodes.RULE_FAILED, action: 'ERROR' });
    expect(JSON.stringify(e)).not.toContain(EMAIL);
    expect(String((e as Error).message)).not.toContain(EMAIL);
  });

  it('NONE on write: refused with PLAINTEXT_REFUSED unless unsafeAllowPlaintextOnWriteFailure', async () => {
    const env = makeEnv();
    await env.register('none', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' })] } });
    await expect(env.ser({ kms: [brokenKms] }).serialize('none', user())).rejects.toMatchObject({ code: ErrorCodes.PLAINTEXT_REFUSED, action: 'NONE' });
    const bytes = await env.ser({ kms: [brokenKms], unsafeAllowPlaintextOnWriteFailure: true }).serialize('none', user());
    expect(body(bytes).email).toBe(EMAIL); // Confluent's behaviour, only when asked for by name
  });

  it('"ERROR,NONE": a write failure throws; a read failure passes ciphertext through and reports it', async () => {
    const env = makeEnv();
    await env.register('pair', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'ERROR,NONE' })] } });
    await expect(env.ser({ kms: [brokenKms] }).serialize('pair', user())).rejects.toMatchObject({ code: ErrorCodes.RULE_FAILED });
    const bytes = await env.ser().serialize('pair', user());
    const wrongSecret = createAvroDeserializer({ registry: env.registry, deks: env.deks, kms: [createLocalKms({ secret: 'not-the-secret' })] });
    const r = await wrongSecret.deserializeWithReport('pair', bytes);
    const v = r.value as { email: string; blob: Buffer };
    expect(v.email).toBe(body(bytes).email); // the stored base64 ciphertext
    expect(v.blob).toEqual(body(bytes).blob);
    expect(r.outcomes.map((o) => [o.field, o.outcome, o.code])).toEqual([
      ['app.User.email', 'passed-through', ErrorCodes.KMS_INVALID_CIPHERTEXT],
      ['app.User.blob', 'passed-through', ErrorCodes.KMS_INVALID_CIPHERTEXT],
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
    // Read failure: the custom action runs and the read passes through.
    const r = await env.de({ actions, kms: [brokenKms] }).deserializeWithReport('custom', bytes);
    expect(seen[1]?.name).toBe('ALERT');
    expect(seen[1]?.ctx.error?.code).toBe(ErrorCodes.RULE_FAILED);
    expect(r.outcomes.every((o) => o.outcome === 'passed-through')).toBe(true);
    // Write failure with a custom action: still refused (it would write plaintext).
    await expect(env.ser({ actions, kms: [brokenKms] }).serialize('custom', user())).rejects.toMatchObject({ code: ErrorCodes.PLAINTEXT_REFUSED });
    // Unknown action name
    await expect(env.ser({ kms: [brokenKms] }).serialize('custom', user())).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_ACTION });
  });
});

describe('disabled rules, enableAt, overrides', () => {
  it('a disabled rule is skipped on write and read', async () => {
    const env = makeEnv();
    await env.register('dis', SCHEMA, { ruleSet: { domainRules: [encryptRule({ disabled: true })] } });
    const bytes = await env.ser().serialize('dis', user());
    expect(body(bytes).email).toBe(EMAIL);
    expect(await env.deks.listKeks()).toEqual([]);
  });

  it('enableAt other than ALL/CLIENT disables every rule of the set', async () => {
    const env = makeEnv();
    await env.register('ea', SCHEMA, { ruleSet: { domainRules: [encryptRule()], enableAt: 'SERVER' } as never });
    expect(body(await env.ser().serialize('ea', user())).email).toBe(EMAIL);
    await env.register('ea2', SCHEMA, { ruleSet: { domainRules: [encryptRule()], enableAt: 'CLIENT' } as never });
    expect(body(await env.ser().serialize('ea2', user())).email).not.toBe(EMAIL);
  });

  it('ruleOverrides: disabling ENCRYPT on the reader passes ciphertext through; onFailure override', async () => {
    const env = makeEnv();
    await env.register('ov', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    const bytes = await env.ser().serialize('ov', user());
    const v = (await env.de({ ruleOverrides: [{ type: 'ENCRYPT', disabled: true }] }).deserialize('ov', bytes)) as { email: string };
    expect(v.email).toBe(body(bytes).email);
    // Override onFailure to NONE on the reader: a failing read passes through instead of throwing.
    const brokenRead = env.de({ kms: [], ruleOverrides: [{ type: 'ENCRYPT', onFailure: 'NONE' }] });
    const r = await brokenRead.deserializeWithReport('ov', bytes);
    expect(r.outcomes.map((o) => o.outcome)).toEqual(['passed-through', 'passed-through']);
    // Override disabled: false re-enables a rule disabled in the registry.
    await env.register('ov2', SCHEMA, { ruleSet: { domainRules: [encryptRule({ disabled: true })] } });
    expect(body(await env.ser({ ruleOverrides: [{ type: 'ENCRYPT', disabled: false }] }).serialize('ov2', user())).email).not.toBe(EMAIL);
  });
});

describe('a failing write never yields bytes containing the plaintext', () => {
  const failing: Array<[string, () => Promise<Buffer>]> = [];
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
  beforeAll(async () => {
    await env.register('f1', SCHEMA, { ruleSet: { domainRules: [encryptRule()] } });
    await env.register('f2', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'NONE' })] } });
    await env.register('f3', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'ERROR,NONE' })] } });
    await env.register('f4', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'DLQ' })] } });
    await env.register('f5', SCHEMA, { ruleSet: { domainRules: [encryptRule({ onFailure: 'CUSTOM' })] } });
    await env.register('f6', SCHEMA, { ruleSet: { domainRules: [{ ...encryptRule(), params: {} }] } });
    await env.register('f7', SCHEMA, { ruleSet: { encodingRules: [payloadRule({ onFailure: 'NONE' })] } });
  });
  failing.push(
    ['ERROR, KMS down', () => createAvroSerializer({ ...base, kms: [brokenKms] }).serialize('f1', user())],
    ['ERROR, no KMS client', () => createAvroSerializer({ ...base }).serialize('f1', user())],
    ['NONE', () => createAvroSerializer({ ...base, kms: [brokenKms] }).serialize('f2', user())],
    ['ERROR,NONE', () => createAvroSerializer({ ...base, kms: [brokenKms] }).serialize('f3', user())],
    ['DLQ', () => createAvroSerializer({ ...base, kms: [brokenKms] }).serialize('f4', user())],
    ['custom action', () => createAvroSerializer({ ...base, kms: [brokenKms], actions: { CUSTOM: () => undefined } }).serialize('f5', user())],
    ['no kek name', () => createAvroSerializer({ ...base, kms: [createLocalKms({ secret: 's' })] }).serialize('f6', user())],
    ['payload NONE', () => createAvroSerializer({ ...base, kms: [brokenKms] }).serialize('f7', user())],
  );
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
    const texts: string[] = [];
    for (let c: unknown = err; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
      texts.push(String((c as Error).message), JSON.stringify(c));
    }
    for (const t of texts) {
      expect(t).not.toContain(EMAIL);
      expect(t).not.toContain(BLOB);
    }
    expect(codes(err)[0]).toMatch(/RULE_FAILED|PLAINTEXT_REFUSED|UNKNOWN_ACTION/);
  });

  it('the unsafe opt-in is the only way plaintext reaches the wire', async () => {
    const bytes = await createAvroSerializer({ ...base, kms: [brokenKms], unsafeAllowPlaintextOnWriteFailure: true }).serialize('f2', user());
    expect(leaks(bytes)).toBe(true);
    const safe = await createAvroSerializer({ ...base, kms: [createLocalKms({ secret: 'mysecret' })] }).serialize('f1', user());
    expect(leaks(safe)).toBe(false);
  });
});
