import { main } from '../src/avro-quickstart.js';

describe('examples/avro-quickstart', () => {
  it('runs end to end and shows ciphertext, plaintext and the failure paths', async () => {
    const lines: string[] = [];
    const r = await main((l) => lines.push(l));
    const text = lines.join('\n');
    // The broker view must not contain the PII; the consumer view must.
    expect(r.bytes.includes(Buffer.from('ada@example.com'))).toBe(false);
    expect(r.bytes.includes(Buffer.from('123-45-6789'))).toBe(false);
    expect(r.bytes.includes(Buffer.from('Ada Lovelace'))).toBe(true);
    expect(r.roundTrip).toEqual({ id: 42, name: 'Ada Lovelace', email: 'ada@example.com', ssn: '123-45-6789', country: 'UK' });
    expect(r.outcomes.map((o) => o.outcome)).toEqual(['decrypted', 'decrypted']);
    expect(r.wrongKeyCode).toBe('KMS_INVALID_CIPHERTEXT');
    expect(text).toContain('with onFailure ERROR: RuleError RULE_FAILED');
    expect(text).not.toContain('demo-secret-change-me');
  });
});
