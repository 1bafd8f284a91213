/**
 * Confluent wire framing (compatibility facts §3.6):
 * - `0x00` + schema id (int32 big-endian) + [Protobuf message indexes] + body;
 * - `0x01` + 16-byte schema GUID + ..., in the payload or in the `__value_schema_id` /
 *   `__key_schema_id` header (header mode: the payload then has no prefix).
 */
import { ErrorCodes, SerdeError } from './errors.js';

export const MAGIC_BYTE_ID = 0x00;
export const MAGIC_BYTE_GUID = 0x01;
export const KEY_SCHEMA_ID_HEADER = '__key_schema_id';
export const VALUE_SCHEMA_ID_HEADER = '__value_schema_id';

/** A schema reference read from a frame: a numeric id or a GUID. */
export type SchemaRef = { readonly id: number; readonly guid?: undefined } | { readonly guid: string; readonly id?: undefined };

export interface Unframed {
  readonly ref: SchemaRef;
  /** Bytes after the schema reference (message indexes, if any, then the body). */
  readonly rest: Buffer;
  /**
   * In header mode: the header's bytes after the schema reference (Protobuf message indexes
   * travel there, and the payload is the body alone). Undefined in prefix mode.
   */
  readonly headerRest?: Buffer;
}

/** Writes `0x00 || id || body` into one buffer. */
export function frameWithId(id: number, body: Uint8Array, extra?: Uint8Array): Buffer {
  const extraLen = extra ? extra.length : 0;
  const out = Buffer.allocUnsafe(5 + extraLen + body.length);
  out[0] = MAGIC_BYTE_ID;
  out.writeInt32BE(id, 1);
  if (extra) out.set(extra, 5);
  out.set(body, 5 + extraLen);
  return out;
}

function guidToString(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Reads the schema reference from a header value (if given) or the payload prefix.
 * @throws {SerdeError} `INVALID_FRAME` for short input or an unknown magic byte.
 */
export function unframe(payload: Uint8Array, schemaIdHeader?: Uint8Array): Unframed {
  const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (schemaIdHeader && schemaIdHeader.length > 0) {
    const header = Buffer.from(schemaIdHeader);
    const ref = readRef(header, 'header');
    return { ref: ref.ref, rest: buf, headerRest: header.subarray(ref.length) };
  }
  const r = readRef(buf, 'payload');
  return { ref: r.ref, rest: buf.subarray(r.length) };
}

function readRef(buf: Buffer, where: string): { ref: SchemaRef; length: number } {
  if (buf.length < 1) {
    throw new SerdeError(ErrorCodes.INVALID_FRAME, `wire: ${where} expected a magic byte, got 0 bytes`);
  }
  const magic = buf[0];
  if (magic === MAGIC_BYTE_ID) {
    if (buf.length < 5) throw new SerdeError(ErrorCodes.INVALID_FRAME, `wire: ${where} expected at least 5 bytes, got ${buf.length}`);
    return { ref: { id: buf.readInt32BE(1) }, length: 5 };
  }
  if (magic === MAGIC_BYTE_GUID) {
    if (buf.length < 17) throw new SerdeError(ErrorCodes.INVALID_FRAME, `wire: ${where} expected at least 17 bytes, got ${buf.length}`);
    return { ref: { guid: guidToString(buf.subarray(1, 17)) }, length: 17 };
  }
  throw new SerdeError(ErrorCodes.INVALID_FRAME, `wire: ${where} expected magic byte 0x00 or 0x01, got 0x${(magic ?? 0).toString(16).padStart(2, '0')}`);
}

/** Writes the zig-zag varint message-index list (`[0]` as the single byte `0x00`). */
export function writeMessageIndexes(indexes: readonly number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const bytes: number[] = [];
  const put = (n: number) => {
    let z = (n << 1) ^ (n >> 31);
    z >>>= 0;
    while (z > 0x7f) {
      bytes.push((z & 0x7f) | 0x80);
      z >>>= 7;
    }
    bytes.push(z);
  };
  put(indexes.length);
  for (const i of indexes) put(i);
  return Buffer.from(bytes);
}

/** Reads a message-index list; returns the indexes and the number of bytes consumed. */
export function readMessageIndexes(buf: Uint8Array): { indexes: number[]; length: number } {
  let pos = 0;
  const get = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= buf.length || shift > 28) throw new SerdeError(ErrorCodes.INVALID_FRAME, 'wire: truncated message indexes');
      const b = buf[pos++] as number;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    result >>>= 0;
    return (result >>> 1) ^ -(result & 1);
  };
  const count = get();
  if (count === 0) return { indexes: [0], length: pos };
  if (count < 0 || count > 1000) throw new SerdeError(ErrorCodes.INVALID_FRAME, `wire: message index count expected 0..1000, got ${count}`);
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) indexes.push(get());
  return { indexes, length: pos };
}
