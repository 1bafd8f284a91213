/**
 * @csfle/kms-gcp — Google Cloud KMS for csfle, with the key URIs, config keys and stored bytes of
 * Confluent's `gcp-kms` driver, and CRC32C integrity checks on every call.
 */
export { createGcpKms, GcpKmsParams, type GcpKmsOptions, type GcpKmsApi } from './client.js';
export { parseGcpKeyUri, GCP_KMS_TYPE, type GcpKeyName } from './uri.js';
export { classifyGcpError, IntegrityError } from './errors.js';
export { crc32c } from './crc32c.js';
