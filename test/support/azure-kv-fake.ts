/**
 * A small Azure Key Vault fake for tests: HTTPS (a throw-away self-signed certificate the test
 * trusts explicitly), Key Vault's challenge-based bearer authentication, and the key routes the
 * adapter uses — get key, encrypt, decrypt with RSA-OAEP-256 — driven by the real
 * `@azure/keyvault-keys` client. Lowkey Vault, the emulator the test-infra notes name, is not
 * published on Maven Central (only its client and testcontainers artifacts are), so this stands in.
 */
import { execFileSync } from 'node:child_process';
import { constants, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';

export interface FakeKeyVault {
  /** `https://127.0.0.1:<port>` */
  readonly vaultUrl: string;
  /** PEM of the server certificate, to trust explicitly. */
  readonly ca: Buffer;
  /** Creates a key (or a new version of it); returns the 32-hex version. */
  createKey(name: string): string;
  /** Tokens the vault accepts; `allowed: false` tokens are authenticated but refused (403). */
  addToken(token: string, allowed: boolean): void;
  readonly calls: { encrypt: number; decrypt: number; get: number };
  close(): Promise<void>;
}

const b64url = (b: Buffer) => b.toString('base64url');

export async function startFakeKeyVault(): Promise<FakeKeyVault> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'csfle-kv-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const ca = readFileSync(`${dir}/cert.pem`);
  const keys = new Map<string, { versions: Map<string, KeyObject>; latest: string }>();
  const tokens = new Map<string, boolean>();
  const calls = { encrypt: 0, decrypt: 0, get: 0 };
  let vaultUrl = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) => send(res, status, { error: { code, message } });

  function bundle(name: string, version: string, key: KeyObject) {
    const jwk = createPublicKey(key).export({ format: 'jwk' }) as { n: string; e: string };
    return {
      key: { kid: `${vaultUrl}/keys/${name}/${version}`, kty: 'RSA', key_ops: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'], n: jwk.n, e: jwk.e },
      attributes: { enabled: true, created: 1700000000, updated: 1700000000, recoveryLevel: 'Purgeable' },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ')) {
      // Key Vault's challenge: the SDK asks its credential for a token for this resource, then retries.
      return send(res, 401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }, {
        'www-authenticate': 'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
      });
    }
    const allowed = tokens.get(auth.slice(7));
    if (allowed === undefined) return error(res, 401, 'Unauthorized', 'AKV10032: Invalid issuer.');
    if (!allowed) return error(res, 403, 'Forbidden', 'The user, group or application does not have keys encrypt permission on key vault.');
    const url = new URL(req.url ?? '/', vaultUrl);
    const seg = url.pathname.split('/').filter((s) => s !== '');
    if (seg[0] !== 'keys' || !seg[1]) return error(res, 404, 'NotFound', 'unknown route');
    const entry = keys.get(seg[1]);
    // /keys/<name>[/<version>][/<op>]; a versionless id means the latest version, as in Key Vault.
    const ops = new Set(['encrypt', 'decrypt']);
    const op = seg.find((x, i) => i >= 2 && ops.has(x));
    const versionSeg = seg[2] !== undefined && !ops.has(seg[2]) ? seg[2] : undefined;
    const version = versionSeg ?? entry?.latest;
    const key = version ? entry?.versions.get(version) : undefined;
    if (!entry || !key) return error(res, 404, 'KeyNotFound', `A key with (name/id) ${seg[1]} was not found in this key vault.`);
    if (req.method === 'GET' && op === undefined) {
      calls.get++;
      return send(res, 200, bundle(seg[1], version as string, key));
    }
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { alg?: string; value?: string };
    if (body.alg !== 'RSA-OAEP-256') return error(res, 400, 'BadParameter', 'unsupported algorithm');
    const kid = `${vaultUrl}/keys/${seg[1]}/${version}`;
    const input = Buffer.from(body.value ?? '', 'base64url');
    if (op === 'encrypt') {
      calls.encrypt++;
      return send(res, 200, { kid, value: b64url(publicEncrypt({ key: createPublicKey(key), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, input)) });
    }
    if (op === 'decrypt') {
      calls.decrypt++;
      try {
        return send(res, 200, { kid, value: b64url(privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, input)) });
      } catch {
        return error(res, 400, 'BadParameter', 'Error decrypting data.');
      }
    }
    return error(res, 404, 'NotFound', 'unknown operation');
  }

  const server = https.createServer({ key: readFileSync(`${dir}/key.pem`), cert: ca }, (req, res) => {
    handle(req, res).catch(() => error(res, 500, 'InternalError', 'fake failure'));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  vaultUrl = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  rmSync(dir, { recursive: true, force: true });
  return {
    vaultUrl,
    ca,
    createKey(name) {
      const version = randomBytes(16).toString('hex');
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const e = keys.get(name) ?? { versions: new Map(), latest: version };
      e.versions.set(version, privateKey);
      e.latest = version;
      keys.set(name, e);
      return version;
    },
    addToken: (t, allowed) => void tokens.set(t, allowed),
    calls,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
