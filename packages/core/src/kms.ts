/**
 * The KMS capability: wrap and unwrap DEK bytes under a KEK that never leaves the KMS.
 *
 * A `KmsClient` is injected into the DEK manager; there is no process-global registry.
 * Key URIs are `<kmsType>://<kmsKeyId>`, exactly as Confluent builds them.
 */
import type { CallOptions } from './schema.js';

export interface KmsClient {
  /** The KMS type this client serves, e.g. `local-kms`, `aws-kms`. */
  readonly kmsType: string;
  /** True if this client can wrap/unwrap under `keyUri`. */
  supports(keyUri: string): boolean;
  /** Wrap (encrypt) `plaintext` DEK bytes under the KEK at `keyUri`. */
  wrap(keyUri: string, plaintext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array>;
  /** Unwrap (decrypt) DEK bytes previously wrapped under the KEK at `keyUri`. */
  unwrap(keyUri: string, ciphertext: Uint8Array, options?: KmsCallOptions): Promise<Uint8Array>;
}

export interface KmsCallOptions extends CallOptions {
  /** Merged KEK `kmsProps` and client config, for drivers that need them (e.g. Azure key version). */
  props?: Readonly<Record<string, string>>;
}

/** Builds the key URI Confluent uses: `kmsType + "://" + kmsKeyId`. */
export function keyUri(kmsType: string, kmsKeyId: string): string {
  return `${kmsType}://${kmsKeyId}`;
}
