/**
 * @csfle/core — client-side field level encryption, byte-compatible with Confluent CSFLE.
 *
 * No cloud SDKs, no HTTP: AEADs on node:crypto, DEK protos, the rule engine, the DEK manager,
 * the KMS interface and the local KMS, wire framing, and the machinery serdes share.
 */
export * from './errors.js';
export * from './schema.js';
export * from './kms.js';
export * from './aead.js';
export * from './fields.js';
export * from './wildcard.js';
export * from './params.js';
export * from './cache.js';
export * from './dek-manager.js';
export * from './engine.js';
export * from './wire.js';
export * from './serde.js';
export * from './format-serde.js';
export { createLocalKms, type LocalKmsOptions } from './local-kms.js';
export { SecretBytes, exposeSecretBytes, createDekCipher, generateDek, addVersionPrefix, readVersionPrefix, type VersionedDekCipher } from './crypto/index.js';
export * from './kms-support.js';
