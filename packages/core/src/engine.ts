/**
 * The rule engine: runs a schema's `ENCRYPT` (domain) and `ENCRYPT_PAYLOAD` (encoding) rules on
 * the write and read paths, with Confluent's rule semantics (compatibility facts §1, §5):
 * modes, `disabled`, client-side overrides, `enableAt`, params from rule then metadata,
 * write rules in order and read rules in reverse, `onSuccess`/`onFailure` with the `"write,read"`
 * pair and custom actions by name.
 *
 * Where this differs from Confluent's JS client, on purpose (see docs/differences.md):
 * - **Safe by default**: a write-side failure never yields the plaintext of a field a rule says to
 *   encrypt. With `onFailure: NONE` (or a custom action) the write is refused with
 *   `PLAINTEXT_REFUSED` unless the caller set `unsafeAllowPlaintextOnWriteFailure: true`.
 * - The caller's value is never mutated (copy on write along transformed paths only).
 * - Read failures are per field: under `NONE` every field that can be decrypted is, and only
 *   the failing ones pass through as ciphertext; each field's outcome can be reported.
 * - `DLQ` is a built-in action: it throws a `RuleError` whose `action` is `DLQ`, for a Kafka
 *   wrapper to route the record to a dead-letter topic.
 * - A rule type with no executor goes through `onFailure` and, if that does not throw, the
 *   remaining rules still run (Confluent skips them, which on write could skip an encryption).
 */
import type { DekCipher } from './aead.js';
import { readVersionPrefix } from './crypto/index.js';
import { createDekManager, type DekManager, type Logger, type WriteKey } from './dek-manager.js';
import { CsfleError, ErrorCodes, RuleError, isCsfleError, type CsfleErrorCode } from './errors.js';
import { ruleFieldPredicate, type FieldInfo, type FieldPredicate, type LeafVisitor, type Transformer } from './fields.js';
import type { KmsClient } from './kms.js';
import { ParamKeys, resolveEncryptionParams, type EncryptionParams } from './params.js';
import type { DekRegistryClient, Rule, SchemaInfo } from './schema.js';

export const RuleTypes = { ENCRYPT: 'ENCRYPT', ENCRYPT_PAYLOAD: 'ENCRYPT_PAYLOAD' } as const;

/** What a serde hands the engine for one schema; the engine caches compiled rules per target. */
export interface RuleTarget {
  /** The registered schema (its `ruleSet` and `metadata`). */
  readonly info: SchemaInfo;
  /** Builds the walk over values of this schema for leaves matching `match` (copy-on-write). */
  buildTransformer(match: FieldPredicate): Transformer | undefined;
}

/** A client-side override of every rule of a type (Confluent's rule registry overrides). */
export interface RuleOverride {
  readonly type: string;
  readonly disabled?: boolean;
  readonly onSuccess?: string;
  readonly onFailure?: string;
}

export type RunMode = 'WRITE' | 'READ';

/** Context given to custom actions. */
export interface RuleActionContext {
  readonly rule: Rule;
  readonly mode: RunMode;
  readonly subject: string;
  readonly topic: string;
  readonly isKey: boolean;
  /** Present for onFailure. Never contains plaintext or key bytes. */
  readonly error?: CsfleError;
}

/**
 * A custom action registered by name and named in `onSuccess`/`onFailure`. On read, returning
 * normally means "continue as NONE". On write after a failure, the safety net still applies.
 */
export type RuleAction = (ctx: RuleActionContext) => void | Promise<void>;

/** What happened to one protected field. */
export interface FieldOutcome {
  readonly rule: string;
  /** Field full name, or `$payload` for payload rules. */
  readonly field: string;
  readonly outcome: 'encrypted' | 'decrypted' | 'passed-through' | 'failed';
  /** Error code when the outcome is `failed` or `passed-through`. */
  readonly code?: CsfleErrorCode;
  /** The KEK the rule names. */
  readonly kek?: string;
  /**
   * The DEK version the ciphertext was (or is now) encrypted under: read from the 5-byte version
   * prefix when the rule sets `encrypt.dek.expiry.days`, else 1. Absent when unreadable.
   */
  readonly dekVersion?: number;
}

/** Per-call context. */
export interface RunContext {
  readonly subject: string;
  readonly topic: string;
  readonly isKey: boolean;
  readonly signal?: AbortSignal;
  /** When given, the engine appends one outcome per protected field it touched. */
  readonly report?: FieldOutcome[];
}

export interface RuleEngineOptions {
  /** DEK registry client (required when a schema has encryption rules). */
  readonly deks?: DekRegistryClient;
  /** KMS clients, tried in order by `supports(keyUri)`. */
  readonly kms?: readonly KmsClient[];
  /** A pre-built DEK manager (shared across serdes); overrides `deks`/`kms`. */
  readonly dekManager?: DekManager;
  /** Client config (Confluent's `ruleConfig`): alternate key ids, KMS credentials. */
  readonly ruleConfig?: Readonly<Record<string, string>>;
  /** Client-side overrides per rule type. */
  readonly ruleOverrides?: readonly RuleOverride[];
  /** Custom actions by name. `ERROR`, `NONE` and `DLQ` are built in and cannot be replaced. */
  readonly actions?: Readonly<Record<string, RuleAction>>;
  /**
   * Opt-in to Confluent's behaviour of writing plaintext when an encryption rule fails and its
   * `onFailure` does not throw. Default `false`: such writes are refused with `PLAINTEXT_REFUSED`.
   */
  readonly unsafeAllowPlaintextOnWriteFailure?: boolean;
  /** DEK cache TTL (ms), default 5 minutes. */
  readonly cacheTtlMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

export interface RuleEngine {
  /** True if `info` has any active rule for this phase and mode (lets serdes skip work). */
  hasRules(info: SchemaInfo, phase: 'DOMAIN' | 'ENCODING', mode: RunMode): boolean;
  /** Runs domain rules (field encryption) on a value. Never mutates `value`. */
  runDomain(target: RuleTarget, mode: RunMode, value: unknown, ctx: RunContext): Promise<unknown>;
  /** Runs encoding rules (payload encryption) on the serialized body. */
  runEncoding(target: RuleTarget, mode: RunMode, body: Buffer, ctx: RunContext): Promise<Buffer>;
  readonly dekManager: DekManager | undefined;
}

const BUILTIN_ACTIONS = new Set(['ERROR', 'NONE', 'DLQ']);
/** Signal from a leaf that a DEK version is not loaded yet (cold path: load, then rerun). */
class NeedKey {
  constructor(readonly version: number) {}
}

interface CompiledRule {
  readonly rule: Rule;
  readonly index: number;
  readonly params: EncryptionParams | CsfleError;
}

/** Creates the rule engine. */
export function createRuleEngine(options: RuleEngineOptions = {}): RuleEngine {
  for (const name of Object.keys(options.actions ?? {})) {
    if (BUILTIN_ACTIONS.has(name)) throw new TypeError(`rule-engine: action "${name}" is built in and cannot be replaced`);
    if (typeof options.actions?.[name] !== 'function') throw new TypeError(`rule-engine: action "${name}" expected a function`);
  }
  const dekManager =
    options.dekManager ??
    (options.deks
      ? createDekManager({
          deks: options.deks,
          kms: options.kms ?? [],
          ...(options.ruleConfig ? { config: options.ruleConfig } : {}),
          ...(options.cacheTtlMs !== undefined ? { cacheTtlMs: options.cacheTtlMs } : {}),
          ...(options.now ? { now: options.now } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
        })
      : undefined);
  const overrides = new Map((options.ruleOverrides ?? []).map((o) => [o.type, o]));
  const compiled = new WeakMap<SchemaInfo, Map<string, CompiledRule[]>>();

  function isDisabled(rule: Rule, enableAt: string | undefined): boolean {
    const o = overrides.get(rule.type);
    if (o?.disabled !== undefined) return o.disabled;
    const env = enableAt ?? 'ALL';
    if (env !== 'ALL' && env !== 'CLIENT') return true;
    return rule.disabled === true;
  }

  function appliesTo(rule: Rule, mode: RunMode): boolean {
    const m = rule.mode ?? 'WRITEREAD';
    if (m === 'WRITEREAD') return true;
    return m === mode;
  }

  function rulesFor(info: SchemaInfo, phase: 'DOMAIN' | 'ENCODING', mode: RunMode): CompiledRule[] {
    let byKey = compiled.get(info);
    if (!byKey) {
      byKey = new Map();
      compiled.set(info, byKey);
    }
    const key = phase + mode;
    let list = byKey.get(key);
    if (list) return list;
    const rs = info.ruleSet;
    let rules = (phase === 'DOMAIN' ? rs?.domainRules : rs?.encodingRules) ?? [];
    rules = rules.map((r) => r);
    const indexed = rules.map((rule, index) => ({ rule, index }));
    if (mode === 'READ') indexed.reverse();
    list = [];
    for (const { rule, index } of indexed) {
      if (isDisabled(rule, rs?.enableAt) || !appliesTo(rule, mode)) continue;
      let params: EncryptionParams | CsfleError;
      try {
        params =
          rule.type === RuleTypes.ENCRYPT || rule.type === RuleTypes.ENCRYPT_PAYLOAD
            ? resolveEncryptionParams(rule, info)
            : new RuleError(ErrorCodes.INVALID_RULE, `could not find rule executor of type ${rule.type}`, { ruleName: rule.name });
      } catch (e) {
        params = isCsfleError(e) ? e : new RuleError(ErrorCodes.INVALID_RULE, String(e), { ruleName: rule.name });
      }
      list.push({ rule, index, params });
    }
    byKey.set(key, list);
    return list;
  }

  /** The action name for a rule outcome, honouring overrides and the `"write,read"` pair. */
  function actionName(rule: Rule, mode: RunMode, which: 'onSuccess' | 'onFailure'): string {
    const o = overrides.get(rule.type);
    const raw = o?.[which] ?? rule[which];
    const fallback = which === 'onFailure' ? 'ERROR' : 'NONE';
    if (raw === undefined || raw === null || raw === '') return fallback;
    const m = rule.mode ?? 'WRITEREAD';
    if ((m === 'WRITEREAD' || m === 'UPDOWN') && raw.includes(',')) {
      const [w, r] = raw.split(',').map((s) => s.trim());
      const picked = mode === 'WRITE' ? w : r;
      return picked ? picked : fallback;
    }
    return raw.trim();
  }

  function failureError(rule: Rule, cause: unknown): CsfleError {
    const msg = isCsfleError(cause) || cause instanceof Error ? cause.message : String(cause);
    return new RuleError(ErrorCodes.RULE_FAILED, `rule ${rule.name} failed: ${msg}`, {
      cause,
      ruleName: rule.name,
      retriable: isCsfleError(cause) ? cause.retriable : false,
    });
  }

  /**
   * Runs the onFailure action. Returns normally when processing may continue with the
   * pre-rule value (read: ciphertext passes through; write: only if the caller opted in).
   */
  async function onFailure(rule: Rule, mode: RunMode, ctx: RunContext, cause: unknown): Promise<void> {
    const name = actionName(rule, mode, 'onFailure');
    const err = failureError(rule, cause);
    const causeCode = isCsfleError(cause) ? cause.code : undefined;
    const fieldPath = cause instanceof RuleError ? cause.fieldPath : undefined;
    const typed = (code: CsfleErrorCode, message: string, action: string): RuleError =>
      new RuleError(code, message, {
        cause,
        ruleName: rule.name,
        action,
        retriable: err.retriable,
        ...(fieldPath ? { fieldPath } : {}),
      });
    if (name === 'ERROR' || name === 'DLQ') {
      throw typed(ErrorCodes.RULE_FAILED, err.message + (causeCode ? ` (${causeCode})` : ''), name);
    }
    if (name !== 'NONE') {
      const custom = options.actions?.[name];
      if (!custom) {
        throw typed(ErrorCodes.UNKNOWN_ACTION, `rule ${rule.name}: could not find rule action of type ${name}`, name);
      }
      await custom({ rule, mode, subject: ctx.subject, topic: ctx.topic, isKey: ctx.isKey, error: err });
    }
    if (mode === 'WRITE' && isProtecting(rule) && !options.unsafeAllowPlaintextOnWriteFailure) {
      throw typed(
        ErrorCodes.PLAINTEXT_REFUSED,
        `rule ${rule.name} failed and onFailure ${name} would write plaintext; refused ` +
          `(set unsafeAllowPlaintextOnWriteFailure to allow): ${err.message}`,
        name,
      );
    }
  }

  async function onSuccess(rule: Rule, mode: RunMode, ctx: RunContext): Promise<void> {
    const name = actionName(rule, mode, 'onSuccess');
    if (name === 'NONE') return;
    if (name === 'ERROR' || name === 'DLQ') {
      throw new RuleError(ErrorCodes.RULE_FAILED, `rule ${rule.name}: onSuccess action ${name}`, { ruleName: rule.name, action: name });
    }
    const custom = options.actions?.[name];
    if (!custom) {
      throw new RuleError(ErrorCodes.UNKNOWN_ACTION, `rule ${rule.name}: could not find rule action of type ${name}`, {
        ruleName: rule.name,
        action: name,
      });
    }
    await custom({ rule, mode, subject: ctx.subject, topic: ctx.topic, isKey: ctx.isKey });
  }

  function requireDekManager(): DekManager {
    if (!dekManager) {
      throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, 'rule-engine: an encryption rule needs a DEK registry ("deks") and KMS clients ("kms")');
    }
    return dekManager;
  }

  // ---- Keys for one rule run -------------------------------------------------------------

  /** Resolves DEKs synchronously from what is loaded, signalling {@link NeedKey} otherwise. */
  class KeyRing {
    readonly loaded = new Map<number, DekCipher>();
    readonly failed = new Map<number, unknown>();
    writeKey: WriteKey | undefined;
    /** The DEK version of the last encrypt/decrypt attempt (for outcomes). */
    lastVersion: number | undefined;
    constructor(
      readonly p: EncryptionParams,
      readonly subject: string,
    ) {}
    forRead(version: number): DekCipher {
      const c = this.loaded.get(version);
      if (c) return c;
      const f = this.failed.get(version);
      if (f !== undefined) throw f;
      const dm = requireDekManager();
      const r = dm.forRead(this.p, this.subject, version);
      if (r instanceof Promise) throw new NeedKey(version);
      this.loaded.set(version, r);
      return r;
    }
    async load(version: number, ctx: RunContext): Promise<void> {
      const dm = requireDekManager();
      try {
        if (version === WRITE_VERSION) {
          this.writeKey = await dm.forWrite(this.p, ctx.subject, ctx.signal);
        } else {
          this.loaded.set(version, await dm.forRead(this.p, ctx.subject, version, ctx.signal));
        }
      } catch (e) {
        if (version === WRITE_VERSION) throw e;
        this.failed.set(version, e);
      }
    }
    forWrite(): WriteKey {
      if (this.writeKey) return this.writeKey;
      const r = requireDekManager().forWrite(this.p, this.subject);
      if (r instanceof Promise) throw new NeedKey(WRITE_VERSION);
      this.writeKey = r;
      return r;
    }
  }
  const WRITE_VERSION = -2;

  /** Runs a synchronous pass, loading missing keys and re-running until the pass completes. */
  async function withKeys<T>(ring: KeyRing, ctx: RunContext, pass: () => T): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return pass();
      } catch (e) {
        if (!(e instanceof NeedKey) || attempt > 64) throw e;
        await ring.load(e.version, ctx);
      }
    }
  }

  // ---- Leaf transforms -------------------------------------------------------------------

  function encryptBytes(ring: KeyRing, plaintext: Uint8Array): Buffer {
    const k = ring.forWrite();
    ring.lastVersion = k.version;
    return ring.p.expiryDays > 0 ? k.cipher.encryptWithVersion(k.version, plaintext) : k.cipher.encrypt(plaintext);
  }

  function decryptBytes(ring: KeyRing, data: Uint8Array): Buffer {
    ring.lastVersion = undefined;
    if (ring.p.expiryDays > 0) {
      const { version, body } = readVersionPrefix(data);
      ring.lastVersion = version;
      return ring.forRead(version).decrypt(body);
    }
    ring.lastVersion = 1;
    return ring.forRead(1).decrypt(data);
  }

  function writeVisitor(ring: KeyRing, rule: Rule, outcomes: FieldOutcome[] | undefined): LeafVisitor {
    return (field: FieldInfo, v: unknown) => {
      let out: unknown;
      if (field.type === 'STRING' && typeof v === 'string') {
        out = encryptBytes(ring, Buffer.from(v, 'utf8')).toString('base64');
      } else if (field.type === 'BYTES' && v instanceof Uint8Array) {
        out = encryptBytes(ring, v);
      } else {
        throw new RuleError(ErrorCodes.UNSUPPORTED_FIELD_TYPE, `type ${field.type} not supported for encryption`, {
          ruleName: rule.name,
          fieldPath: field.fullName,
        });
      }
      outcomes?.push({ rule: rule.name, field: field.fullName, outcome: 'encrypted', kek: ring.p.kekName, dekVersion: ring.lastVersion as number });
      return out;
    };
  }

  function readVisitor(ring: KeyRing, rule: Rule, outcomes: FieldOutcome[], failures: unknown[]): LeafVisitor {
    return (field: FieldInfo, v: unknown) => {
      let data: Uint8Array;
      if (field.type === 'STRING' && typeof v === 'string') data = Buffer.from(v, 'base64');
      else if (field.type === 'BYTES' && v instanceof Uint8Array) data = v;
      else return v; // Like Confluent: values of other types are returned as they are.
      try {
        const pt = decryptBytes(ring, data);
        outcomes.push({ rule: rule.name, field: field.fullName, outcome: 'decrypted', kek: ring.p.kekName, dekVersion: ring.lastVersion as number });
        return field.type === 'STRING' ? pt.toString('utf8') : pt;
      } catch (e) {
        if (e instanceof NeedKey) throw e;
        failures.push(e instanceof RuleError && e.fieldPath ? e : withField(e, rule, field));
        outcomes.push({
          rule: rule.name,
          field: field.fullName,
          outcome: 'failed',
          code: isCsfleError(e) ? e.code : ErrorCodes.DECRYPTION_FAILED,
          kek: ring.p.kekName,
          ...(ring.lastVersion !== undefined ? { dekVersion: ring.lastVersion } : {}),
        });
        return v;
      }
    };
  }

  // Transformers are per target (one schema may hold several targets, e.g. Protobuf messages)
  // and per rule: built on first use, then reused for every record.
  const transformers = new WeakMap<RuleTarget, Map<CompiledRule, Transformer | undefined>>();
  function buildOnce(c: CompiledRule, target: RuleTarget): Transformer | undefined {
    let m = transformers.get(target);
    if (!m) {
      m = new Map();
      transformers.set(target, m);
    }
    if (m.has(c)) return m.get(c);
    const t = target.buildTransformer(ruleFieldPredicate(c.rule.tags));
    m.set(c, t);
    return t;
  }

  // ---- Public API ------------------------------------------------------------------------

  return {
    dekManager,
    hasRules(info, phase, mode) {
      return rulesFor(info, phase, mode).length > 0;
    },

    async runDomain(target, mode, value, ctx) {
      let cur = value;
      for (const c of rulesFor(target.info, 'DOMAIN', mode)) {
        const { rule } = c;
        if (c.params instanceof CsfleError) {
          await onFailure(rule, mode, ctx, c.params);
          continue;
        }
        if (rule.type !== RuleTypes.ENCRYPT) {
          await onFailure(rule, mode, ctx, new RuleError(ErrorCodes.INVALID_RULE, `rule type ${rule.type} is an encoding rule`, { ruleName: rule.name }));
          continue;
        }
        const t = buildOnce(c, target);
        if (!t) continue;
        const ring = new KeyRing(c.params, ctx.subject);
        if (mode === 'WRITE') {
          const local: FieldOutcome[] | undefined = ctx.report ? [] : undefined;
          try {
            const before = cur;
            cur = await withKeys(ring, ctx, () => {
              if (local) local.length = 0;
              return t(before, writeVisitor(ring, rule, local));
            });
            if (local && ctx.report) ctx.report.push(...local);
          } catch (e) {
            await onFailure(rule, mode, ctx, e);
            continue;
          }
          await onSuccess(rule, mode, ctx);
        } else {
          const outcomes: FieldOutcome[] = [];
          const failures: unknown[] = [];
          const before = cur;
          cur = await withKeys(ring, ctx, () => {
            outcomes.length = 0;
            failures.length = 0;
            return t(before, readVisitor(ring, rule, outcomes, failures));
          });
          if (failures.length > 0) {
            try {
              await onFailure(rule, mode, ctx, failures[0]);
            } finally {
              if (ctx.report) {
                for (const o of outcomes) ctx.report.push(o.outcome === 'failed' ? { ...o, outcome: 'passed-through' } : o);
              }
            }
            continue;
          }
          if (ctx.report) ctx.report.push(...outcomes);
          await onSuccess(rule, mode, ctx);
        }
      }
      return cur;
    },

    async runEncoding(target, mode, body, ctx) {
      let cur = body;
      for (const c of rulesFor(target.info, 'ENCODING', mode)) {
        const { rule } = c;
        if (c.params instanceof CsfleError) {
          await onFailure(rule, mode, ctx, c.params);
          continue;
        }
        if (rule.type !== RuleTypes.ENCRYPT_PAYLOAD) {
          await onFailure(rule, mode, ctx, new RuleError(ErrorCodes.INVALID_RULE, `rule type ${rule.type} is not an encoding rule`, { ruleName: rule.name }));
          continue;
        }
        const ring = new KeyRing(c.params, ctx.subject);
        const input = cur;
        try {
          cur = await withKeys(ring, ctx, () => (mode === 'WRITE' ? encryptBytes(ring, input) : decryptBytes(ring, input)));
          ctx.report?.push({ rule: rule.name, field: '$payload', outcome: mode === 'WRITE' ? 'encrypted' : 'decrypted', kek: ring.p.kekName, dekVersion: ring.lastVersion as number });
        } catch (e) {
          const err = e instanceof NeedKey ? new CsfleError(ErrorCodes.DEK_NOT_FOUND, 'key not loaded') : e;
          try {
            await onFailure(rule, mode, ctx, err);
          } finally {
            ctx.report?.push({
              rule: rule.name,
              field: '$payload',
              outcome: mode === 'READ' ? 'passed-through' : 'failed',
              code: isCsfleError(err) ? err.code : ErrorCodes.DECRYPTION_FAILED,
              kek: ring.p.kekName,
              ...(ring.lastVersion !== undefined ? { dekVersion: ring.lastVersion } : {}),
            });
          }
          continue;
        }
        await onSuccess(rule, mode, ctx);
      }
      return cur;
    },
  };
}

/**
 * Encryption rules protect data: on write their failure must not leak plaintext. A rule whose own
 * params name a KEK is taken as one whatever its type says, so a mistyped type (`ENCRPYT`, which
 * has no executor) with `onFailure: NONE` cannot silently turn encryption off.
 */
function isProtecting(rule: Rule): boolean {
  if (rule.type === RuleTypes.ENCRYPT || rule.type === RuleTypes.ENCRYPT_PAYLOAD) return true;
  const kek = rule.params?.[ParamKeys.KEK_NAME];
  return typeof kek === 'string' && kek !== '';
}

function withField(e: unknown, rule: Rule, field: FieldInfo): unknown {
  if (isCsfleError(e)) {
    const r = new RuleError(e.code, e.message, { cause: e, ruleName: rule.name, fieldPath: field.fullName, retriable: e.retriable });
    return r;
  }
  return e;
}
