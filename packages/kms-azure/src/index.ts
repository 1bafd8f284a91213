/**
 * @csfle/kms-azure — Azure Key Vault / Managed HSM for csfle (RSA-OAEP-256), with the key URIs,
 * config keys and stored bytes of Confluent's `azure-kms` driver, including the `azure:v1:` key
 * version header.
 */
export { createAzureKms, AzureKmsParams, type AzureKmsOptions } from './client.js';
export { parseAzureKeyUri, addVersionHeader, readVersionHeader, isHeaderVersion, AZURE_KMS_TYPE, type AzureKeyId } from './uri.js';
export { classifyAzureError } from './errors.js';
