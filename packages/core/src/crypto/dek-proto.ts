/**
 * DEK material as Confluent stores it: one serialized Tink key proto (proto3, package
 * `google.crypto.tink`), not a raw key and not a keyset (Confluent CSFLE format §2.1).
 *
 *   AesGcmKey { uint32 version = 1; AesGcmParams params = 2; bytes key_value = 3; }
 *   AesSivKey { uint32 version = 1; bytes key_value = 2; }
 *
 * Writers emit version 0 (omitted on the wire) and only key_value: `1a 10|20 <key>` or
 * `12 40 <key>`, byte-identical to Confluent. Readers parse the proto properly.
 */
import { randomBytes } from 'node:crypto';
import { CsfleError, ErrorCodes } from '../errors.js';
import type { DekAlgorithm } from '../schema.js';
import { keyBytesOf, SecretBytes, typeName } from './secret-bytes.js';

export type { DekAlgorithm } from '../schema.js';

interface DekSpec {
  readonly keySize: number;
  /** Field number of `key_value` in the key proto. */
  readonly keyField: number;
}

const SPECS: Readonly<Record<DekAlgorithm, DekSpec>> = {
  AES128_GCM: { keySize: 16, keyField: 3 },
  AES256_GCM: { keySize: 32, keyField: 3 },
  AES256_SIV: { keySize: 64, keyField: 2 },
};

// Protobuf wire types (protobuf encoding spec, "Message Structure").
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

function specOf(algorithm: DekAlgorithm): DekSpec {
  const spec = typeof algorithm === 'string' && Object.hasOwn(SPECS, algorithm) ? SPECS[algorithm] : undefined;
  if (spec === undefined) {
    const shown = typeof algorithm === 'string' ? JSON.stringify(algorithm) : typeName(algorithm);
    throw new CsfleError(
      ErrorCodes.UNSUPPORTED_ALGORITHM,
      `unsupported dek algorithm: expected AES128_GCM, AES256_GCM or AES256_SIV, got ${shown}`,
    );
  }
  return spec;
}

/**
 * Raw key size in bytes for a DEK algorithm: 16, 32 or 64.
 * @throws {CsfleError} `UNSUPPORTED_ALGORITHM` for an unknown algorithm.
 */
export function dekKeySize(algorithm: DekAlgorithm): number {
  return specOf(algorithm).keySize;
}

/**
 * Serializes a raw key into the DEK proto for `algorithm` (version 0, i.e. omitted).
 * @returns 18, 34 or 66 bytes. The result is secret: wipe it when done.
 * @throws {CsfleError} `UNSUPPORTED_ALGORITHM`, or `INVALID_KEY` for a wrong key size.
 */
export function encodeDek(algorithm: DekAlgorithm, key: SecretBytes | Uint8Array): Uint8Array {
  const spec = specOf(algorithm);
  const bytes = keyBytesOf(key);
  if (!(bytes instanceof Uint8Array) || bytes.length !== spec.keySize) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeName(bytes);
    throw new CsfleError(ErrorCodes.INVALID_KEY, `dek-proto: key expected ${spec.keySize} bytes, got ${got}`);
  }
  // Tag = field << 3 | wire type; the length (16/32/64) fits in a one-byte varint.
  const out = new Uint8Array(2 + spec.keySize);
  out[0] = (spec.keyField << 3) | LEN;
  out[1] = spec.keySize;
  out.set(bytes, 2);
  return out;
}

/**
 * Generates a fresh random DEK proto: `1a 10 + 16`, `1a 20 + 32` or `12 40 + 64` bytes.
 * @returns The serialized proto (secret: wipe it when done).
 * @throws {CsfleError} `UNSUPPORTED_ALGORITHM` for an unknown algorithm.
 */
export function generateDek(algorithm: DekAlgorithm): Uint8Array {
  const spec = specOf(algorithm);
  const key = randomBytes(spec.keySize);
  try {
    return encodeDek(algorithm, key);
  } finally {
    key.fill(0);
  }
}

function invalid(what: string): CsfleError {
  return new CsfleError(ErrorCodes.INVALID_KEY, `dek-proto: ${what}`);
}

/** Minimal protobuf reader: varints and skipping; never reads past `end`. */
class Reader {
  readonly buf: Uint8Array;
  pos = 0;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Varint as a JS number (exact up to 2^53; larger values only need to compare as "big"). */
  varint(): number {
    let value = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw invalid('proto expected complete varint, got truncated input');
      value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return value;
    }
    throw invalid('proto expected varint of at most 10 bytes, got longer');
  }

  /** Length-delimited payload (a view, no copy). */
  bytes(): Uint8Array {
    const len = this.varint();
    if (len > this.buf.length - this.pos) throw invalid('proto expected length within input, got truncated input');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varint();
        return;
      case LEN:
        this.bytes();
        return;
      case I64:
      case I32: {
        const n = wireType === I64 ? 8 : 4;
        if (n > this.buf.length - this.pos) throw invalid('proto expected fixed-width field, got truncated input');
        this.pos += n;
        return;
      }
      default:
        // Groups (3/4) are proto2-only and never appear in these messages; 6/7 do not exist.
        throw invalid(`proto expected wire type 0, 1, 2 or 5, got ${wireType}`);
    }
  }
}

/**
 * Parses a DEK proto (Tink `AesGcmKey` / `AesSivKey`) and returns the raw key.
 *
 * Follows proto3 rules: fields in any order, unknown fields skipped, the last occurrence of a
 * repeated scalar wins, an explicit `version = 0` is fine. Rejects a version other than 0
 * (the only one Tink defines), a known field with the wrong wire type, a missing key and a key
 * of the wrong size for `algorithm`. Error messages never contain key bytes.
 *
 * @param algorithm - Selects the message type and the expected key size.
 * @param proto - Serialized proto bytes (or SecretBytes holding them).
 * @returns The raw key as SecretBytes (a copy; `proto` is not modified).
 * @throws {CsfleError} `INVALID_KEY` for malformed input; `UNSUPPORTED_ALGORITHM` for an unknown algorithm.
 */
export function parseDek(algorithm: DekAlgorithm, proto: SecretBytes | Uint8Array): SecretBytes {
  const spec = specOf(algorithm);
  const buf = keyBytesOf(proto);
  if (!(buf instanceof Uint8Array)) throw new TypeError(`dek-proto: proto expected Uint8Array, got ${typeName(buf)}`);
  const r = new Reader(buf);
  let key: Uint8Array | undefined;
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) throw invalid('proto expected field number >= 1, got 0');
    if (field === 1) {
      if (wireType !== VARINT) throw invalid(`version expected wire type 0, got ${wireType}`);
      const version = r.varint();
      if (version !== 0) throw invalid(`version expected 0, got ${version}`);
    } else if (field === spec.keyField) {
      if (wireType !== LEN) throw invalid(`key_value expected wire type 2, got ${wireType}`);
      key = r.bytes();
    } else {
      r.skip(wireType);
    }
  }
  if (key === undefined) throw invalid(`key_value (field ${spec.keyField}) expected for ${algorithm}, got none`);
  if (key.length !== spec.keySize) {
    throw invalid(`key_value expected ${spec.keySize} bytes for ${algorithm}, got ${key.length}`);
  }
  return new SecretBytes(key);
}
