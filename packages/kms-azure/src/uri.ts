/**
 * Azure Key Vault key URIs: `azure-kms://https://<vault>.vault.azure.net/keys/<name>[/<version>]`
 * (Managed HSM, sovereign clouds and other hosts are accepted: the vault URL is whatever precedes
 * `/keys/`).
 *
 * The DEK-format helpers implement the `azure:v1:` key-version header that Confluent's Java
 * (`AzureKmsAead`), Python (`azure_client.py`), .NET and newer JS clients write when a KEK has
 * `encrypt.azure.key.version.save=true`: ASCII `azure:v1:`, the 32 hex characters of the key
 * version, `:`, then the raw RSA-OAEP-256 ciphertext. A reader treats bytes that do not start with
 * `azure:v1:` + 32 bytes + `:` as legacy raw ciphertext, and rejects a header whose 32 bytes are
 * not hex (the stored bytes are unauthenticated; the version ends up in a URL).
 */
import { CsfleError, ErrorCodes } from '@csfle/core';

/** The KMS type of Confluent's Azure driver. */
export const AZURE_KMS_TYPE = 'azure-kms';
/** Every key URI this adapter serves starts with this. */
export const AZURE_KMS_PREFIX: string = `${AZURE_KMS_TYPE}://`;

/** A parsed Key Vault key identifier. */
export interface AzureKeyId {
  /** `https://<host>[:port]`, no trailing slash. */
  readonly vaultUrl: string;
  readonly name: string;
  /** `undefined`: the latest version. */
  readonly version: string | undefined;
}

/**
 * Parses `azure-kms://https://<host>/keys/<name>[/<version>]`.
 * @throws {CsfleError} `INVALID_ARGUMENT` for another prefix, a non-https URL, a query, fragment or
 *   userinfo, or a path other than `/keys/<name>[/<version>]`.
 * @example parseAzureKeyUri('azure-kms://https://v.vault.azure.net/keys/k') // { vaultUrl: 'https://v.vault.azure.net', name: 'k', version: undefined }
 */
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

/** The Key Vault key identifier (`<vault>/keys/<name>[/<version>]`) for `id` and an optional version override. */
export function keyIdentifier(id: AzureKeyId, version: string | undefined = id.version): string {
  const base = `${id.vaultUrl}/keys/${id.name}`;
  return version === undefined ? base : `${base}/${version}`;
}

const PREFIX = Buffer.from('azure:v1:', 'ascii');
const VERSION_LENGTH = 32;
const HEADER_LENGTH = PREFIX.length + VERSION_LENGTH + 1;
const COLON = 0x3a;

/** True for the 32-hex-character key versions Azure Key Vault issues (the only shape the header can carry). */
export function isHeaderVersion(v: string | undefined): v is string {
  return typeof v === 'string' && v.length === VERSION_LENGTH && /^[0-9a-fA-F]+$/.test(v);
}

/**
 * Prepends `azure:v1:<version>:` to raw ciphertext.
 * @throws {CsfleError} `INVALID_ARGUMENT` for a version that is not 32 hex characters.
 */
export function addVersionHeader(version: string, ciphertext: Uint8Array): Buffer {
  if (!isHeaderVersion(version)) {
    throw new CsfleError(ErrorCodes.INVALID_ARGUMENT, `azure-kms: key version expected 32 hex characters to save in the DEK, got a value of ${String(version).length} characters`);
  }
  return Buffer.concat([PREFIX, Buffer.from(version, 'ascii'), Buffer.from([COLON]), ciphertext]);
}

/** The result of {@link readVersionHeader}. */
export interface VersionHeader {
  /** The embedded key version; `undefined` for legacy bytes without a header. */
  readonly version: string | undefined;
  /** The raw RSA-OAEP-256 ciphertext. */
  readonly ciphertext: Uint8Array;
}

/**
 * Splits `azure:v1:<version>:<ciphertext>`; bytes without that frame are returned whole as legacy
 * raw ciphertext (no version).
 * @throws {CsfleError} `KMS_INVALID_CIPHERTEXT` when the frame is present but the version is not
 *   32 hex characters (as Confluent's readers do).
 */
export function readVersionHeader(bytes: Uint8Array): VersionHeader {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < HEADER_LENGTH || !b.subarray(0, PREFIX.length).equals(PREFIX) || b[HEADER_LENGTH - 1] !== COLON) {
    return { version: undefined, ciphertext: b };
  }
  const version = b.subarray(PREFIX.length, PREFIX.length + VERSION_LENGTH).toString('latin1');
  if (!isHeaderVersion(version)) {
    throw new CsfleError(ErrorCodes.KMS_INVALID_CIPHERTEXT, 'azure-kms: wrapped DEK carries an azure:v1: header whose key version is not 32 hex characters');
  }
  return { version, ciphertext: b.subarray(HEADER_LENGTH) };
}
