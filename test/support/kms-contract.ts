/**
 * The KMS contract, written once and run against every adapter (each against its real emulator)
 * and the local KMS. A target describes how to reach the KMS; the suite checks behaviour only
 * through the `KmsClient` interface and the DEK manager, so every adapter is held to the same bar.
 *
 * Usage (in a test file):
 *   describeKmsContract('aws-kms (moto)', async () => ({ ...target }), async () => { ...cleanup });
 */
import {
  createDekManager,
  ErrorCodes,
  isKmsError,
  type EncryptionParams,
  type KmsClient,
} from '@csfle/core';
import { createInMemoryDekRegistry } from '@csfle/registry';
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** What the suite gives a target's setup. */
export interface KmsContractContext {
  /** `http://127.0.0.1:<port>` of a server that accepts connections and never answers (for timeouts). */
  readonly blackHoleUrl: string;
}

async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

export interface KmsContractTarget {
  /** A client with working credentials. */
  readonly client: KmsClient;
  /** An existing KEK the client may use. */
  readonly keyUri: string;
  /**
   * A different KEK and a client for it (often the same client). Its ciphertext must not unwrap
   * under `keyUri`.
   */
  readonly other: { readonly client: KmsClient; readonly keyUri: string };
  /** A well-formed URI of a key that does not exist. Omit with a reason in `notApplicable`. */
  readonly missingKeyUri?: string;
  /** A client whose credentials the KMS refuses (for `keyUri`). */
  readonly deniedClient?: KmsClient;
  /** A client for an endpoint that does not answer (`ctx.blackHoleUrl`), with a short timeout (≤ 2 s). */
  readonly unreachableClient?: KmsClient;
  /** The key URI to use with `unreachableClient`, where the endpoint is part of the URI (Vault). Default `keyUri`. */
  readonly unreachableKeyUri?: string;
  /** Extra call props (KEK kmsProps), if the adapter needs them. */
  readonly props?: Readonly<Record<string, string>>;
  /** Changes wrapped bytes so the KMS must reject them. Default: flip a bit in the middle. */
  readonly tamper?: (wrapped: Uint8Array) => Uint8Array;
  /** Strings that must never appear in an error message (secrets, tokens). */
  readonly secrets?: readonly string[];
  /**
   * Where an emulator answers "another key's ciphertext" differently from the real service
   * (moto: AccessDeniedException where AWS says IncorrectKeyException): the code it yields, and why.
   */
  readonly otherKeyDeviation?: { readonly code: string; readonly reason: string };
  /** Where the KMS answers a wrap under a missing key with another code (Vault: upsert semantics), and why. */
  readonly missingKeyOnWrapDeviation?: { readonly code: string; readonly reason: string };
  /** Cases that cannot apply to this KMS, each with the reason (shown as a skipped test). */
  readonly notApplicable?: Partial<Record<'missingKey' | 'denied' | 'unreachable', string>>;
}

function flipMiddle(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const i = Math.floor(out.length / 2);
  out[i] = (out[i] as number) ^ 0x01;
  return out;
}

function kmsTypeOf(uri: string): string {
  return uri.slice(0, uri.indexOf('://'));
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the KMS call to fail, it succeeded');
}

function expectNoSecrets(e: unknown, secrets: readonly string[] | undefined, plaintext?: Uint8Array): void {
  const text = `${String((e as Error)?.message)} ${JSON.stringify(e)}`;
  for (const s of secrets ?? []) if (s) expect(text).not.toContain(s);
  if (plaintext) {
    expect(text).not.toContain(Buffer.from(plaintext).toString('base64'));
    expect(text).not.toContain(Buffer.from(plaintext).toString('hex'));
  }
}

/** Registers the contract suite for one KMS target. */
export function describeKmsContract(
  name: string,
  setup: (ctx: KmsContractContext) => Promise<KmsContractTarget>,
  teardown?: () => Promise<void>,
): void {
  describe(`KMS contract: ${name}`, () => {
    let t: KmsContractTarget;
    const opts = () => (t.props ? { props: t.props } : {});

    let hole: Awaited<ReturnType<typeof startBlackHole>> | undefined;
    beforeAll(async () => {
      hole = await startBlackHole();
      t = await setup({ blackHoleUrl: hole.url });
    }, 120_000);
    afterAll(async () => {
      await teardown?.();
      await hole?.close();
    });

    // Jest collects tests before beforeAll runs, so n/a cases are declared from a static probe:
    // each case checks `t.notApplicable` at run time and passes vacuously only with a reason.
    function maybe(kase: 'missingKey' | 'denied' | 'unreachable', title: string, fn: () => Promise<void>) {
      it(title, async () => {
        const reason = t.notApplicable?.[kase];
        if (reason !== undefined) {
          expect(reason.length).toBeGreaterThan(10); // a real reason, not a shrug
          console.info(`[${name}] ${kase}: not applicable — ${reason}`);
          return;
        }
        await fn();
      }, 60_000);
    }

    it('client reports its type and supports its own URIs only', () => {
      expect(t.client.kmsType).toBe(kmsTypeOf(t.keyUri));
      expect(t.client.supports(t.keyUri)).toBe(true);
      expect(t.client.supports(`not-${t.client.kmsType}://x`)).toBe(false);
    });

    it('wrap/unwrap round-trips 16- and 32-byte DEKs; ciphertext is randomized and hides the DEK', async () => {
      for (const size of [16, 32]) {
        const dek = randomBytes(size);
        const a = await t.client.wrap(t.keyUri, dek, opts());
        const b = await t.client.wrap(t.keyUri, dek, opts());
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
        expect(Buffer.from(a).includes(dek)).toBe(false);
        expect(Buffer.from(await t.client.unwrap(t.keyUri, a, opts()))).toEqual(dek);
        expect(Buffer.from(await t.client.unwrap(t.keyUri, b, opts()))).toEqual(dek);
      }
    }, 60_000);

    it("unwrap of another key's ciphertext fails with KMS_INVALID_CIPHERTEXT", async () => {
      const dek = randomBytes(32);
      const wrapped = await t.other.client.wrap(t.other.keyUri, dek, opts());
      expect(Buffer.from(await t.other.client.unwrap(t.other.keyUri, wrapped, opts()))).toEqual(dek);
      const e = await rejection(t.client.unwrap(t.keyUri, wrapped, opts()));
      expect(isKmsError(e)).toBe(true);
      if (t.otherKeyDeviation) console.info(`[${name}] another key's ciphertext yields ${t.otherKeyDeviation.code}: ${t.otherKeyDeviation.reason}`);
      expect(e).toMatchObject({ code: t.otherKeyDeviation?.code ?? ErrorCodes.KMS_INVALID_CIPHERTEXT, retriable: false });
      expectNoSecrets(e, t.secrets, dek);
    }, 60_000);

    it('tampered ciphertext fails with KMS_INVALID_CIPHERTEXT', async () => {
      const dek = randomBytes(32);
      const wrapped = await t.client.wrap(t.keyUri, dek, opts());
      const e = await rejection(t.client.unwrap(t.keyUri, (t.tamper ?? flipMiddle)(wrapped), opts()));
      expect(isKmsError(e)).toBe(true);
      expect(e).toMatchObject({ code: ErrorCodes.KMS_INVALID_CIPHERTEXT, retriable: false });
      expectNoSecrets(e, t.secrets, dek);
      const empty = await rejection(t.client.unwrap(t.keyUri, new Uint8Array(0), opts()));
      expect(isKmsError(empty)).toBe(true);
      expect((empty as { code: string }).code).toBe(ErrorCodes.KMS_INVALID_CIPHERTEXT);
    }, 60_000);

    maybe('missingKey', 'an unknown key fails with KMS_KEY_NOT_FOUND on wrap and unwrap', async () => {
      const missing = t.missingKeyUri as string;
      const e = await rejection(t.client.wrap(missing, randomBytes(32), opts()));
      expect(isKmsError(e)).toBe(true);
      if (t.missingKeyOnWrapDeviation) console.info(`[${name}] wrap under a missing key yields ${t.missingKeyOnWrapDeviation.code}: ${t.missingKeyOnWrapDeviation.reason}`);
      expect(e).toMatchObject({ code: t.missingKeyOnWrapDeviation?.code ?? ErrorCodes.KMS_KEY_NOT_FOUND, retriable: false, kekUri: missing });
      const wrapped = await t.client.wrap(t.keyUri, randomBytes(32), opts());
      const u = await rejection(t.client.unwrap(missing, wrapped, opts()));
      expect(isKmsError(u)).toBe(true);
      expect((u as { code: string }).code).toBe(ErrorCodes.KMS_KEY_NOT_FOUND);
    });

    maybe('denied', 'refused credentials fail with KMS_DENIED and no secret in the message', async () => {
      const dek = randomBytes(32);
      const e = await rejection((t.deniedClient as KmsClient).wrap(t.keyUri, dek, opts()));
      expect(isKmsError(e)).toBe(true);
      expect(e).toMatchObject({ code: ErrorCodes.KMS_DENIED, retriable: false });
      expectNoSecrets(e, t.secrets, dek);
      const wrapped = await t.client.wrap(t.keyUri, dek, opts());
      const u = await rejection((t.deniedClient as KmsClient).unwrap(t.keyUri, wrapped, opts()));
      expect(u).toMatchObject({ code: ErrorCodes.KMS_DENIED });
    });

    maybe('unreachable', 'an unreachable endpoint fails with retriable KMS_UNAVAILABLE, no hang; abort ends a call at once', async () => {
      const c = t.unreachableClient as KmsClient;
      const u = t.unreachableKeyUri ?? t.keyUri;
      const started = Date.now();
      const e = await rejection(c.wrap(u, randomBytes(32), opts()));
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(isKmsError(e)).toBe(true);
      expect(e).toMatchObject({ code: ErrorCodes.KMS_UNAVAILABLE, retriable: true });
      const ac = new AbortController();
      const p = rejection(c.unwrap(u, randomBytes(64), { ...opts(), signal: ac.signal }));
      setTimeout(() => ac.abort(new Error('caller gave up')), 20);
      const a0 = Date.now();
      const aborted = await p;
      expect(Date.now() - a0).toBeLessThan(2_000);
      expect(aborted).toMatchObject({ code: ErrorCodes.ABORTED });
    });

    it('an already-aborted signal fails with ABORTED before any request', async () => {
      const ac = new AbortController();
      ac.abort(new Error('no'));
      const e = await rejection(t.client.wrap(t.keyUri, randomBytes(32), { ...opts(), signal: ac.signal }));
      expect(e).toMatchObject({ code: ErrorCodes.ABORTED });
    });

    it('encrypt.alternate.kms.key.ids: wrap and unwrap fail over to the next key id', async () => {
      const type = t.client.kmsType;
      const primary = t.keyUri.slice(type.length + 3);
      const bad = (t.missingKeyUri ?? `${type}://csfle-contract-unconfigured-key`).slice(type.length + 3);
      const base: EncryptionParams = { kekName: `kek-${Math.random().toString(36).slice(2)}`, kmsType: type, kmsKeyId: bad, algorithm: 'AES256_GCM', expiryDays: 0 };
      const registry = createInMemoryDekRegistry();
      const config = { ...(t.props ?? {}), 'encrypt.alternate.kms.key.ids': primary };
      // Writer: its KEK's key id is unusable; the DEK is wrapped under the alternate.
      const writer = createDekManager({ deks: registry, kms: [t.client], config });
      const wk = await writer.forWrite(base, 'orders-value');
      const ct = wk.cipher.encrypt(Buffer.from('alternate'));
      // Reader: cold cache, same KEK; unwrap fails over the same way.
      const reader = createDekManager({ deks: registry, kms: [t.client], config });
      const cipher = await reader.forRead(base, 'orders-value', wk.version);
      expect(Buffer.from(cipher.decrypt(ct)).toString()).toBe('alternate');
      expect(reader.stats.kmsUnwraps).toBeGreaterThanOrEqual(1);
    }, 60_000);
  });
}
