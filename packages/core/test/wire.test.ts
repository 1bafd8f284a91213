import { ErrorCodes, isCsfleError } from '../src/errors.js';
import { frameWithId, readMessageIndexes, unframe, writeMessageIndexes } from '../src/wire.js';

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isCsfleError(e) ? e.code : 'untyped';
  }
  return undefined;
}

describe('wire framing', () => {
  it('frames 0x00 + int32 BE id + body', () => {
    const f = frameWithId(0x01020304, Buffer.from('abc'));
    expect(f.toString('hex')).toBe('0001020304616263');
    const u = unframe(f);
    expect(u.ref).toEqual({ id: 0x01020304 });
    expect(u.rest.toString()).toBe('abc');
  });
  it('reads the 0x01 GUID form', () => {
    const guid = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const u = unframe(Buffer.concat([Buffer.from([1]), guid, Buffer.from('x')]));
    expect(u.ref).toEqual({ guid: '01234567-89ab-cdef-0123-456789abcdef' });
    expect(u.rest.toString()).toBe('x');
  });
  it('takes the schema reference from the header when present', () => {
    const header = Buffer.concat([Buffer.from([1]), Buffer.alloc(16, 0xab)]);
    const u = unframe(Buffer.from('body'), header);
    expect(u.ref.guid).toBe('abababab-abab-abab-abab-abababababab');
    expect(u.rest.toString()).toBe('body');
  });
  it.each([
    ['empty', Buffer.alloc(0)],
    ['truncated id', Buffer.from([0, 0, 0])],
    ['unknown magic byte', Buffer.from([2, 0, 0, 0, 1])],
    ['truncated guid', Buffer.from([1, 1, 2, 3])],
  ])('rejects %s with INVALID_FRAME', (_n, b) => {
    expect(code(() => unframe(b))).toBe(ErrorCodes.INVALID_FRAME);
  });
  it('message indexes: [0] is one zero byte, others zig-zag varints', () => {
    expect(writeMessageIndexes([0]).toString('hex')).toBe('00');
    expect(writeMessageIndexes([1]).toString('hex')).toBe('0202');
    expect(writeMessageIndexes([0, 2]).toString('hex')).toBe('040004');
    for (const ix of [[0], [1], [3, 0, 200], [70000]]) {
      const b = writeMessageIndexes(ix);
      expect(readMessageIndexes(Buffer.concat([b, Buffer.from('zz')]))).toEqual({ indexes: ix, length: b.length });
    }
    expect(code(() => readMessageIndexes(Buffer.from([0x04, 0x02])))).toBe(ErrorCodes.INVALID_FRAME);
  });
});
