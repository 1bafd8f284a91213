/**
 * Wycheproof AES-GCM (aes_gcm_test.json, 316 cases): every case, valid and invalid.
 *
 * - Low-level `gcmSeal` / `gcmOpen` run every case whose IV size Node supports (1..128 bytes,
 *   OpenSSL's cap) with all three key sizes (node supports AES-192-GCM).
 * - Zero-length IVs (6 cases, all `invalid`, CVE-2017-7822) are run too: seal and open must throw.
 * - SKIPPED: the 3 `LongIv` cases with a 257-byte IV (valid) — Node/OpenSSL reject IVs over 128
 *   bytes with ERR_CRYPTO_INVALID_IV, and the CSFLE layout only ever uses 12-byte IVs. The test
 *   below asserts exactly these 3 are skipped and that Node indeed refuses them.
 * - The Aead API (`createAesGcm`, layout iv||ct||tag) runs every case with a 12-byte IV, a
 *   16-byte tag and a 16- or 32-byte key (it accepts no other sizes).
 */
import { createCipheriv } from 'node:crypto';
import { DecryptionError, ErrorCodes } from '../../src/errors.js';
import { createAesGcm } from '../../src/crypto/index.js';
import { gcmOpen, gcmSeal } from '../../src/crypto/subtle.js';
import { type AeadVector, loadAeadVectors, rows, thrown } from './wycheproof.js';

const { algorithm, cases } = loadAeadVectors('aes_gcm_test.json');
const nodeSupportsIv = (c: AeadVector): boolean => c.iv.length <= 128;
const lowLevel = cases.filter(nodeSupportsIv);
const skipped = cases.filter((c) => !nodeSupportsIv(c));
const viaAead = cases.filter((c) => c.iv.length === 12 && c.tag.length === 16 && (c.key.length === 16 || c.key.length === 32));

function expectDecryptionError(fn: () => unknown): void {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(DecryptionError);
  expect((e as DecryptionError).code).toBe(ErrorCodes.DECRYPTION_FAILED);
  expect((e as DecryptionError).message).toBe('decryption failed');
}

describe('Wycheproof AES-GCM: file and accounting', () => {
  test('file shape: 316 cases, no "acceptable" ones', () => {
    expect(algorithm).toBe('AES-GCM');
    expect(cases).toHaveLength(316);
    expect(cases.filter((c) => c.result === 'valid')).toHaveLength(229);
    expect(cases.filter((c) => c.result === 'invalid')).toHaveLength(87);
  });

  test('skipped: exactly the 3 valid LongIv cases with a 257-byte IV, which Node refuses', () => {
    expect(skipped.map((c) => [c.key.length, c.iv.length, c.result, c.flags])).toEqual([
      [16, 257, 'valid', ['LongIv']],
      [24, 257, 'valid', ['LongIv']],
      [32, 257, 'valid', ['LongIv']],
    ]);
    for (const c of skipped) {
      expect(() => createCipheriv(`aes-${c.key.length * 8}-gcm` as 'aes-128-gcm', c.key, c.iv)).toThrow(
        expect.objectContaining({ code: 'ERR_CRYPTO_INVALID_IV' }),
      );
    }
    expect(lowLevel).toHaveLength(313);
  });

  test('Aead API covers every 12-byte-IV case with a 16/32-byte key', () => {
    expect(viaAead).toHaveLength(cases.filter((c) => c.iv.length === 12 && c.key.length !== 24).length);
    expect(viaAead).toHaveLength(133);
    expect(viaAead.filter((c) => c.result === 'invalid')).toHaveLength(54);
  });
});

describe('Wycheproof AES-GCM via gcmSeal / gcmOpen', () => {
  test.each(rows(lowLevel))('%s', (_name, c) => {
    if (c.iv.length === 0) {
      // ZeroLengthIv: must be refused in both directions.
      expect(c.result).toBe('invalid');
      expect(() => gcmSeal(c.key, c.iv, c.msg, c.aad)).toThrow(RangeError);
      expectDecryptionError(() => gcmOpen(c.key, c.iv, c.ct, c.tag, c.aad));
      return;
    }
    const sealed = gcmSeal(c.key, c.iv, c.msg, c.aad);
    if (c.result === 'valid') {
      expect(sealed.ciphertext.toString('hex')).toBe(c.ct.toString('hex'));
      expect(sealed.tag.toString('hex')).toBe(c.tag.toString('hex'));
      expect(gcmOpen(c.key, c.iv, c.ct, c.tag, c.aad).toString('hex')).toBe(c.msg.toString('hex'));
    } else {
      expectDecryptionError(() => gcmOpen(c.key, c.iv, c.ct, c.tag, c.aad));
      expect(Buffer.concat([sealed.ciphertext, sealed.tag]).equals(Buffer.concat([c.ct, c.tag]))).toBe(false);
    }
  });
});

describe('Wycheproof AES-GCM via createAesGcm (iv || ct || tag)', () => {
  test.each(rows(viaAead))('%s', (_name, c) => {
    const aead = createAesGcm(c.key);
    const wire = Buffer.concat([c.iv, c.ct, c.tag]);
    if (c.result === 'valid') {
      expect(aead.decrypt(wire, c.aad).toString('hex')).toBe(c.msg.toString('hex'));
    } else {
      expectDecryptionError(() => aead.decrypt(wire, c.aad));
    }
  });
});
