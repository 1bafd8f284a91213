/**
 * Crypto for CSFLE: secret key holder, AES-GCM and AES-SIV AEADs, Tink DEK protos and the
 * per-DEK cipher with Confluent's layouts. Low-level primitives (caller-chosen IVs, raw S2V
 * vectors, CMAC) live in `./subtle.js`.
 */
export { exposeSecretBytes, SecretBytes } from './secret-bytes.js';
export { createAesGcm, GCM_NONCE_SIZE, GCM_TAG_SIZE } from './aes-gcm.js';
export { createAesSiv } from './aes-siv.js';
export { type DekAlgorithm, dekKeySize, encodeDek, generateDek, parseDek } from './dek-proto.js';
export {
  addVersionPrefix,
  createDekCipher,
  readVersionPrefix,
  VERSION_PREFIX_SIZE,
  type VersionedDekCipher,
} from './dek-cipher.js';
