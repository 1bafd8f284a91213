/**
 * AES-SIV (RFC 5297) and AES-CMAC (RFC 4493): the RFCs' own vectors plus every Wycheproof case.
 *
 * - aes_siv_cmac_test.json (deterministic form, 442 cases, keys 32/48/64 bytes): `aad` is ONE
 *   associated-data component, `ct` = SIV || ciphertext. 64-byte-key cases also run through
 *   `createAesSiv` (the Confluent AES256_SIV primitive), which takes exactly one AD component.
 * - aead_aes_siv_cmac_test.json (nonce-based form, 900 cases): S2V components `[aad, iv]`
 *   (RFC 5297 §3: the nonce is the last AD component; the aad is a component even when empty).
 *   Output = `tag (the SIV) || ct`.
 * Nothing is skipped.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { DecryptionError } from '../../src/errors.js';
import { createAesSiv } from '../../src/crypto/index.js';
import { aesCmac, sivDecrypt, sivEncrypt } from '../../src/crypto/subtle.js';
import { loadAeadVectors, loadDaeadVectors, rows, thrown } from './wycheproof.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function expectDecryptionError(fn: () => unknown): void {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(DecryptionError);
  expect((e as DecryptionError).message).toBe('decryption failed');
}

describe('RFC 4493 AES-CMAC (section 4 examples)', () => {
  const key = h('2b7e1516 28aed2a6 abf71588 09cf4f3c');
  const msg = h(`6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51
                 30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710`);
  test.each([
    [0, 'bb1d6929 e9593728 7fa37d12 9b756746'],
    [16, '070a16b4 6b4d4144 f79bdd9d d04a287c'],
    [40, 'dfa66747 de9ae630 30ca3261 1497c827'],
    [64, '51f0bebf 7e3b9d92 fc497417 79363cfe'],
  ])('Example with len %i', (len, tag) => {
    expect(aesCmac(key, msg.subarray(0, len))).toEqual(h(tag));
  });
  test('every length 0..300 (ECB-loop and CBC-MAC paths) matches a textbook RFC 4493 CMAC', () => {
    // Independent reference: RFC 4493 §2.4 literally, one AES-ECB call per block, written here.
    const aes = (b: Buffer): Buffer => {
      const c = createCipheriv('aes-128-ecb', key, null);
      c.setAutoPadding(false);
      return c.update(b);
    };
    const double = (b: Buffer): Buffer => {
      const n = (BigInt('0x' + b.toString('hex')) << 1n) & ((1n << 128n) - 1n);
      const r = (b[0] as number) & 0x80 ? n ^ 0x87n : n;
      return Buffer.from(r.toString(16).padStart(32, '0'), 'hex');
    };
    const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((x, i) => x ^ (b[i] as number)));
    const k1 = double(aes(Buffer.alloc(16)));
    const k2 = double(k1);
    const reference = (m: Buffer): Buffer => {
      const n = Math.max(1, Math.ceil(m.length / 16));
      const complete = m.length > 0 && m.length % 16 === 0;
      const lastRaw = m.subarray((n - 1) * 16);
      const last = complete ? xor(lastRaw, k1) : xor(Buffer.concat([lastRaw, Buffer.from([0x80]), Buffer.alloc(15 - lastRaw.length)]), k2);
      let x: Buffer = Buffer.alloc(16);
      for (let i = 0; i < n - 1; i++) x = aes(xor(x, m.subarray(i * 16, i * 16 + 16)));
      return aes(xor(x, last));
    };
    const long = randomBytes(300);
    for (let n = 0; n <= long.length; n++) {
      expect(aesCmac(key, long.subarray(0, n)).toString('hex')).toBe(reference(long.subarray(0, n)).toString('hex'));
    }
  });
});

describe('RFC 5297 Appendix A', () => {
  test('A.1 deterministic authenticated encryption (one AD component)', () => {
    const key = h('fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0 f0f1f2f3 f4f5f6f7 f8f9fafb fcfdfeff');
    const ad = h('10111213 14151617 18191a1b 1c1d1e1f 20212223 24252627');
    const pt = h('11223344 55667788 99aabbcc ddee');
    const out = h('85632d07 c6e8f37f 950acd32 0a2ecc93 40c02b96 90c4dc04 daef7f6a fe5c');
    expect(sivEncrypt(key, pt, [ad])).toEqual(out);
    expect(sivDecrypt(key, out, [ad])).toEqual(pt);
    expectDecryptionError(() => sivDecrypt(key, out, []));
  });

  test('A.2 nonce-based authenticated encryption (AD1, AD2, nonce)', () => {
    const key = h('7f7e7d7c 7b7a7978 77767574 73727170 40414243 44454647 48494a4b 4c4d4e4f');
    const ad1 = h(`00112233 44556677 8899aabb ccddeeff deaddada deaddada ffeeddcc bbaa9988
                   77665544 33221100`);
    const ad2 = h('10203040 50607080 90a0');
    const nonce = h('09f91102 9d74e35b d84156c5 635688c0');
    const pt = h(`74686973 20697320 736f6d65 20706c61 696e7465 78742074 6f20656e 63727970
                  74207573 696e6720 5349562d 414553`);
    const out = h(`7bdb6e3b 432667eb 06f4d14b ff2fbd0f cb900f2f ddbe4043 26601965 c889bf17
                   dba77ceb 094fa663 b7a3f748 ba8af829 ea64ad54 4a272e9c 485b62a3 fd5c0d`);
    expect(sivEncrypt(key, pt, [ad1, ad2, nonce])).toEqual(out);
    expect(sivDecrypt(key, out, [ad1, ad2, nonce])).toEqual(pt);
    expectDecryptionError(() => sivDecrypt(key, out, [ad1, nonce, ad2]));
  });
});

describe('Wycheproof AES-SIV-CMAC (deterministic, aes_siv_cmac_test.json)', () => {
  const { algorithm, cases } = loadDaeadVectors('aes_siv_cmac_test.json');
  test('file shape', () => {
    expect(algorithm).toBe('AES-SIV-CMAC');
    expect(cases).toHaveLength(442);
    expect(new Set(cases.map((c) => c.key.length))).toEqual(new Set([32, 48, 64]));
    expect(cases.filter((c) => c.result === 'valid')).toHaveLength(118);
    expect(cases.filter((c) => c.result === 'invalid')).toHaveLength(324);
  });
  test.each(rows(cases))('%s', (_name, c) => {
    const sealed = sivEncrypt(c.key, c.msg, [c.aad]);
    if (c.result === 'valid') {
      expect(sealed.toString('hex')).toBe(c.ct.toString('hex'));
      expect(sivDecrypt(c.key, c.ct, [c.aad]).toString('hex')).toBe(c.msg.toString('hex'));
    } else {
      expect(sealed.equals(c.ct)).toBe(false);
      expectDecryptionError(() => sivDecrypt(c.key, c.ct, [c.aad]));
    }
    if (c.key.length === 64) {
      const daead = createAesSiv(c.key);
      if (c.result === 'valid') {
        expect(daead.encryptDeterministically(c.msg, c.aad).toString('hex')).toBe(c.ct.toString('hex'));
        expect(daead.decryptDeterministically(c.ct, c.aad).toString('hex')).toBe(c.msg.toString('hex'));
      } else {
        expectDecryptionError(() => daead.decryptDeterministically(c.ct, c.aad));
      }
    }
  });
});

describe('Wycheproof AEAD-AES-SIV-CMAC (nonce-based, aead_aes_siv_cmac_test.json)', () => {
  const { algorithm, cases } = loadAeadVectors('aead_aes_siv_cmac_test.json');
  test('file shape', () => {
    expect(algorithm).toBe('AEAD-AES-SIV-CMAC');
    expect(cases).toHaveLength(900);
    expect(cases.filter((c) => c.result === 'valid')).toHaveLength(252);
    expect(cases.filter((c) => c.result === 'invalid')).toHaveLength(648);
  });
  test.each(rows(cases))('%s', (_name, c) => {
    const wire = Buffer.concat([c.tag, c.ct]);
    const ad = [c.aad, c.iv];
    if (c.result === 'valid') {
      expect(sivEncrypt(c.key, c.msg, ad).toString('hex')).toBe(wire.toString('hex'));
      expect(sivDecrypt(c.key, wire, ad).toString('hex')).toBe(c.msg.toString('hex'));
    } else {
      expect(sivEncrypt(c.key, c.msg, ad).equals(wire)).toBe(false);
      expectDecryptionError(() => sivDecrypt(c.key, wire, ad));
    }
  });
});
