/**
 * Sharp tools (conventions §12): AES-GCM with a caller-chosen IV, RFC 5297 SIV with an explicit
 * associated-data vector, and AES-CMAC. Meant for test vectors and interop, not for field
 * encryption; use `createAesGcm` / `createAesSiv` / `createDekCipher` instead.
 */
export { gcmOpen, gcmSeal } from './aes-gcm.js';
export { aesCmac, sivDecrypt, sivEncrypt } from './aes-siv.js';
