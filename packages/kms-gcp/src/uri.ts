/** GCP KMS key URIs: `gcp-kms://projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`. */
import { CsfleError, ErrorCodes } from '@csfle/core';

export const GCP_KMS_TYPE = 'gcp-kms';
export const GCP_KMS_PREFIX = `${GCP_KMS_TYPE}://`;

const NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/cryptoKeys\/([^/]+)$/;

export interface GcpKeyName {
  /** The CryptoKey resource name (the request's `name`). */
  readonly name: string;
  readonly project: string;
  readonly location: string;
  readonly keyRing: string;
  readonly cryptoKey: string;
}

/**
 * Parses a `gcp-kms://` URI. Only CryptoKey names are accepted: a `/cryptoKeyVersions/<v>` suffix
 * is refused, because Decrypt takes the CryptoKey (the service picks the version) and Confluent's
 * drivers use the same name for both.
 * @throws {CsfleError} `INVALID_ARGUMENT`
 */
export function parseGcpKeyUri(uri: string): GcpKeyName {
  if (typeof uri !== 'string' || !uri.startsWith(GCP_KMS_PREFIX)) {
    throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `gcp-kms: key URI expected "${GCP_KMS_PREFIX}projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>", got ${JSON.stringify(String(uri))}`);
  }
  const name = uri.slice(GCP_KMS_PREFIX.length);
  const m = NAME.exec(name);
  if (!m) {
    throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `gcp-kms: key URI expected a CryptoKey name projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>, got ${JSON.stringify(name)}`);
  }
  return { name, project: m[1] as string, location: m[2] as string, keyRing: m[3] as string, cryptoKey: m[4] as string };
}
