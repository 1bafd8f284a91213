/**
 * @csfle/kms-azure — Azure Key Vault / Managed HSM for csfle (RSA-OAEP-256), with the key URIs,
 * config keys and stored bytes of Confluent's `azure-kms` driver, including the `azure:v1:` key
 * version header.
 */
export {
  createAzureKms,
  AzureKmsParams,
  type AzureKmsOptions,
  type AzureTokenCredential,
  type AzureCryptoClient,
  type AzureCryptoClientFactory,
} from './client.js';
export {
  parseAzureKeyUri,
  keyIdentifier,
  addVersionHeader,
  readVersionHeader,
  isHeaderVersion,
  AZURE_KMS_TYPE,
  AZURE_KMS_PREFIX,
  type AzureKeyId,
  type VersionHeader,
} from './uri.js';
export { classifyAzureError } from './errors.js';
