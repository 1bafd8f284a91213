import { main } from '../src/json-quickstart.js';

describe('examples/json-quickstart', () => {
  it('runs end to end and shows ciphertext, plaintext, validation and the failure paths', async () => {
    const lines: string[] = [];
    const r = await main((l) => lines.push(l));
    const text = lines.join('\n');
    // The broker view must not contain the PII; the consumer view must.
    for (const pii of ['ada@example.com', '123-45-6789', '12 St James Square']) expect(r.bytes.includes(Buffer.from(pii))).toBe(false);
    expect(r.bytes.includes(Buffer.from('Ada Lovelace'))).toBe(true);
    expect(r.bytes.subarray(0, 5).toString('hex')).toBe('0000000001');
    expect(r.roundTrip).toEqual({ id: 42, name: 'Ada Lovelace', email: 'ada@example.com', ssn: '123-45-6789', address: { street: '12 St James Square', country: 'UK' } });
    expect(r.outcomes.map((o) => `${o.field}=${o.outcome}`)).toEqual(['$.email=decrypted', '$.ssn=decrypted', '$.address.street=decrypted']);
    expect(r.wrongKeyCode).toBe('KMS_INVALID_CIPHERTEXT');
    expect(r.invalidCode).toBe('SERIALIZATION_FAILED');
    expect(text).toContain('with onFailure ERROR: RuleError RULE_FAILED');
    expect(text).toContain('value at /email does not match the schema (keyword "format"');
    expect(text).not.toContain('demo-secret-change-me');
    expect(text).not.toContain('not-an-email');
  });
});
