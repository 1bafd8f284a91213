// The KMS contract against the local KMS (the reference every cloud adapter is held to).
import { createLocalKms } from '@csfle/core';
import { describeKmsContract } from './support/kms-contract';

describeKmsContract('local-kms', async () => ({
  // Restricted to k1 so that an unconfigured key id exercises the alternate-key failover.
  client: createLocalKms({ secret: 'contract-secret-1', keyIds: ['k1'] }),
  keyUri: 'local-kms://k1',
  // local-kms derives its KEK from the secret, not the key id: "another key" is another secret.
  other: { client: createLocalKms({ secret: 'contract-secret-2' }), keyUri: 'local-kms://k1' },
  secrets: ['contract-secret-1', 'contract-secret-2'],
  notApplicable: {
    missingKey: 'local-kms derives its KEK from the secret; every key id resolves, so no key can be missing',
    denied: 'local-kms has no credentials to refuse; a wrong secret shows up as KMS_INVALID_CIPHERTEXT (covered above)',
    unreachable: 'local-kms runs in-process; there is no endpoint to be unreachable',
  },
}));
