/**
 * @csfle/kms-vault — HashiCorp Vault / OpenBao transit for csfle, with the key URIs, config keys and
 * stored bytes of Confluent's `hcvault` driver (transit mount taken from the key URI's path).
 */
export { createVaultKms, VaultKmsParams, type VaultKmsOptions } from './client.js';
export { parseVaultKeyUri, VAULT_KMS_TYPE, type VaultKeyRef } from './uri.js';
export { classifyVaultError } from './errors.js';
