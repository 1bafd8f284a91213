/**
 * A small Cloud KMS fake for tests: a real gRPC server speaking google.cloud.kms.v1's Encrypt and
 * Decrypt (loaded from the protos shipped in @google-cloud/kms), driven by the real
 * `@google-cloud/kms` client. The known GCP KMS emulators cannot be installed here (the Go module
 * proxy refuses them), so this stands in; it models what the adapter depends on:
 * - AES-256-GCM per key, the key version inside the ciphertext, the key's name as associated data
 *   (another key's ciphertext fails with INVALID_ARGUMENT, as the real service does);
 * - CRC32C integrity fields as the real service fills them, and verification of the request CRCs;
 * - NOT_FOUND for unknown keys; UNAUTHENTICATED/PERMISSION_DENIED by the caller's bearer token;
 * - hooks to damage a response (to prove the client checks integrity).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { crc32c } from '@csfle/kms-gcp';

const kmsProtos = realpathSync(path.dirname(require.resolve('@google-cloud/kms/build/protos/protos.json')));
// google-gax (google/api/*.proto, google/protobuf/*.proto) sits beside @google-cloud/kms in pnpm's layout.
const gaxProtos = path.join(kmsProtos, '..', '..', '..', '..', 'google-gax', 'build', 'protos');

export interface FakeKms {
  readonly endpoint: { apiEndpoint: string; port: number };
  /** Adds a key; `allowed` tokens may use it (a valid token not listed gets PERMISSION_DENIED). */
  addKey(name: string, allowed: readonly string[]): void;
  /** Valid bearer tokens (others: UNAUTHENTICATED). */
  addToken(token: string): void;
  /** Damages the next N responses' CRC32C (integrity-check tests). */
  corruptNext(n: number): void;
  readonly calls: { encrypt: number; decrypt: number };
  close(): Promise<void>;
}

const MAGIC = Buffer.from('FK1');

export async function startFakeGcpKms(): Promise<FakeKms> {
  const def = protoLoader.loadSync('google/cloud/kms/v1/service.proto', {
    includeDirs: [kmsProtos, gaxProtos],
    keepCase: true,
    longs: String,
    defaults: false,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { google: { cloud: { kms: { v1: { KeyManagementService: { service: grpc.ServiceDefinition } } } } } };
  const keys = new Map<string, { versions: Buffer[]; allowed: Set<string> }>();
  const tokens = new Set<string>();
  const calls = { encrypt: 0, decrypt: 0 };
  let corrupt = 0;

  type Call = grpc.ServerUnaryCall<Record<string, any>, unknown>;
  const fail = (cb: grpc.sendUnaryData<unknown>, code: grpc.status, details: string) => cb({ code, details } as grpc.ServiceError, null);

  function authorize(call: Call, cb: grpc.sendUnaryData<unknown>, name: string): { versions: Buffer[] } | undefined {
    const auth = String(call.metadata.get('authorization')[0] ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!tokens.has(token)) return void fail(cb, grpc.status.UNAUTHENTICATED, 'Request had invalid authentication credentials.');
    const key = keys.get(name);
    // The real service answers PERMISSION_DENIED for unknown keys the caller may not see, NOT_FOUND otherwise.
    if (!key) return void fail(cb, grpc.status.NOT_FOUND, `${name} not found.`);
    if (!key.allowed.has(token)) return void fail(cb, grpc.status.PERMISSION_DENIED, `Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource '${name}'.`);
    return key;
  }
  const crcOut = (data: Buffer) => ({ value: String(corrupt > 0 ? (corrupt--, (crc32c(data) ^ 1) >>> 0) : crc32c(data)) });

  const server = new grpc.Server();
  server.addService(pkg.google.cloud.kms.v1.KeyManagementService.service, {
    Encrypt(call: Call, cb: grpc.sendUnaryData<unknown>) {
      calls.encrypt++;
      const { name, plaintext, plaintext_crc32c } = call.request;
      const key = authorize(call, cb, name);
      if (!key) return;
      const pt = Buffer.from(plaintext ?? []);
      if (plaintext_crc32c && Number(plaintext_crc32c.value) !== crc32c(pt)) return fail(cb, grpc.status.INVALID_ARGUMENT, 'The checksum in field plaintext_crc32c did not match the data in field plaintext.');
      const version = key.versions.length;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key.versions[version - 1] as Buffer, iv);
      c.setAAD(Buffer.from(name));
      const ct = Buffer.concat([MAGIC, Buffer.from([version]), iv, c.update(pt), c.final(), c.getAuthTag()]);
      cb(null, {
        name: `${name}/cryptoKeyVersions/${version}`,
        ciphertext: ct,
        ciphertext_crc32c: crcOut(ct),
        verified_plaintext_crc32c: Boolean(plaintext_crc32c),
        verified_additional_authenticated_data_crc32c: false,
        protection_level: 'SOFTWARE',
      });
    },
    Decrypt(call: Call, cb: grpc.sendUnaryData<unknown>) {
      calls.decrypt++;
      const { name, ciphertext, ciphertext_crc32c } = call.request;
      const key = authorize(call, cb, name);
      if (!key) return;
      const ct = Buffer.from(ciphertext ?? []);
      if (ciphertext_crc32c && Number(ciphertext_crc32c.value) !== crc32c(ct)) return fail(cb, grpc.status.INVALID_ARGUMENT, 'The checksum in field ciphertext_crc32c did not match the data in field ciphertext.');
      const bad = () => fail(cb, grpc.status.INVALID_ARGUMENT, 'Decryption failed: the ciphertext is invalid.');
      if (ct.length < 3 + 1 + 12 + 16 || !ct.subarray(0, 3).equals(MAGIC)) return bad();
      const material = key.versions[(ct[3] as number) - 1];
      if (!material) return bad();
      try {
        const d = createDecipheriv('aes-256-gcm', material, ct.subarray(4, 16));
        d.setAAD(Buffer.from(name));
        d.setAuthTag(ct.subarray(ct.length - 16));
        const pt = Buffer.concat([d.update(ct.subarray(16, ct.length - 16)), d.final()]);
        cb(null, { plaintext: pt, plaintext_crc32c: crcOut(pt), used_primary: true, protection_level: 'SOFTWARE' });
      } catch {
        bad();
      }
    },
  });
  const port = await new Promise<number>((ok, ko) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? ko(e) : ok(p))));
  return {
    endpoint: { apiEndpoint: '127.0.0.1', port },
    addKey: (name, allowed) => void keys.set(name, { versions: [randomBytes(32)], allowed: new Set(allowed) }),
    addToken: (t) => void tokens.add(t),
    corruptNext: (n) => void (corrupt = n),
    calls,
    close: () => new Promise<void>((ok) => server.tryShutdown(() => ok())),
  };
}
