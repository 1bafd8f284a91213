/** The clients a command works with, built from the config (or injected, for scripts and tests). */
import { createLocalKms, type KmsClient } from '@csfle/core';
import { createDekRegistryClient, createSchemaRegistryClient, type DekRegistryAdminClient, type SchemaRegistryAdminClient } from '@csfle/registry';
import { createAwsKms } from '@csfle/kms-aws';
import { createAzureKms } from '@csfle/kms-azure';
import { createGcpKms } from '@csfle/kms-gcp';
import { createVaultKms } from '@csfle/kms-vault';
import type { CliConfig } from './config.js';

export interface CliContext {
  readonly registryUrl: string;
  readonly schemas: SchemaRegistryAdminClient;
  readonly deks: DekRegistryAdminClient;
  /** KMS clients, tried in order by `supports(keyUri)`. */
  readonly kms: readonly KmsClient[];
  /** Confluent-named KMS params merged into every KMS call (credentials). */
  readonly kmsParams: Readonly<Record<string, string>>;
}

export function createCliContext(config: CliConfig): CliContext {
  const auth = config.registryAuth
    ? (() => {
        const i = config.registryAuth.indexOf(':');
        return { basic: { username: config.registryAuth.slice(0, i), password: config.registryAuth.slice(i + 1) } };
      })()
    : undefined;
  const opts = { url: config.registryUrl, ...(auth ? { auth } : {}), latestTtlMs: 0 };
  const kms: KmsClient[] = [];
  if (config.localSecret) kms.push(createLocalKms({ secret: config.localSecret }));
  kms.push(createAwsKms(), createAzureKms(), createGcpKms(), createVaultKms());
  return {
    registryUrl: config.registryUrl,
    schemas: createSchemaRegistryClient(opts),
    deks: createDekRegistryClient(opts),
    kms,
    kmsParams: config.kmsParams,
  };
}
