/**
 * Azure Key Vault key URIs: `azure-kms://https://<vault>.vault.azure.net/keys/<name>[/<version>]`
 * (Managed HSM, sovereign clouds and other hosts are accepted: the vault URL is whatever precedes
 * `/keys/`). The DEK-format helpers implement the `azure:v1:` version header of Confluent's
 * Java/Go/Python clients: `azure:v1:<32 hex chars of the key version>:<raw RSA-OAEP-256 ciphertext>`.
 */
import { CsfleError, ErrorCodes } from '@csfle/core';

export const AZURE_KMS_TYPE = 'azure-kms';
export const AZURE_KMS_PREFIX = `${AZURE_KMS_TYPE}://`;

export interface AzureKeyId {
  readonly vaultUrl: string;
  readonly name: string;
  readonly version: string | undefined;
}

/** @throws {CsfleError} `INVALID_ARGUMENT` */
export function parseAzureKeyUri(uri: string): AzureKeyId {
  const bad = (why: string) =>
    new CsfleError(ErrorCodes.INVALID_ARGUMENT, `azure-kms: key URI expected "${AZURE_KMS_PREFIX}https://<vault>/keys/<name>[/<version>]" (${why}), got ${JSON.stringify(String(uri))}`);
  if (typeof uri !== 'string' || !uri.startsWith(AZURE_KMS_PREFIX)) throw bad('wrong prefix');
  let url: URL;
  try {
    url = new URL(uri.slice(AZURE_KMS_PREFIX.length));
  } catch {
    throw bad('not a URL');
  }
  if (url.protocol !== 'https:') throw bad('Key Vault is https only');
  if (url.search || url.hash || url.username || url.password) throw bad('no query, fragment or credentials allowed');
  const seg = url.pathname.split('/').filter((s) => s !== '');
  if (seg.length < 2 || seg.length > 3 || seg[0] !== 'keys') throw bad('path must be /keys/<name>[/<version>]');
  return { vaultUrl: `${url.protocol}//${url.host}`, name: seg[1] as string, version: seg[2] };
}

const PREFIX = Buffer.from('azure:v1:', 'ascii');
const VERSION_LENGTH = 32;
const HEADER_LENGTH = PREFIX.length + VERSION_LENGTH + 1;

/** True for the 32-hex-character key versions Azure Key Vault issues (the only shape the header can carry). */
export function isHeaderVersion(v: string | undefined): v is string {
  return v !== undefined && v.length === VERSION_LENGTH && /^[0-9a-fA-F]+$/.test(v);
}

/** Prepends `azure:v1:<version>:`. @throws {CsfleError} `INVALID_ARGUMENT` for a version of another shape. */
export function addVersionHeader(version: string, ciphertext: Uint8Array): Buffer {
  const v: string = version;
  if (!isHeaderVersion(v)) throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `azure-kms: key version expected 32 hex characters to save in the DEK, got a value of ${String(v).length} characters`);
  return Buffer.concat([PREFIX, Buffer.from(v, 'ascii'), Buffer.from(':'), ciphertext]);
}

/** Splits `azure:v1:<version>:<ciphertext>`; anything else is returned as legacy (no version). */
export function readVersionHeader(bytes: Uint8Array): { version: string | undefined; ciphertext: Uint8Array } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length > HEADER_LENGTH && b.subarray(0, PREFIX.length).equals(PREFIX) && b[HEADER_LENGTH - 1] === 0x3a) {
    const version = b.subarray(PREFIX.length, PREFIX.length + VERSION_LENGTH).toString('ascii');
    if (isHeaderVersion(version)) return { version, ciphertext: b.subarray(HEADER_LENGTH) };
  }
  return { version: undefined, ciphertext: b };
}
