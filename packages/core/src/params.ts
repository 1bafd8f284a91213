/**
 * Encryption rule parameters (exact keys as in Confluent's executor), read from
 * `rule.params` first and then from the target schema's `metadata.properties`.
 */
import { ErrorCodes, RuleError } from './errors.js';
import type { DekAlgorithm, Rule, SchemaInfo } from './schema.js';

export const ParamKeys = {
  KEK_NAME: 'encrypt.kek.name',
  KMS_TYPE: 'encrypt.kms.type',
  KMS_KEY_ID: 'encrypt.kms.key.id',
  DEK_ALGORITHM: 'encrypt.dek.algorithm',
  DEK_EXPIRY_DAYS: 'encrypt.dek.expiry.days',
  /** Read from the KEK's `kmsProps`, then from the client config — never from rule params. */
  ALTERNATE_KMS_KEY_IDS: 'encrypt.alternate.kms.key.ids',
} as const;

export const DEK_ALGORITHMS: readonly DekAlgorithm[] = ['AES128_GCM', 'AES256_GCM', 'AES256_SIV'];

/** The resolved, validated parameters of one encryption rule. */
export interface EncryptionParams {
  readonly kekName: string;
  readonly kmsType: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly algorithm: DekAlgorithm;
  /** 0 = no rotation (and no version prefix). */
  readonly expiryDays: number;
}

/** `rule.params[key]`, else `schema.metadata.properties[key]`. */
export function ruleParam(rule: Rule, schema: SchemaInfo, key: string): string | undefined {
  const v = rule.params?.[key];
  if (v !== undefined && v !== null) return v;
  const p = schema.metadata?.properties?.[key];
  return p === undefined || p === null ? undefined : p;
}

/**
 * Resolves and validates an encryption rule's parameters.
 * @throws {RuleError} `INVALID_RULE` for a missing/empty KEK name, bad expiry days or unknown algorithm.
 */
export function resolveEncryptionParams(rule: Rule, schema: SchemaInfo): EncryptionParams {
  const at = { ruleName: rule.name };
  const kekName = ruleParam(rule, schema, ParamKeys.KEK_NAME);
  if (kekName === undefined) {
    throw new RuleError(ErrorCodes.INVALID_RULE, `rule ${rule.name}: "${ParamKeys.KEK_NAME}" expected a KEK name, got none`, at);
  }
  if (kekName === '') {
    throw new RuleError(ErrorCodes.INVALID_RULE, `rule ${rule.name}: "${ParamKeys.KEK_NAME}" expected non-empty string, got ""`, at);
  }
  const alg = ruleParam(rule, schema, ParamKeys.DEK_ALGORITHM) ?? 'AES256_GCM';
  if (!(DEK_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new RuleError(
      ErrorCodes.UNSUPPORTED_ALGORITHM,
      `rule ${rule.name}: "${ParamKeys.DEK_ALGORITHM}" expected one of ${DEK_ALGORITHMS.join(', ')}, got ${JSON.stringify(alg)}`,
      at,
    );
  }
  const expiryStr = ruleParam(rule, schema, ParamKeys.DEK_EXPIRY_DAYS);
  let expiryDays = 0;
  if (expiryStr !== undefined) {
    // Number() like Confluent: fractions accepted, "" is 0.
    expiryDays = Number(expiryStr);
    if (Number.isNaN(expiryDays)) {
      throw new RuleError(ErrorCodes.INVALID_RULE, `rule ${rule.name}: "${ParamKeys.DEK_EXPIRY_DAYS}" expected a number, got ${JSON.stringify(expiryStr)}`, at);
    }
    if (expiryDays < 0) {
      throw new RuleError(ErrorCodes.INVALID_RULE, `rule ${rule.name}: "${ParamKeys.DEK_EXPIRY_DAYS}" expected >= 0, got ${JSON.stringify(expiryStr)}`, at);
    }
  }
  const kmsType = ruleParam(rule, schema, ParamKeys.KMS_TYPE);
  const kmsKeyId = ruleParam(rule, schema, ParamKeys.KMS_KEY_ID);
  return {
    kekName,
    kmsType: kmsType === '' ? undefined : kmsType,
    kmsKeyId: kmsKeyId === '' ? undefined : kmsKeyId,
    algorithm: alg as DekAlgorithm,
    expiryDays,
  };
}

/** Splits a comma-separated list of alternate KMS key ids (trimmed, empties dropped). */
export function parseAlternateKeyIds(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
