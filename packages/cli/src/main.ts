/**
 * `csfle` argument parsing and output. A thin shell: each command calls one function of
 * commands.ts and prints its result as text, or as JSON with `--json`.
 *
 * Exit codes: 0 ok · 1 failure · 2 usage · 3 not found · 4 denied · 5 unavailable · 6 checks failed.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { isCsfleError, type DekAlgorithm } from '@csfle/core';
import * as cmd from './commands.js';
import { inspectTopic } from './inspect.js';
import { describeConfig, resolveConfig } from './config.js';
import { createCliContext, type CliContext } from './context.js';

export const ExitCodes = { OK: 0, FAILURE: 1, USAGE: 2, NOT_FOUND: 3, DENIED: 4, UNAVAILABLE: 5, CHECKS_FAILED: 6 } as const;

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Asks a question on the terminal; undefined when not interactive. */
  ask?: (question: string) => Promise<string>;
  /** Progress of a long scan (a bar on a terminal); undefined when not interactive. */
  progress?: (done: number, total: number) => void;
}

const USAGE = `csfle — field-level encryption for Kafka: keys, rules, crypto-shredding

  csfle kek list|get|create|update|delete|undelete|test [name] [options]
  csfle dek list|get|create|rotate|delete|undelete --kek K [--subject S] [--version N] [--algorithm A]
  csfle dek rewrap --kek K [--subject S] [--version N] [--algorithm A] [--dry-run]   after a KEK rotation in the KMS
  csfle rules show|apply|remove --subject S [options] [--dry-run]
  csfle shred --subject S [--yes] [--verify-topic T --brokers B]
  csfle inspect --topic T [--brokers B] [--max N]      which fields hold ciphertext; can these credentials decrypt?
  csfle decrypt --topic T [--brokers B] [--max N]      print decrypted records (authorized operators)
  csfle doctor [--kek K]
  csfle config show

Global: --registry URL (or CSFLE_REGISTRY_URL), --profile NAME, --config FILE, --json.
Secrets only from the environment or the profile: CSFLE_REGISTRY_AUTH (user:password), CSFLE_LOCAL_SECRET.
kek create: --kms-type T --kms-key-id ID [--kms-prop k=v]... [--shared] [--doc TEXT]
rules apply: --kek K --kms-type T --kms-key-id ID [--tag PII]... [--field-tag '**.ssn=PII']... [--algorithm A]
             [--expiry-days N] [--on-failure ERROR|NONE|DLQ|W,R] [--payload] [--rule-name N]
Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 denied, 5 unavailable, 6 checks failed.`;

class UsageError extends Error {}

function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return ExitCodes.USAGE;
  if (!isCsfleError(e)) return ExitCodes.FAILURE;
  if (/NOT_FOUND/.test(e.code)) return ExitCodes.NOT_FOUND;
  if (e.code === 'KMS_DENIED' || e.code === 'REGISTRY_UNAUTHORIZED') return ExitCodes.DENIED;
  if (e.code === 'KMS_UNAVAILABLE' || e.code === 'REGISTRY_UNAVAILABLE') return ExitCodes.UNAVAILABLE;
  if (e.code === 'INVALID_ARGUMENT') return ExitCodes.USAGE;
  return ExitCodes.FAILURE;
}

function kv(list: readonly string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of list ?? []) {
    const i = s.indexOf('=');
    if (i <= 0) throw new UsageError(`${what} expected key=value, got ${JSON.stringify(s)}`);
    out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

function need(v: string | undefined, flag: string): string {
  if (v === undefined || v === '') throw new UsageError(`missing ${flag}`);
  return v;
}

function table(rows: ReadonlyArray<Record<string, unknown>>): string[] {
  if (rows.length === 0) return ['(none)'];
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  return [cols.map((c, i) => c.padEnd(w[i] as number)).join('  '), ...rows.map((r) => cols.map((c, i) => cell(r[c]).padEnd(w[i] as number)).join('  '))];
}

const OPTIONS = {
  registry: { type: 'string' }, profile: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }, yes: { type: 'boolean' }, 'dry-run': { type: 'boolean' },
  kek: { type: 'string', multiple: true }, subject: { type: 'string' }, version: { type: 'string' }, algorithm: { type: 'string' },
  'kms-type': { type: 'string' }, 'kms-key-id': { type: 'string' }, 'kms-prop': { type: 'string', multiple: true },
  shared: { type: 'boolean' }, doc: { type: 'string' }, deleted: { type: 'boolean' }, permanent: { type: 'boolean' },
  tag: { type: 'string', multiple: true }, 'field-tag': { type: 'string', multiple: true }, 'expiry-days': { type: 'string' },
  'on-failure': { type: 'string' }, payload: { type: 'boolean' }, 'rule-name': { type: 'string' },
  topic: { type: 'string' }, brokers: { type: 'string' }, max: { type: 'string' }, 'verify-topic': { type: 'string' },
} as const;

/** Every command `main` runs, as `group action` (or `group` alone). */
export const COMMANDS: readonly string[] = [
  'kek list', 'kek get', 'kek create', 'kek update', 'kek delete', 'kek undelete', 'kek test',
  'dek list', 'dek get', 'dek create', 'dek rotate', 'dek rewrap', 'dek delete', 'dek undelete',
  'rules show', 'rules apply', 'rules remove', 'shred', 'inspect', 'decrypt', 'doctor', 'config show',
];

/**
 * Checks a command line without running it (for documentation tests and wrappers): a known
 * command and only known flags with the right types. Resolves `undefined` when valid, else why not.
 */
export function checkCommandLine(argv: readonly string[]): string | undefined {
  try {
    const { positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
    const [group, action] = positionals;
    const cmd = [group, action].filter(Boolean).join(' ');
    return COMMANDS.includes(cmd) ? undefined : `unknown command "${cmd}"`;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Runs `csfle` with `argv` (without `node` and the script). Resolves the exit code. */
export async function main(argv: readonly string[], io: Io, inject?: { context?: CliContext; env?: NodeJS.ProcessEnv }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
  } catch (e) {
    io.err(`csfle: ${(e as Error).message}\n\n${USAGE}`);
    return ExitCodes.USAGE;
  }
  const { values: f, positionals: [group, action, arg] } = parsed;
  if (f.help || !group) {
    (f.help ? io.out : io.err)(USAGE);
    return f.help ? ExitCodes.OK : ExitCodes.USAGE;
  }
  const json = f.json === true;
  const print = (v: unknown, text: () => string[]) => {
    if (json) io.out(JSON.stringify(v, null, 2));
    else for (const l of text()) io.out(l);
  };
  try {
    const config = resolveConfig({ flags: { registry: f.registry, profile: f.profile, config: f.config }, ...(inject?.env ? { env: inject.env } : {}) });
    if (group === 'config' && action === 'show') {
      print(describeConfig(config), () => Object.entries(describeConfig(config)).map(([k, v]) => `${k}: ${v}`));
      return ExitCodes.OK;
    }
    const ctx = inject?.context ?? createCliContext(config);
    const kekName = () => need(f.kek?.[0], '--kek');
    const algorithm = (f.algorithm ?? 'AES256_GCM') as DekAlgorithm;
    const version = () => {
      const n = Number(need(f.version, '--version'));
      if (!Number.isInteger(n)) throw new UsageError('--version expected an integer');
      return n;
    };
    switch (`${group} ${action ?? ''}`.trim()) {
      case 'kek list': {
        const keks = await cmd.kekList(ctx, { deleted: f.deleted === true });
        print(keks, () => table(keks.map((k) => ({ name: k.name, kmsType: k.kmsType, kmsKeyId: k.kmsKeyId, shared: k.shared, deleted: k.deleted ?? false }))));
        return ExitCodes.OK;
      }
      case 'kek get': {
        const k = await cmd.kekGet(ctx, need(arg, 'KEK name'));
        print(k, () => Object.entries(k).map(([a, b]) => `${a}: ${typeof b === 'object' ? JSON.stringify(b) : String(b)}`));
        return ExitCodes.OK;
      }
      case 'kek create': {
        const k = await cmd.kekCreate(ctx, {
          name: need(arg, 'KEK name'), kmsType: need(f['kms-type'], '--kms-type'), kmsKeyId: need(f['kms-key-id'], '--kms-key-id'),
          kmsProps: kv(f['kms-prop'], '--kms-prop'), shared: f.shared === true, ...(f.doc ? { doc: f.doc } : {}),
        });
        print(k, () => [`created KEK ${k.name} (${k.kmsType}://${k.kmsKeyId}${k.shared ? ', shared' : ''})`]);
        return ExitCodes.OK;
      }
      case 'kek update': {
        const k = await cmd.kekUpdate(ctx, need(arg, 'KEK name'), {
          ...(f['kms-prop'] ? { kmsProps: kv(f['kms-prop'], '--kms-prop') } : {}), ...(f.shared !== undefined ? { shared: f.shared } : {}), ...(f.doc ? { doc: f.doc } : {}),
        });
        print(k, () => [`updated KEK ${k.name}`]);
        return ExitCodes.OK;
      }
      case 'kek delete':
        await cmd.kekDelete(ctx, need(arg, 'KEK name'), f.permanent === true);
        print({ deleted: arg, permanent: f.permanent === true }, () => [`deleted KEK ${arg}${f.permanent ? ' (permanently)' : ''}`]);
        return ExitCodes.OK;
      case 'kek undelete':
        await cmd.kekUndelete(ctx, need(arg, 'KEK name'));
        print({ undeleted: arg }, () => [`undeleted KEK ${arg}`]);
        return ExitCodes.OK;
      case 'kek test': {
        const r = await cmd.kekTest(ctx, need(arg, 'KEK name'));
        print(r, () => r.map((x) => `${x.ok ? 'ok  ' : 'FAIL'} ${x.keyUri} ${x.ok ? `(${x.ms} ms)` : `${x.code}: ${x.message ?? ''}`}`));
        return r.every((x) => x.ok) ? ExitCodes.OK : ExitCodes.CHECKS_FAILED;
      }
      case 'dek list': {
        const d = await cmd.dekList(ctx, kekName(), { ...(f.subject ? { subject: f.subject } : {}), deleted: f.deleted === true });
        print(d, () => table(d.map((x) => ({ kek: x.kekName, subject: x.subject, version: x.version, algorithm: x.algorithm, deleted: x.deleted ?? false }))));
        return ExitCodes.OK;
      }
      case 'dek get': {
        const d = await cmd.dekGet(ctx, kekName(), need(f.subject, '--subject'), version(), algorithm);
        print(d, () => Object.entries(d).map(([a, b]) => `${a}: ${String(b)}`));
        return ExitCodes.OK;
      }
      case 'dek create':
      case 'dek rotate': {
        const d = await cmd.dekCreate(ctx, kekName(), need(f.subject, '--subject'), { algorithm, rotate: action === 'rotate' });
        print(d, () => [`registered DEK ${d.kekName}/${d.subject} v${d.version} (${d.algorithm})`]);
        return ExitCodes.OK;
      }
      case 'dek rewrap': {
        const r = await cmd.dekRewrap(ctx, kekName(), {
          ...(f.subject ? { subject: f.subject } : {}),
          ...(f.version !== undefined ? { version: version() } : {}),
          ...(f.algorithm ? { algorithm } : {}),
          dryRun: f['dry-run'] === true,
        });
        print(r, () => [
          ...r.map((x) => `${x.rewrapped ? 'rewrapped' : 'would rewrap'} ${x.subject} ${x.algorithm} v${x.version}${x.deleted ? ' (soft-deleted)' : ''}${x.before || x.after ? `  ${x.before ?? '?'} -> ${x.after ?? (x.rewrapped ? '?' : 'current')}` : ''}`),
          `${r.filter((x) => x.rewrapped).length} of ${r.length} DEK(s) rewrapped${f['dry-run'] ? ' (dry run: nothing stored)' : ''}`,
        ]);
        return ExitCodes.OK;
      }
      case 'dek delete':
        await cmd.dekDelete(ctx, kekName(), need(f.subject, '--subject'), version(), algorithm, f.permanent === true);
        print({ ok: true }, () => [`deleted DEK v${f.version}${f.permanent ? ' (permanently)' : ''}`]);
        return ExitCodes.OK;
      case 'dek undelete':
        await cmd.dekUndelete(ctx, kekName(), need(f.subject, '--subject'), version(), algorithm);
        print({ ok: true }, () => [`undeleted DEK v${f.version}`]);
        return ExitCodes.OK;
      case 'rules show': {
        const v = await cmd.rulesShow(ctx, need(f.subject, '--subject'));
        print(v, () => [`subject ${v.subject} version ${v.version} (schema id ${v.id})`, ...JSON.stringify({ ruleSet: v.ruleSet, metadata: v.metadata }, null, 2).split('\n')]);
        return ExitCodes.OK;
      }
      case 'rules apply':
      case 'rules remove': {
        const subject = need(f.subject, '--subject');
        const dryRun = f['dry-run'] === true;
        const fieldTags: Record<string, string[]> = {};
        for (const [path, tag] of Object.entries(kv(f['field-tag'], '--field-tag'))) fieldTags[path] = tag.split(',');
        const r =
          action === 'apply'
            ? await cmd.rulesApply(
                ctx,
                subject,
                {
                  kekName: kekName(), kmsType: need(f['kms-type'], '--kms-type'), kmsKeyId: need(f['kms-key-id'], '--kms-key-id'),
                  tags: f.tag ?? ['PII'], ...(f.algorithm ? { algorithm } : {}), ...(f['expiry-days'] ? { expiryDays: Number(f['expiry-days']) } : {}),
                  ...(f['on-failure'] ? { onFailure: f['on-failure'] } : {}), ...(f.payload ? { payload: true } : {}), ...(f['rule-name'] ? { name: f['rule-name'] } : {}),
                },
                { fieldTags, dryRun },
              )
            : await cmd.rulesRemove(ctx, subject, need(f['rule-name'] ?? arg, 'rule name (--rule-name)'), { dryRun });
        print(r, () => [...r.diff, r.registered ? `registered ${subject} version ${r.registered.version} (schema id ${r.registered.id})` : dryRun ? '(dry run: nothing registered)' : '(no change)']);
        return ExitCodes.OK;
      }
      case 'shred': {
        const subject = need(f.subject, '--subject');
        let confirm = f.yes ? subject : undefined;
        if (!confirm) {
          if (!io.ask) throw new UsageError('shred destroys keys for good: pass --yes, or run it on a terminal to confirm');
          io.err(`This permanently deletes every DEK of ${subject}: its records can never be decrypted again.`);
          confirm = (await io.ask(`Type the subject name to confirm: `)).trim();
        }
        const r = await cmd.shred(ctx, subject, { confirm, ...(f.kek ? { keks: f.kek } : {}) });
        // Proof, on request: read the topic's records back; none may decrypt any more.
        let verified: { records: number; stillDecryptable: number } | undefined;
        if (f['verify-topic']) {
          const brokers = (f.brokers ?? (inject?.env ?? process.env).CSFLE_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
          const recs = await inspectTopic(ctx, { brokers, topic: f['verify-topic'], max: f.max === undefined ? 100 : Number(f.max) });
          const protectedRecs = recs.filter((x) => x.fields.length > 0 || x.error !== undefined);
          verified = { records: protectedRecs.length, stillDecryptable: protectedRecs.filter((x) => x.decryptable && !x.error).length };
        }
        print({ ...r, ...(verified ? { verified } : {}) }, () => [
          `destroyed ${r.destroyed.length} DEK(s) of ${subject}`,
          ...r.destroyed.map((d) => `  ${d.kek} ${d.algorithm} v${d.version}`),
          r.remaining.length === 0
            ? `checked: the registry returns none of them any more (not even soft-deleted): records under them cannot be decrypted`
            : `NOT SHREDDED: the registry still returns ${r.remaining.length} of them`,
          ...(verified ? [`verified on ${f['verify-topic']}: ${verified.records} protected record(s) read, ${verified.stillDecryptable} still decryptable`] : []),
        ]);
        return r.remaining.length > 0 || (verified && verified.stillDecryptable > 0) ? ExitCodes.CHECKS_FAILED : ExitCodes.OK;
      }
      case 'inspect':
      case 'decrypt': {
        const brokers = (f.brokers ?? (inject?.env ?? process.env).CSFLE_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
        const max = f.max === undefined ? 100 : Number(f.max);
        if (!Number.isInteger(max) || max < 1) throw new UsageError('--max expected a positive integer');
        const tty = !json && io.progress !== undefined;
        const records = await inspectTopic(ctx, {
          brokers, topic: need(f.topic, '--topic'), max, decrypt: group === 'decrypt',
          ...(tty ? { onProgress: (done: number, total: number) => io.progress?.(done, total) } : {}),
        });
        print(records, () =>
          records.map((r) => {
            const where = `${r.partition}@${r.offset}`;
            if (r.error) return `${where}  ERROR ${r.error}`;
            const dek = (o: { kek?: string; dekVersion?: number }) => (o.kek ? `@${o.kek}/v${o.dekVersion ?? '?'}` : '');
            const fields = r.fields.map((o) => `${o.field.split('.').pop()}=${o.outcome === 'decrypted' ? 'ok' : `ciphertext(${o.code ?? o.outcome})`}${dek(o)}`).join(' ');
            const head = `${where}  schema ${r.schemaId}  ${r.fields.length ? (r.decryptable ? 'decryptable' : 'NOT decryptable') : 'no protected fields'}  ${fields}`;
            return group === 'decrypt' ? `${head}\n  ${JSON.stringify(r.value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}` : head;
          }),
        );
        return ExitCodes.OK;
      }
      case 'doctor': {
        const checks = await cmd.doctor(ctx, f.kek ? { keks: f.kek } : {});
        print(checks, () => checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}${c.fix ? `\n       → ${c.fix}` : ''}`));
        return checks.every((c) => c.ok) ? ExitCodes.OK : ExitCodes.CHECKS_FAILED;
      }
      default:
        throw new UsageError(`unknown command "${[group, action].filter(Boolean).join(' ')}"`);
    }
  } catch (e) {
    const code = exitCodeOf(e);
    if (json) io.out(JSON.stringify({ error: isCsfleError(e) ? e.toJSON() : { message: (e as Error).message } }));
    io.err(`csfle: ${isCsfleError(e) ? `${e.code}: ${e.message}` : (e as Error).message}${code === ExitCodes.USAGE ? `\n\n${USAGE}` : ''}`);
    return code;
  }
}

/** Terminal I/O for the binary. */
export function terminalIo(): Io {
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    ...(process.stderr.isTTY
      ? {
          progress: (done: number, total: number) => {
            const w = 30;
            const n = Math.round((done / Math.max(total, 1)) * w);
            process.stderr.write(`\r[${'#'.repeat(n)}${'.'.repeat(w - n)}] ${done}/${total}${done >= total ? '\n' : ''}`);
          },
        }
      : {}),
    ...(process.stdin.isTTY
      ? {
          ask: async (q: string) => {
            const rl = createInterface({ input: process.stdin, output: process.stderr });
            try {
              return await rl.question(q);
            } finally {
              rl.close();
            }
          },
        }
      : {}),
  };
}
