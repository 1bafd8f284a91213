/**
 * Vault transit key URIs: `hcvault://<scheme>://<host>[:<port>]/<mount path>/keys/<name>`.
 * The transit mount is everything between the host and `/keys/<name>` (it may contain slashes:
 * `hcvault://https://vault:8200/team-a/transit/keys/orders`), as in Confluent's Go and Java
 * clients. Confluent's JS client ignores the path and always uses `transit`; for keys under the
 * default `transit` mount both read the same URIs.
 */
import { CsfleError, ErrorCodes } from '@csfle/core';

export const VAULT_KMS_TYPE = 'hcvault';
export const VAULT_PREFIX = `${VAULT_KMS_TYPE}://`;

export interface VaultKeyRef {
  /** `<scheme>://<host>[:<port>]` */
  readonly endpoint: string;
  /** The transit mount path, without leading/trailing slashes (e.g. `transit`, `team-a/transit`). */
  readonly mount: string;
  readonly name: string;
}

/** @throws {CsfleError} `INVALID_ARGUMENT` if the URI is not `hcvault://http(s)://host[:port]/<mount>/keys/<name>`. */
export function parseVaultKeyUri(uri: string): VaultKeyRef {
  const bad = (why: string) =>
    new CsfleError(ErrorCodes.INVALID_ARGUMENT, `hcvault: key URI expected "${VAULT_PREFIX}http(s)://<host>:<port>/<mount>/keys/<name>" (${why}), got ${JSON.stringify(String(uri))}`);
  if (typeof uri !== 'string' || !uri.startsWith(VAULT_PREFIX)) throw bad('wrong prefix');
  let url: URL;
  try {
    url = new URL(uri.slice(VAULT_PREFIX.length));
  } catch {
    throw bad('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('scheme must be http or https');
  if (url.search || url.hash || url.username || url.password) throw bad('no query, fragment or credentials allowed');
  const parts = url.pathname.split('/').filter((p) => p !== '');
  const k = parts.lastIndexOf('keys');
  if (k < 1 || k !== parts.length - 2) throw bad('path must end with /<mount>/keys/<name>');
  return { endpoint: `${url.protocol}//${url.host}`, mount: parts.slice(0, k).join('/'), name: decodeURIComponent(parts[k + 1] as string) };
}
