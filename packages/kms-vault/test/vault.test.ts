// Unit tests of @csfle/kms-vault without a Vault: URI parsing, error classification, TLS always verified.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { ErrorCodes } from '@csfle/core';
import { classifyVaultError, createVaultKms, parseVaultKeyUri } from '@csfle/kms-vault';

describe('parseVaultKeyUri', () => {
  it('takes endpoint, mount (possibly nested) and key name from the URI', () => {
    expect(parseVaultKeyUri('hcvault://http://127.0.0.1:8200/transit/keys/orders')).toEqual({ endpoint: 'http://127.0.0.1:8200', mount: 'transit', name: 'orders' });
    expect(parseVaultKeyUri('hcvault://https://vault.example.com/team-a/transit/keys/k-1')).toEqual({ endpoint: 'https://vault.example.com', mount: 'team-a/transit', name: 'k-1' });
  });
  it.each([
    'hcvault://http://127.0.0.1:8200/keys/orders', // no mount
    'hcvault://http://127.0.0.1:8200/transit/orders',
    'hcvault://http://127.0.0.1:8200/transit/keys/orders/extra',
    'hcvault://ftp://h/transit/keys/k',
    'hcvault://https://user:pw@h/transit/keys/k',
    'hcvault://not a url',
    'aws-kms://arn',
  ])('rejects %j with INVALID_ARGUMENT', (uri) => {
    expect(() => parseVaultKeyUri(uri)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
  });
});

describe('classifyVaultError', () => {
  const e = (status: number | undefined, msg?: string) => Object.assign(new Error(msg ?? 'x'), status === undefined ? {} : { response: { statusCode: status, body: { errors: msg ? [msg] : [] } } });
  it.each([
    [403, 'permission denied', ErrorCodes.KMS_DENIED],
    [400, 'encryption key not found', ErrorCodes.KMS_KEY_NOT_FOUND],
    [404, undefined, ErrorCodes.KMS_KEY_NOT_FOUND],
    [400, 'invalid ciphertext: no prefix', ErrorCodes.KMS_INVALID_CIPHERTEXT],
    [400, 'cipher: message authentication failed', ErrorCodes.KMS_INVALID_CIPHERTEXT],
    [503, 'Vault is sealed', ErrorCodes.KMS_UNAVAILABLE],
    [429, undefined, ErrorCodes.KMS_UNAVAILABLE],
    [undefined, undefined, ErrorCodes.KMS_UNAVAILABLE],
  ])('HTTP %s %j → %s', (status, msg, code) => {
    expect(classifyVaultError(e(status, msg)).code).toBe(code);
  });
});

describe('TLS', () => {
  it('verifies the server certificate even with VAULT_SKIP_VERIFY set (node-vault alone would not); trusts an explicit ca', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'csfle-vault-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const cert = readFileSync(`${dir}/cert.pem`);
    const server = https.createServer({ key: readFileSync(`${dir}/key.pem`), cert }, (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { ciphertext: 'vault:v1:AAAA' } }));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const uri = `hcvault://https://127.0.0.1:${(server.address() as { port: number }).port}/transit/keys/k`;
    const saved = process.env.VAULT_SKIP_VERIFY;
    process.env.VAULT_SKIP_VERIFY = '1';
    try {
      const untrusted = createVaultKms({ params: { 'token.id': 't' }, retries: 0, timeoutMs: 2000 });
      await expect(untrusted.wrap(uri, new Uint8Array(32))).rejects.toMatchObject({ code: ErrorCodes.KMS_UNAVAILABLE });
      const trusted = createVaultKms({ params: { 'token.id': 't' }, retries: 0, timeoutMs: 2000, ca: cert });
      expect(Buffer.from(await trusted.wrap(uri, new Uint8Array(32))).toString()).toBe('vault:v1:AAAA');
    } finally {
      if (saved === undefined) delete process.env.VAULT_SKIP_VERIFY;
      else process.env.VAULT_SKIP_VERIFY = saved;
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
