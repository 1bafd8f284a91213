/** OpenBao/Vault dev server setup for tests: transit mounts and keys, a least-privilege policy, tokens, AppRole. */
export interface VaultSetup {
  readonly url: string;
  readonly rootToken: string;
  /** Token with only transit encrypt/decrypt on the test keys. */
  readonly token: string;
  /** Token with no transit permission. */
  readonly deniedToken: string;
  readonly appRole: { roleId: string; secretId: string };
  /** Key names under `transit` and under the nested mount. */
  readonly keys: { k1: string; k2: string; nested: string };
  readonly nestedMount: string;
}

async function call(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${url}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': token, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined };
}

async function must(url: string, token: string, method: string, path: string, body?: unknown, okIfExists = false): Promise<any> {
  const r = await call(url, token, method, path, body);
  if (r.status >= 300 && !(okIfExists && r.status === 400)) throw new Error(`vault ${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.json?.errors)}`);
  return r.json;
}

export async function setupVault(url: string, rootToken: string): Promise<VaultSetup> {
  const nestedMount = 'team-a/transit';
  await must(url, rootToken, 'POST', 'sys/mounts/transit', { type: 'transit' }, true);
  await must(url, rootToken, 'POST', `sys/mounts/${nestedMount}`, { type: 'transit' }, true);
  const run = Math.random().toString(36).slice(2, 8);
  const keys = { k1: `k1-${run}`, k2: `k2-${run}`, nested: `k3-${run}` };
  await must(url, rootToken, 'POST', `transit/keys/${keys.k1}`, {});
  await must(url, rootToken, 'POST', `transit/keys/${keys.k2}`, {});
  await must(url, rootToken, 'POST', `${nestedMount}/keys/${keys.nested}`, {});
  // Least privilege for csfle: update on encrypt/decrypt of the KEK only (no create: no upsert of new keys).
  const policy = ['transit', nestedMount]
    .flatMap((m) => [`path "${m}/encrypt/*" { capabilities = ["update"] }`, `path "${m}/decrypt/*" { capabilities = ["update"] }`])
    .join('\n');
  await must(url, rootToken, 'PUT', `sys/policies/acl/csfle-kek-${run}`, { policy });
  const token = (await must(url, rootToken, 'POST', 'auth/token/create', { policies: [`csfle-kek-${run}`], ttl: '1h' })).auth.client_token as string;
  const deniedToken = (await must(url, rootToken, 'POST', 'auth/token/create', { policies: ['default'], ttl: '1h' })).auth.client_token as string;
  await must(url, rootToken, 'POST', 'sys/auth/approle', { type: 'approle' }, true);
  await must(url, rootToken, 'POST', `auth/approle/role/csfle-${run}`, { token_policies: [`csfle-kek-${run}`], token_ttl: '1h' });
  const roleId = (await must(url, rootToken, 'GET', `auth/approle/role/csfle-${run}/role-id`)).data.role_id as string;
  const secretId = (await must(url, rootToken, 'POST', `auth/approle/role/csfle-${run}/secret-id`, {})).data.secret_id as string;
  return { url, rootToken, token, deniedToken, appRole: { roleId, secretId }, keys, nestedMount };
}

/** An admin call with the root token (rotate a transit key, set its config, ...); throws on HTTP >= 300. */
export function vaultAdmin(v: VaultSetup, method: string, path: string, body?: unknown): Promise<any> {
  return must(v.url, v.rootToken, method, path, body);
}
