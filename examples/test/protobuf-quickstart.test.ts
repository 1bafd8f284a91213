import { main } from '../src/protobuf-quickstart.js';

describe('examples/protobuf-quickstart', () => {
  it('runs end to end and shows ciphertext (nested field included), plaintext and the failure paths', async () => {
    const lines: string[] = [];
    const r = await main((l) => lines.push(l));
    const text = lines.join('\n');
    // The broker view must not contain the PII, the nested street included; the consumer view must.
    for (const pii of ['ada@example.com', '123-45-6789', '12 St James Square']) expect(r.bytes.includes(Buffer.from(pii))).toBe(false);
    expect(r.bytes.includes(Buffer.from('Ada Lovelace'))).toBe(true);
    expect(r.bytes.includes(Buffer.from('UK'))).toBe(true);
    expect(r.roundTrip).toEqual({
      id: '42',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      ssn: '123-45-6789',
      address: { street: '12 St James Square', country: 'UK' },
    });
    expect(r.outcomes.map((o) => [o.field, o.outcome])).toEqual([
      ['com.example.Customer.email', 'decrypted'],
      ['com.example.Customer.ssn', 'decrypted'],
      ['com.example.Customer.Address.street', 'decrypted'],
    ]);
    expect(r.wrongKeyCode).toBe('KMS_INVALID_CIPHERTEXT');
    expect(text).toContain('with onFailure ERROR: RuleError RULE_FAILED');
    expect(text).not.toContain('demo-secret-change-me');
  });
});
