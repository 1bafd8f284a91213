/**
 * Crypto capability interfaces (tink's shape): the method names say the semantics, so
 * determinism is visible at every call site. All operations are synchronous: they run on
 * `node:crypto` with keys prepared once, so the hot path has no per-field promise.
 */

/** Randomized authenticated encryption (AES-GCM): `nonce(12) || ciphertext || tag(16)`. */
export interface Aead {
  encrypt(plaintext: Uint8Array, associatedData?: Uint8Array): Buffer;
  /** @throws {DecryptionError} on any authentication failure (opaque). */
  decrypt(ciphertext: Uint8Array, associatedData?: Uint8Array): Buffer;
}

/** Deterministic authenticated encryption (AES-SIV, RFC 5297): `siv(16) || ciphertext`. */
export interface DeterministicAead {
  encryptDeterministically(plaintext: Uint8Array, associatedData?: Uint8Array): Buffer;
  /** @throws {DecryptionError} on any authentication failure (opaque). */
  decryptDeterministically(ciphertext: Uint8Array, associatedData?: Uint8Array): Buffer;
}

/**
 * What the field and payload transforms use: one DEK, one algorithm, Confluent's layout
 * (GCM: empty AAD; SIV: exactly one empty associated-data component).
 */
export interface DekCipher {
  readonly algorithm: 'AES128_GCM' | 'AES256_GCM' | 'AES256_SIV';
  encrypt(plaintext: Uint8Array): Buffer;
  /** @throws {DecryptionError} */
  decrypt(ciphertext: Uint8Array): Buffer;
}
