/**
 * Where the CLI's settings come from, first that applies: flags, environment (`CSFLE_*`), the
 * profile file (`--config`, `CSFLE_CONFIG`, else `~/.config/csfle/config.json`; `--profile`,
 * `CSFLE_PROFILE`, else `default`). Secrets are read from the environment or the profile, never
 * printed; `describeConfig` shows where each setting came from with secrets masked.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CsfleError, ErrorCodes } from '@csfle/core';

export interface CliConfig {
  /** Schema Registry (and DEK Registry) URL. */
  readonly registryUrl: string;
  /** `user:password` for basic auth, or undefined. */
  readonly registryAuth?: string;
  /** Secret of the local KMS (`local-kms`), for development stacks. */
  readonly localSecret?: string;
  /** KMS params in Confluent's names (credentials for aws/azure/gcp/vault), merged into every KMS call. */
  readonly kmsParams: Readonly<Record<string, string>>;
  /** Where each setting came from (for `doctor` / `config show`). */
  readonly sources: Readonly<Record<string, string>>;
}

interface ProfileFile {
  readonly profiles?: Record<string, { registryUrl?: string; registryAuth?: string; localSecret?: string; kmsParams?: Record<string, string> }>;
}

export interface ConfigInput {
  readonly flags: Readonly<Record<string, string | undefined>>;
  readonly env?: NodeJS.ProcessEnv;
}

/** @throws {CsfleError} `INVALID_ARGUMENT` for a missing registry URL or an unreadable profile file. */
export function resolveConfig({ flags, env = process.env }: ConfigInput): CliConfig {
  const file = flags.config ?? env.CSFLE_CONFIG ?? path.join(os.homedir(), '.config', 'csfle', 'config.json');
  const profileName = flags.profile ?? env.CSFLE_PROFILE ?? 'default';
  let profile: NonNullable<ProfileFile['profiles']>[string] = {};
  if (existsSync(file)) {
    try {
      profile = (JSON.parse(readFileSync(file, 'utf8')) as ProfileFile).profiles?.[profileName] ?? {};
    } catch (e) {
      throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `csfle: profile file ${file} is not valid JSON`, { cause: e });
    }
  } else if (flags.config !== undefined || flags.profile !== undefined) {
    throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `csfle: profile file ${file} not found`);
  }
  const sources: Record<string, string> = {};
  const pick = (name: string, flag: string | undefined, envName: string, fromProfile: string | undefined): string | undefined => {
    if (flag !== undefined) return (sources[name] = 'flag'), flag;
    const e = env[envName];
    if (e !== undefined && e !== '') return (sources[name] = `env ${envName}`), e;
    if (fromProfile !== undefined) return (sources[name] = `profile ${profileName}`), fromProfile;
    return undefined;
  };
  const registryUrl = pick('registryUrl', flags.registry, 'CSFLE_REGISTRY_URL', profile.registryUrl);
  if (!registryUrl) {
    throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, 'csfle: no registry URL: pass --registry, set CSFLE_REGISTRY_URL, or add registryUrl to a profile');
  }
  // Secrets are never taken from flags (they would land in shell history and `ps`).
  const registryAuth = pick('registryAuth', undefined, 'CSFLE_REGISTRY_AUTH', profile.registryAuth);
  const localSecret = pick('localSecret', undefined, 'CSFLE_LOCAL_SECRET', profile.localSecret);
  return {
    registryUrl,
    ...(registryAuth === undefined ? {} : { registryAuth }),
    ...(localSecret === undefined ? {} : { localSecret }),
    kmsParams: { ...(profile.kmsParams ?? {}) },
    sources,
  };
}

/** The config for display: secrets replaced by `(set)`. */
export function describeConfig(c: CliConfig): Record<string, string> {
  return {
    registryUrl: `${c.registryUrl} (${c.sources.registryUrl ?? '?'})`,
    registryAuth: c.registryAuth === undefined ? '(not set)' : `(set, ${c.sources.registryAuth})`,
    localSecret: c.localSecret === undefined ? '(not set)' : `(set, ${c.sources.localSecret})`,
    kmsParams: Object.keys(c.kmsParams).length === 0 ? '(none)' : Object.keys(c.kmsParams).sort().join(', '),
  };
}
