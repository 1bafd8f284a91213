/**
 * The CLI's operations as library functions: everything `csfle` does can be scripted from code
 * with a {@link CliContext}. None of them prints; none returns key material.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  CsfleError,
  ErrorCodes,
  generateDek,
  isCsfleError,
  keyUri,
  kekKeyUris,
  type Dek,
  type DekAlgorithm,
  type Kek,
  type Metadata,
  type RegisteredSchema,
  type Rule,
  type RuleSet,
} from '@csfle/core';
import type { CliContext } from './context.js';

const ALGORITHMS: readonly DekAlgorithm[] = ['AES128_GCM', 'AES256_GCM', 'AES256_SIV'];

/** A DEK without key material (what the CLI shows). */
export type DekInfo = Omit<Dek, 'keyMaterial' | 'encryptedKeyMaterial'> & { readonly wrappedBytes: number };

function dekInfo(d: Dek): DekInfo {
  const { keyMaterial: _k, encryptedKeyMaterial, ...rest } = d;
  return { ...rest, wrappedBytes: encryptedKeyMaterial ? Buffer.from(encryptedKeyMaterial, 'base64').length : 0 };
}

async function kekOr404(ctx: CliContext, name: string, deleted = false): Promise<Kek> {
  const k = await ctx.deks.getKek(name, { deleted });
  if (!k) throw new CsfleError(ErrorCodes.KEK_NOT_FOUND, `KEK "${name}" not found`);
  return k;
}

// ---- KEKs ---------------------------------------------------------------------------------------

export async function kekList(ctx: CliContext, opts: { deleted?: boolean } = {}): Promise<Kek[]> {
  const names = await ctx.deks.listKeks({ deleted: opts.deleted ?? false });
  return Promise.all(names.map((n) => kekOr404(ctx, n, opts.deleted ?? false)));
}

export const kekGet = (ctx: CliContext, name: string): Promise<Kek> => kekOr404(ctx, name, true);

export function kekCreate(ctx: CliContext, kek: { name: string; kmsType: string; kmsKeyId: string; kmsProps?: Record<string, string>; shared?: boolean; doc?: string }): Promise<Kek> {
  return ctx.deks.createKek({ shared: false, ...kek });
}

export function kekUpdate(ctx: CliContext, name: string, update: { kmsProps?: Record<string, string>; shared?: boolean; doc?: string }): Promise<Kek> {
  return ctx.deks.updateKek(name, update);
}

export const kekDelete = (ctx: CliContext, name: string, permanent = false): Promise<void> => ctx.deks.deleteKek(name, { permanent });
export const kekUndelete = (ctx: CliContext, name: string): Promise<void> => ctx.deks.undeleteKek(name);

export interface KekTestResult {
  readonly kek: string;
  readonly keyUri: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly code?: string;
  readonly message?: string;
}

/** Wraps and unwraps 32 random bytes under the KEK's key (and each alternate), with this machine's credentials. */
export async function kekTest(ctx: CliContext, name: string): Promise<KekTestResult[]> {
  const kek = await kekOr404(ctx, name);
  const props = { ...ctx.kmsParams, ...(kek.kmsProps ?? {}) };
  const out: KekTestResult[] = [];
  for (const uri of kekKeyUris(kek, ctx.kmsParams)) {
    const started = Date.now();
    const client = ctx.kms.find((k) => k.supports(uri));
    try {
      if (!client) throw new CsfleError(ErrorCodes.KMS_NOT_CONFIGURED, `no KMS client for ${kek.kmsType} (for local-kms set CSFLE_LOCAL_SECRET)`);
      const probe = randomBytes(32);
      const back = await client.unwrap(uri, await client.wrap(uri, probe, { props }), { props });
      if (back.length !== 32 || !timingSafeEqual(Buffer.from(back), probe)) throw new CsfleError(ErrorCodes.KMS_INVALID_CIPHERTEXT, 'unwrap returned other bytes');
      out.push({ kek: name, keyUri: uri, ok: true, ms: Date.now() - started });
    } catch (e) {
      out.push({ kek: name, keyUri: uri, ok: false, ms: Date.now() - started, code: isCsfleError(e) ? e.code : 'ERROR', message: isCsfleError(e) ? e.message : String((e as Error)?.name) });
    }
  }
  return out;
}

// ---- DEKs ---------------------------------------------------------------------------------------

export async function dekList(ctx: CliContext, kekName: string, opts: { subject?: string; deleted?: boolean } = {}): Promise<DekInfo[]> {
  await kekOr404(ctx, kekName, opts.deleted ?? false);
  const subjects = opts.subject ? [opts.subject] : await ctx.deks.listDekSubjects(kekName, { deleted: opts.deleted ?? false });
  const out: DekInfo[] = [];
  for (const subject of subjects) {
    for (const algorithm of ALGORITHMS) {
      for (const version of await ctx.deks.listDekVersions(kekName, subject, { algorithm, deleted: opts.deleted ?? false })) {
        const d = await ctx.deks.getDek(kekName, subject, version, algorithm, { deleted: opts.deleted ?? false });
        if (d) out.push(dekInfo(d));
      }
    }
  }
  return out;
}

export async function dekGet(ctx: CliContext, kekName: string, subject: string, version: number, algorithm: DekAlgorithm = 'AES256_GCM'): Promise<DekInfo> {
  const d = await ctx.deks.getDek(kekName, subject, version, algorithm, { deleted: true });
  if (!d) throw new CsfleError(ErrorCodes.DEK_NOT_FOUND, `DEK ${kekName}/${subject} v${version} (${algorithm}) not found`);
  return dekInfo(d);
}

/**
 * Registers a new DEK version for a subject (version 1, or latest + 1 to rotate): generated here
 * and wrapped by the KMS, or, for a shared KEK, generated by the registry.
 */
export async function dekCreate(ctx: CliContext, kekName: string, subject: string, opts: { algorithm?: DekAlgorithm; rotate?: boolean } = {}): Promise<DekInfo> {
  const algorithm = opts.algorithm ?? 'AES256_GCM';
  const kek = await kekOr404(ctx, kekName);
  const latest = await ctx.deks.getDek(kekName, subject, -1, algorithm);
  if (latest && !opts.rotate) throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `DEK ${kekName}/${subject} (${algorithm}) exists (v${latest.version}); use "dek rotate" for a new version`);
  const version = latest ? latest.version + 1 : 1;
  if (kek.shared) return dekInfo(await ctx.deks.createDek(kekName, { subject, version, algorithm }));
  const uri = keyUri(kek.kmsType, kek.kmsKeyId);
  const client = ctx.kms.find((k) => k.supports(uri));
  if (!client) throw new CsfleError(ErrorCodes.KMS_NOT_CONFIGURED, `no KMS client for ${kek.kmsType}`);
  const material = generateDek(algorithm);
  try {
    const wrapped = await client.wrap(uri, material, { props: { ...ctx.kmsParams, ...(kek.kmsProps ?? {}) } });
    return dekInfo(await ctx.deks.createDek(kekName, { subject, version, algorithm, encryptedKeyMaterial: Buffer.from(wrapped).toString('base64') }));
  } finally {
    material.fill(0);
  }
}

export interface RewrapResult {
  readonly subject: string;
  readonly algorithm: DekAlgorithm;
  readonly version: number;
  readonly deleted: boolean;
  /** What the stored wrapping says of the KMS key version, when the format tells (`vault:v2`, `azure:v1:…`), before and after. */
  readonly before?: string;
  readonly after?: string;
  /** False on a dry run. */
  readonly rewrapped: boolean;
}

/** The KMS key version a stored wrapping names, where its format carries one (Vault transit, Azure's saved version). */
export function wrappedKeyVersion(encryptedKeyMaterial: string | undefined): string | undefined {
  if (!encryptedKeyMaterial) return undefined;
  const head = Buffer.from(encryptedKeyMaterial, 'base64').subarray(0, 48).toString('latin1');
  const vault = /^vault:v(\d+):/.exec(head);
  if (vault) return `vault:v${vault[1]}`;
  const azure = /^azure:v1:([0-9a-f]{32}):/.exec(head);
  if (azure) return `azure:${azure[1]}`;
  return undefined;
}

/**
 * Re-wraps DEKs under the KEK's current KMS key version after the KEK was rotated in the KMS, so
 * the old key version can be disabled: for each DEK version (soft-deleted ones too: readers still
 * use them for old records), unwraps with the KEK's key (then its alternates), wraps with the
 * KEK's key, checks the new wrapping unwraps to the same key, and stores it with
 * `?rewrap=true`. The DEK itself does not change: no record needs re-encrypting. Shared KEKs are
 * rewrapped by the registry, not here.
 */
export async function dekRewrap(
  ctx: CliContext,
  kekName: string,
  opts: { subject?: string; version?: number; algorithm?: DekAlgorithm; dryRun?: boolean } = {},
): Promise<RewrapResult[]> {
  const kek = await kekOr404(ctx, kekName);
  if (kek.shared) throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `KEK "${kekName}" is shared: its DEKs are wrapped by the registry, which rewraps them`);
  const props = { ...ctx.kmsParams, ...(kek.kmsProps ?? {}) };
  const uris = kekKeyUris(kek, ctx.kmsParams);
  const primary = uris[0] as string;
  const clientFor = (uri: string) => {
    const c = ctx.kms.find((k) => k.supports(uri));
    if (!c) throw new CsfleError(ErrorCodes.KMS_NOT_CONFIGURED, `no KMS client for ${kek.kmsType}`);
    return c;
  };
  const unwrap = async (wrapped: Uint8Array): Promise<Uint8Array> => {
    let last: unknown;
    for (const uri of uris) {
      try {
        return await clientFor(uri).unwrap(uri, wrapped, { props });
      } catch (e) {
        last = e;
      }
    }
    throw last;
  };
  const subjects = opts.subject ? [opts.subject] : await ctx.deks.listDekSubjects(kekName, { deleted: true });
  const out: RewrapResult[] = [];
  for (const subject of subjects) {
    for (const algorithm of opts.algorithm ? [opts.algorithm] : ALGORITHMS) {
      const versions = opts.version !== undefined ? [opts.version] : await ctx.deks.listDekVersions(kekName, subject, { algorithm, deleted: true });
      for (const version of versions) {
        const d = await ctx.deks.getDek(kekName, subject, version, algorithm, { deleted: true });
        if (!d) {
          if (opts.version !== undefined) throw new CsfleError(ErrorCodes.DEK_NOT_FOUND, `DEK ${kekName}/${subject} v${version} (${algorithm}) not found`);
          continue;
        }
        if (!d.encryptedKeyMaterial) throw new CsfleError(ErrorCodes.DEK_NOT_FOUND, `DEK ${kekName}/${subject} v${version} has no wrapped key material`);
        const before = wrappedKeyVersion(d.encryptedKeyMaterial);
        const base = { subject, algorithm, version, deleted: d.deleted === true, ...(before ? { before } : {}) };
        const material = await unwrap(Buffer.from(d.encryptedKeyMaterial, 'base64'));
        try {
          if (opts.dryRun) {
            out.push({ ...base, rewrapped: false });
            continue;
          }
          const client = clientFor(primary);
          const wrapped = Buffer.from(await client.wrap(primary, material, { props }));
          const check = await client.unwrap(primary, wrapped, { props });
          if (check.length !== material.length || !timingSafeEqual(Buffer.from(check), Buffer.from(material))) {
            throw new CsfleError(ErrorCodes.KMS_INVALID_CIPHERTEXT, `rewrap of ${kekName}/${subject} v${version}: the new wrapping does not unwrap to the same key; nothing stored`);
          }
          const stored = await ctx.deks.rewrapDek(kekName, { subject, version, algorithm, encryptedKeyMaterial: wrapped.toString('base64') });
          const after = wrappedKeyVersion(stored.encryptedKeyMaterial);
          out.push({ ...base, rewrapped: true, ...(after ? { after } : {}) });
        } finally {
          material.fill(0);
        }
      }
    }
  }
  return out;
}

export const dekDelete = (ctx: CliContext, kekName: string, subject: string, version: number, algorithm: DekAlgorithm = 'AES256_GCM', permanent = false): Promise<void> =>
  ctx.deks.deleteDek(kekName, subject, version, { algorithm, permanent });
export const dekUndelete = (ctx: CliContext, kekName: string, subject: string, version: number, algorithm: DekAlgorithm = 'AES256_GCM'): Promise<void> =>
  ctx.deks.undeleteDek(kekName, subject, version, { algorithm });

// ---- rules --------------------------------------------------------------------------------------

export interface RulesView {
  readonly subject: string;
  readonly version: number | undefined;
  readonly id: number;
  readonly ruleSet: RuleSet;
  readonly metadata: Metadata;
}

function view(subject: string, s: RegisteredSchema): RulesView {
  return { subject, version: s.version, id: s.id, ruleSet: s.ruleSet ?? {}, metadata: s.metadata ?? {} };
}

export async function rulesShow(ctx: CliContext, subject: string): Promise<RulesView> {
  return view(subject, await ctx.schemas.getLatest(subject));
}

export interface EncryptRuleSpec {
  readonly name?: string;
  readonly tags: readonly string[];
  readonly kekName: string;
  readonly kmsType: string;
  readonly kmsKeyId: string;
  readonly algorithm?: DekAlgorithm;
  readonly expiryDays?: number;
  /** `ERROR`, `NONE`, `DLQ`, or `write,read` pairs such as `ERROR,DLQ`. */
  readonly onFailure?: string;
  /** Encrypt the whole payload (`ENCRYPT_PAYLOAD`) instead of tagged fields. */
  readonly payload?: boolean;
}

export interface RulesChange {
  readonly before: RulesView;
  readonly after: { readonly ruleSet: RuleSet; readonly metadata: Metadata };
  /** Unified-style lines (`-`/`+`) of the JSON of ruleSet and metadata. */
  readonly diff: readonly string[];
  /** The new version, unless dry run or nothing changed. */
  readonly registered?: { readonly id: number; readonly version: number | undefined };
}

export function encryptRule(spec: EncryptRuleSpec): Rule {
  const params: Record<string, string> = { 'encrypt.kek.name': spec.kekName, 'encrypt.kms.type': spec.kmsType, 'encrypt.kms.key.id': spec.kmsKeyId };
  if (spec.algorithm) params['encrypt.dek.algorithm'] = spec.algorithm;
  if (spec.expiryDays !== undefined) params['encrypt.dek.expiry.days'] = String(spec.expiryDays);
  return {
    name: spec.name ?? (spec.payload ? 'encrypt-payload' : 'encrypt'),
    kind: 'TRANSFORM',
    mode: 'WRITEREAD',
    type: spec.payload ? 'ENCRYPT_PAYLOAD' : 'ENCRYPT',
    ...(spec.payload ? {} : { tags: [...spec.tags] }),
    params,
    ...(spec.onFailure ? { onFailure: spec.onFailure } : {}),
  };
}

/** A small line diff (LCS) of two JSON documents. */
export function jsonDiff(a: unknown, b: unknown): string[] {
  const x = JSON.stringify(a, null, 2).split('\n');
  const y = JSON.stringify(b, null, 2).split('\n');
  const n = x.length;
  const m = y.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) (L[i] as number[])[j] = x[i] === y[j] ? (L[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(L[i + 1]?.[j] ?? 0, L[i]?.[j + 1] ?? 0);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) (out.push(`  ${x[i]}`), i++, j++);
    else if ((L[i + 1]?.[j] ?? 0) >= (L[i]?.[j + 1] ?? 0)) out.push(`- ${x[i++]}`);
    else out.push(`+ ${y[j++]}`);
  }
  while (i < n) out.push(`- ${x[i++]}`);
  while (j < m) out.push(`+ ${y[j++]}`);
  return out;
}

async function change(ctx: CliContext, subject: string, edit: (r: RuleSet, m: Metadata) => { ruleSet: RuleSet; metadata: Metadata }, dryRun: boolean): Promise<RulesChange> {
  const latest = await ctx.schemas.getLatest(subject);
  const before = view(subject, latest);
  const after = edit(before.ruleSet, before.metadata);
  const diff = jsonDiff({ ruleSet: before.ruleSet, metadata: before.metadata }, after);
  if (dryRun || !diff.some((l) => l.startsWith('+ ') || l.startsWith('- '))) return { before, after, diff };
  const { id: _id, subject: _s, version: _v, guid: _g, ...info } = latest;
  const r = await ctx.schemas.registerFull(subject, { ...info, ruleSet: after.ruleSet, metadata: after.metadata });
  return { before, after, diff, registered: { id: r.id, version: r.version } };
}

/**
 * Adds (or replaces, by name) an encryption rule, and optionally tags fields through
 * `metadata.tags` (`{ "**.ssn": ["PII"] }`) without editing the schema text. Registers a new
 * version of the subject with the same schema unless `dryRun`.
 */
export function rulesApply(ctx: CliContext, subject: string, spec: EncryptRuleSpec, opts: { fieldTags?: Readonly<Record<string, readonly string[]>>; dryRun?: boolean } = {}): Promise<RulesChange> {
  const rule = encryptRule(spec);
  return change(
    ctx,
    subject,
    (rs, md) => {
      const key = rule.type === 'ENCRYPT_PAYLOAD' ? 'encodingRules' : 'domainRules';
      const existing = [...(rs[key] ?? [])];
      const i = existing.findIndex((r) => r.name === rule.name);
      if (i >= 0) existing[i] = rule;
      else existing.push(rule);
      const tags: Record<string, string[]> = { ...(md.tags ?? {}) };
      for (const [path, t] of Object.entries(opts.fieldTags ?? {})) tags[path] = [...new Set([...(tags[path] ?? []), ...t])];
      return { ruleSet: { ...rs, [key]: existing }, metadata: Object.keys(tags).length ? { ...md, tags } : md };
    },
    opts.dryRun ?? false,
  );
}

/** Removes a rule by name (from domain and encoding rules) as a new version. */
export function rulesRemove(ctx: CliContext, subject: string, ruleName: string, opts: { dryRun?: boolean } = {}): Promise<RulesChange> {
  return change(
    ctx,
    subject,
    (rs, md) => {
      const ruleSet: RuleSet = { ...rs };
      let found = false;
      for (const key of ['domainRules', 'encodingRules', 'migrationRules'] as const) {
        const list = rs[key];
        if (!list) continue;
        const kept = list.filter((r) => r.name !== ruleName);
        found ||= kept.length !== list.length;
        ruleSet[key] = kept;
      }
      if (!found) throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `subject ${subject} has no rule named "${ruleName}"`);
      return { ruleSet, metadata: md };
    },
    opts.dryRun ?? false,
  );
}

// ---- crypto-shredding ---------------------------------------------------------------------------

export interface ShredResult {
  readonly subject: string;
  /** DEKs destroyed: KEK, algorithm, version. */
  readonly destroyed: ReadonlyArray<{ readonly kek: string; readonly algorithm: DekAlgorithm; readonly version: number }>;
  /**
   * Checked after the deletes: destroyed DEKs the registry still returns (even with
   * `deleted=true`). Empty when the shred took; anything here means the registry kept a key.
   */
  readonly remaining: ReadonlyArray<{ readonly kek: string; readonly algorithm: DekAlgorithm; readonly version: number }>;
}

/** The KEK names the subject's rules (all versions) refer to. */
async function keksOf(ctx: CliContext, subject: string): Promise<string[]> {
  const names = new Set<string>();
  for (const v of await ctx.schemas.getVersions(subject)) {
    const s = await ctx.schemas.getByVersion(subject, v);
    for (const r of [...(s.ruleSet?.domainRules ?? []), ...(s.ruleSet?.encodingRules ?? [])]) {
      const k = r.params?.['encrypt.kek.name'] ?? s.metadata?.properties?.['encrypt.kek.name'];
      if (k) names.add(k);
    }
  }
  return [...names];
}

/**
 * Crypto-shredding: permanently deletes every DEK of `subject` (under the KEKs its rules name, or
 * `opts.keks`). Records encrypted under them can never be decrypted again; other subjects are not
 * touched. The caller must have confirmed (the CLI asks); `confirm` must equal the subject name.
 */
export async function shred(ctx: CliContext, subject: string, opts: { confirm: string; keks?: readonly string[] }): Promise<ShredResult> {
  if (opts.confirm !== subject) throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `shred: confirmation must repeat the subject name "${subject}"`);
  const keks = opts.keks ?? (await keksOf(ctx, subject));
  const destroyed: Array<{ kek: string; algorithm: DekAlgorithm; version: number }> = [];
  for (const kek of keks) {
    for (const algorithm of ALGORITHMS) {
      for (const version of await ctx.deks.listDekVersions(kek, subject, { algorithm, deleted: true })) {
        const live = await ctx.deks.getDek(kek, subject, version, algorithm);
        if (live) await ctx.deks.deleteDek(kek, subject, version, { algorithm });
        await ctx.deks.deleteDek(kek, subject, version, { algorithm, permanent: true });
        destroyed.push({ kek, algorithm, version });
      }
    }
  }
  const remaining: Array<{ kek: string; algorithm: DekAlgorithm; version: number }> = [];
  for (const d of destroyed) if (await ctx.deks.getDek(d.kek, subject, d.version, d.algorithm, { deleted: true })) remaining.push(d);
  return { subject, destroyed, remaining };
}

// ---- doctor -------------------------------------------------------------------------------------

export interface Check {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

/** Registry reachability and auth, clock skew, the DEK registry, and a KMS round trip per KEK. */
export async function doctor(ctx: CliContext, opts: { keks?: readonly string[]; maxSkewMs?: number } = {}): Promise<Check[]> {
  const out: Check[] = [];
  const maxSkew = opts.maxSkewMs ?? 60_000;
  try {
    const t0 = Date.now();
    const r = await fetch(new URL('/subjects', ctx.registryUrl), { signal: AbortSignal.timeout(10_000) });
    const t1 = Date.now();
    const date = r.headers.get('date');
    out.push(
      r.status === 401 || r.status === 403
        ? { check: 'registry', ok: false, detail: `HTTP ${r.status} from ${ctx.registryUrl}`, fix: 'set CSFLE_REGISTRY_AUTH (user:password) or the profile\'s registryAuth' }
        : { check: 'registry', ok: r.ok, detail: `HTTP ${r.status} in ${t1 - t0} ms` , ...(r.ok ? {} : { fix: 'check the registry URL and that it is a Confluent-compatible Schema Registry' }) },
    );
    if (date) {
      const skew = Date.parse(date) - (t0 + t1) / 2;
      out.push({ check: 'clock skew', ok: Math.abs(skew) <= maxSkew + 1000, detail: `${Math.round(skew / 1000)} s vs the registry`, ...(Math.abs(skew) > maxSkew + 1000 ? { fix: 'sync this machine\'s clock (NTP): DEK expiry and rotation use timestamps' } : {}) });
    }
  } catch (e) {
    out.push({ check: 'registry', ok: false, detail: `unreachable: ${(e as Error).name}`, fix: `check the URL ${ctx.registryUrl} and the network` });
    return out;
  }
  let keks: string[] = [];
  try {
    keks = opts.keks ? [...opts.keks] : await ctx.deks.listKeks();
    out.push({ check: 'DEK registry', ok: true, detail: `${keks.length} KEK(s)` });
  } catch (e) {
    out.push({ check: 'DEK registry', ok: false, detail: isCsfleError(e) ? e.code : 'error', fix: 'the registry must serve /dek-registry/v1 (Confluent Platform 7.4+ or a compatible registry)' });
  }
  const fixFor: Record<string, string> = {
    KMS_DENIED: 'grant this identity encrypt/decrypt on the key (see docs/kms)',
    KMS_KEY_NOT_FOUND: 'the KEK points at a key that does not exist (or another region/vault)',
    KMS_UNAVAILABLE: 'the KMS endpoint is unreachable from here',
    KMS_NOT_CONFIGURED: 'set credentials for this KMS type (for local-kms: CSFLE_LOCAL_SECRET)',
    KMS_INVALID_CIPHERTEXT: 'the KMS returned different bytes: wrong key or misconfigured KMS',
  };
  for (const k of keks) {
    for (const r of await kekTest(ctx, k).catch((e: unknown) => [{ kek: k, keyUri: '?', ok: false, ms: 0, code: isCsfleError(e) ? e.code : 'ERROR', message: String(e) }] as KekTestResult[])) {
      out.push({ check: `KMS ${r.keyUri}`, ok: r.ok, detail: r.ok ? `wrap+unwrap in ${r.ms} ms` : `${r.code}`, ...(r.ok ? {} : { fix: fixFor[r.code ?? ''] ?? 'see the error code in docs/kms' }) });
    }
  }
  return out;
}
