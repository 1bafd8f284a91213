/**
 * Encoding and decoding one message type with protobufjs, with errors that never quote a value.
 *
 * Write: values are plain objects (or protobufjs message instances) in protobufjs' object form —
 * field names per `keepCase`, 64-bit integers as number / decimal string / bigint / Long, enums
 * as number or value name, `bytes` as Uint8Array (Buffer), repeated fields as arrays, maps as
 * plain objects, oneof members set directly. protobufjs' `fromObject` is lenient (it turns a
 * number given for a string field into a string, drops unknown enum names, ...), so every value
 * is first checked against the type; the first mismatch is reported as SERIALIZATION_FAILED
 * naming the field path and the expected type, never the value (it may be plaintext PII; map
 * keys are not named either).
 *
 * Read: protobufjs decodes with a strict reader (its Buffer reader silently clamps a truncated
 * string), and the message becomes a plain object (`toObject`) with the read options below.
 * `bytes` stay raw Buffers, so encryption rules see them as BYTES.
 */
import protobuf from 'protobufjs';
import { ErrorCodes, SerdeError } from '@csfle/core';

/** How decoded messages become plain objects. Defaults in brackets. */
export interface ProtobufReadOptions {
  /** 64-bit integer fields as decimal `'string'`s (exact), JS `'number'`s (may round) or protobufjs `'long'` objects. ['string'] */
  readonly longs?: 'string' | 'number' | 'long';
  /** Enum fields as value names (`'string'`) or numbers (`'number'`). ['string'] */
  readonly enums?: 'string' | 'number';
  /**
   * Include fields that are not set, with their default values (`''`, `0`, `false`, empty
   * arrays/maps/bytes, `null` for messages), as a protobuf-es / Confluent message would. [true]
   */
  readonly defaults?: boolean;
  /** Add a virtual property per oneof naming the member that is set. [false] */
  readonly oneofs?: boolean;
}

/** Checks options eagerly. */
export function checkReadOptions(o: ProtobufReadOptions | undefined): ProtobufReadOptions {
  if (o === undefined) return {};
  if (typeof o !== 'object' || o === null) throw new TypeError(`protobuf: "readOptions" expected an object, got ${o === null ? 'null' : typeof o}`);
  if (o.longs !== undefined && !['string', 'number', 'long'].includes(o.longs)) {
    throw new TypeError(`protobuf: "readOptions.longs" expected "string", "number" or "long", got ${JSON.stringify(o.longs)}`);
  }
  if (o.enums !== undefined && !['string', 'number'].includes(o.enums)) {
    throw new TypeError(`protobuf: "readOptions.enums" expected "string" or "number", got ${JSON.stringify(o.enums)}`);
  }
  for (const k of ['defaults', 'oneofs'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new TypeError(`protobuf: "readOptions.${k}" expected a boolean, got ${typeof o[k]}`);
  }
  return o;
}

/** protobufjs conversion options for {@link ProtobufReadOptions}. */
export function conversionOptions(o: ProtobufReadOptions): protobuf.IConversionOptions {
  const defaults = o.defaults ?? true;
  const c: protobuf.IConversionOptions = { defaults, arrays: defaults, objects: defaults, oneofs: o.oneofs ?? false };
  const longs = o.longs ?? 'string';
  if (longs === 'string') c.longs = String;
  else if (longs === 'number') c.longs = Number;
  if ((o.enums ?? 'string') === 'string') c.enums = String;
  return c;
}

// ---- validation --------------------------------------------------------------------------------

interface Problem {
  readonly path: string;
  readonly expected: string;
  readonly got: string;
}

type Check = (v: unknown, path: string) => Problem | undefined;

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v;
}

const INT32 = { min: -2147483648, max: 2147483647 };
const UINT32 = { min: 0, max: 4294967295 };
const I64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const U64 = { min: 0n, max: 2n ** 64n - 1n };

function int32Check(expected: string, range: { min: number; max: number }): Check {
  return (v, path) => {
    if (typeof v !== 'number') return { path, expected, got: kindOf(v) };
    if (!Number.isInteger(v)) return { path, expected, got: 'a non-integer number' };
    if (v < range.min || v > range.max) return { path, expected, got: 'a number out of range' };
    return undefined;
  };
}

function int64Check(expected: string, range: { min: bigint; max: bigint }): Check {
  return (v, path) => {
    let b: bigint;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return { path, expected, got: 'a non-integer number' };
      b = BigInt(v);
    } else if (typeof v === 'bigint') {
      b = v;
    } else if (typeof v === 'string') {
      if (!/^-?[0-9]+$/.test(v)) return { path, expected, got: 'a non-decimal string' };
      b = BigInt(v);
    } else if (v !== null && typeof v === 'object' && typeof (v as { low?: unknown }).low === 'number' && typeof (v as { high?: unknown }).high === 'number') {
      return undefined; // a Long: any 64 bits
    } else {
      return { path, expected, got: kindOf(v) };
    }
    if (b < range.min || b > range.max) return { path, expected, got: 'a value out of range' };
    return undefined;
  };
}

function scalarCheck(type: string): Check {
  switch (type) {
    case 'string':
      return (v, path) => (typeof v === 'string' ? undefined : { path, expected: 'string', got: kindOf(v) });
    case 'bytes':
      return (v, path) => (v instanceof Uint8Array ? undefined : { path, expected: 'bytes (Uint8Array)', got: kindOf(v) });
    case 'bool':
      return (v, path) => (typeof v === 'boolean' ? undefined : { path, expected: 'bool', got: kindOf(v) });
    case 'double':
    case 'float':
      return (v, path) => (typeof v === 'number' ? undefined : { path, expected: type, got: kindOf(v) });
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return int32Check(type, INT32);
    case 'uint32':
    case 'fixed32':
      return int32Check(type, UINT32);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return int64Check(type, I64);
    case 'uint64':
    case 'fixed64':
      return int64Check(type, U64);
    default:
      return (_v, path) => ({ path, expected: type, got: 'a field of an unsupported type' });
  }
}

function enumCheck(e: protobuf.Enum): Check {
  const expected = `enum ${e.fullName.slice(1)}`;
  return (v, path) => {
    if (typeof v === 'number') return Number.isInteger(v) && v >= INT32.min && v <= INT32.max ? undefined : { path, expected, got: 'a number out of range' };
    if (typeof v === 'string') return Object.prototype.hasOwnProperty.call(e.values, v) ? undefined : { path, expected, got: 'an unknown value name' };
    return { path, expected, got: kindOf(v) };
  };
}

function mapKeyCheck(keyType: string): (k: string) => boolean {
  switch (keyType) {
    case 'string':
      return () => true;
    case 'bool':
      return (k) => k === 'true' || k === 'false';
    default:
      return (k) => /^-?[0-9]+$/.test(k);
  }
}

const checks = new WeakMap<protobuf.Type, Check>();

/** The compiled check of a message type (cached per type; recursive types are fine). */
export function messageCheck(type: protobuf.Type): Check {
  const hit = checks.get(type);
  if (hit) return hit;
  let fields: Array<{ key: string; check: Check; required: boolean }> | undefined;
  let oneofs: Array<{ name: string; members: string[] }> = [];
  const expected = `message ${type.fullName.slice(1)}`;
  const check: Check = (v, path) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return { path: path || '<root>', expected, got: kindOf(v) };
    if (!fields) {
      fields = type.fieldsArray.map((f) => ({ key: f.name, check: fieldCheck(f), required: f.required }));
      oneofs = type.oneofsArray.map((o) => ({ name: o.name, members: o.fieldsArray.map((f) => f.name) }));
    }
    const o = v as Record<string, unknown>;
    const own = Object.getPrototypeOf(o) !== Object.prototype && Object.getPrototypeOf(o) !== null;
    for (const { key, check: c, required } of fields) {
      // protobufjs instances carry prototype defaults for every field: only own values count.
      const x = own && !Object.prototype.hasOwnProperty.call(o, key) ? undefined : o[key];
      if (x === undefined || x === null) {
        if (required) return { path: path ? `${path}.${key}` : key, expected: 'a value (required field)', got: kindOf(x) };
        continue;
      }
      const p = c(x, path ? `${path}.${key}` : key);
      if (p) return p;
    }
    for (const { name, members } of oneofs) {
      let set = 0;
      for (const m of members) {
        const x = own && !Object.prototype.hasOwnProperty.call(o, m) ? undefined : o[m];
        if (x !== undefined && x !== null) set++;
      }
      if (set > 1) return { path: path ? `${path}.${name}` : name, expected: 'at most one field of the oneof set', got: `${set} fields` };
    }
    return undefined;
  };
  checks.set(type, check);
  return check;
}

function valueCheck(field: protobuf.Field): Check {
  const r = field.resolvedType;
  if (r instanceof protobuf.Type) return messageCheck(r);
  if (r instanceof protobuf.Enum) return enumCheck(r);
  return scalarCheck(field.type);
}

function fieldCheck(field: protobuf.Field): Check {
  const value = valueCheck(field);
  if (field instanceof protobuf.MapField) {
    const keyOk = mapKeyCheck(field.keyType);
    return (v, path) => {
      if (v instanceof Map || v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
        return { path, expected: `map<${field.keyType}, ...> as a plain object`, got: v instanceof Map ? 'a Map' : kindOf(v) };
      }
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        // Keys may be data: never named.
        if (!keyOk(k)) return { path: `${path}[<key>]`, expected: `a ${field.keyType} key`, got: 'another key' };
        if (x === null || x === undefined) return { path: `${path}[<key>]`, expected: 'a value', got: kindOf(x) };
        const p = value(x, `${path}[<key>]`);
        if (p) return p;
      }
      return undefined;
    };
  }
  if (field.repeated) {
    return (v, path) => {
      if (!Array.isArray(v)) return { path, expected: 'an array (repeated field)', got: kindOf(v) };
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x === null || x === undefined) return { path: `${path}[${i}]`, expected: 'a value', got: kindOf(x) };
        const p = value(x, `${path}[${i}]`);
        if (p) return p;
      }
      return undefined;
    };
  }
  return value;
}

/**
 * The SERIALIZATION_FAILED error for a value that does not fit `type`: names the first bad path
 * and the expected type, never the value. `undefined` when the value fits.
 */
export function invalidValueError(type: protobuf.Type, value: unknown, schemaId: number): SerdeError | undefined {
  const p = messageCheck(type)(value, '');
  if (!p) return undefined;
  return new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `protobuf: value at ${p.path || '<root>'} expected ${p.expected}, got ${p.got}`, { schemaId });
}

// ---- encode / decode -----------------------------------------------------------------------

/** True for a protobufjs message instance (duck-typed, so any copy of protobufjs works). */
export function isProtobufjsMessage(v: object): boolean {
  const t = (v as { $type?: unknown }).$type;
  return typeof t === 'object' && t !== null && typeof (t as { fullName?: unknown }).fullName === 'string' && Object.getPrototypeOf(v) !== Object.prototype;
}

const messageFields = new WeakMap<protobuf.Type, Array<{ key: string; type: protobuf.Type; map: boolean; repeated: boolean }>>();

/**
 * `value` with every protobufjs message instance in it replaced by a plain object of its own
 * properties. protobufjs instances inherit a default for every field, oneof members included;
 * `fromObject` of another root's type would read those as set values.
 */
function ownView(type: protobuf.Type, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  let o = value as Record<string, unknown>;
  let copied = false;
  if (isProtobufjsMessage(o)) {
    o = { ...o };
    copied = true;
  }
  let fields = messageFields.get(type);
  if (!fields) {
    fields = [];
    for (const f of type.fieldsArray) {
      f.resolve();
      if (f.resolvedType instanceof protobuf.Type) fields.push({ key: f.name, type: f.resolvedType, map: f instanceof protobuf.MapField, repeated: f.repeated });
    }
    messageFields.set(type, fields);
  }
  for (const f of fields) {
    const x = o[f.key];
    if (x === null || x === undefined || typeof x !== 'object') continue;
    let nx: unknown = x;
    if (f.map) {
      let m: Record<string, unknown> | undefined;
      for (const [k, y] of Object.entries(x as Record<string, unknown>)) {
        const ny = ownView(f.type, y);
        if (ny !== y) (m ??= { ...(x as Record<string, unknown>) })[k] = ny;
      }
      nx = m ?? x;
    } else if (f.repeated && Array.isArray(x)) {
      let a: unknown[] | undefined;
      x.forEach((y: unknown, i) => {
        const ny = ownView(f.type, y);
        if (ny !== y) (a ??= x.slice())[i] = ny;
      });
      nx = a ?? x;
    } else {
      nx = ownView(f.type, x);
    }
    if (nx !== x) {
      if (!copied) {
        o = { ...o };
        copied = true;
      }
      o[f.key] = nx;
    }
  }
  return o;
}

interface Canon {
  /** Singular scalar/enum fields with implicit presence, and how to tell their default. */
  readonly implicit: ReadonlyArray<{ key: string; isDefault: (v: unknown) => boolean }>;
  readonly messages: ReadonlyArray<{ key: string; type: protobuf.Type; map: boolean; repeated: boolean }>;
}
const canons = new WeakMap<protobuf.Type, Canon>();

function isDefaultOf(field: protobuf.Field): (v: unknown) => boolean {
  if (field.resolvedType instanceof protobuf.Enum) return (v) => v === 0;
  switch (field.type) {
    case 'string':
      return (v) => v === '';
    case 'bytes':
      return (v) => v instanceof Uint8Array && v.length === 0;
    case 'bool':
      return (v) => v === false;
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return (v) => v === 0 || (typeof v === 'object' && v !== null && (v as { low?: unknown }).low === 0 && (v as { high?: unknown }).high === 0);
    case 'double':
    case 'float':
      // -0 is not the default (it is written), as in protoc-generated code and protobuf-es.
      return (v) => Object.is(v, 0);
    default:
      return (v) => v === 0;
  }
}

/**
 * Drops fields with implicit presence that hold their default value from a message built by
 * `fromObject` (which the serde owns), so the encoding is the canonical one protoc-generated
 * code and protobuf-es write (protobufjs would write an explicit `0` / `""`).
 */
function canonicalize(type: protobuf.Type, m: Record<string, unknown>): void {
  let c = canons.get(type);
  if (!c) {
    const implicit: Array<{ key: string; isDefault: (v: unknown) => boolean }> = [];
    const messages: Array<{ key: string; type: protobuf.Type; map: boolean; repeated: boolean }> = [];
    for (const f of type.fieldsArray) {
      f.resolve();
      if (f.resolvedType instanceof protobuf.Type) messages.push({ key: f.name, type: f.resolvedType, map: f instanceof protobuf.MapField, repeated: f.repeated });
      else if (!f.hasPresence && !f.repeated && !(f instanceof protobuf.MapField)) implicit.push({ key: f.name, isDefault: isDefaultOf(f) });
    }
    c = { implicit, messages };
    canons.set(type, c);
  }
  for (const { key, isDefault } of c.implicit) if (Object.prototype.hasOwnProperty.call(m, key) && isDefault(m[key])) delete m[key];
  for (const f of c.messages) {
    const x = m[f.key];
    if (x === null || x === undefined || typeof x !== 'object') continue;
    if (f.map) for (const y of Object.values(x)) canonicalize(f.type, y as Record<string, unknown>);
    else if (f.repeated) for (const y of x as unknown[]) canonicalize(f.type, y as Record<string, unknown>);
    else canonicalize(f.type, x as Record<string, unknown>);
  }
}

/**
 * Encodes `value` (already rule-transformed) as `type`; `original` is the caller's value, checked
 * first so errors name what the caller passed.
 * @throws {SerdeError} SERIALIZATION_FAILED.
 */
export function encodeMessage(type: protobuf.Type, value: unknown, original: unknown, schemaId: number): Buffer {
  // Rules only swap strings for strings and bytes for bytes, so the transformed value fits the
  // type exactly when the caller's does; the caller's value is checked only to name its error.
  const bad = invalidValueError(type, value, schemaId);
  if (bad) throw (original !== value ? invalidValueError(type, original, schemaId) : undefined) ?? bad;
  try {
    const message = type.fromObject(ownView(type, value) as Record<string, unknown>);
    canonicalize(type, message as unknown as Record<string, unknown>);
    const bytes = type.encode(message).finish();
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch {
    // protobufjs' messages may contain values: never surfaced.
    throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `protobuf: value could not be encoded as ${type.fullName.slice(1)}`, { schemaId });
  }
}

/** A Buffer reader whose `string()` fails on truncated input (protobufjs' own clamps silently). */
function strictReader(body: Buffer): protobuf.Reader {
  const r = new protobuf.BufferReader(body);
  r.string = function checkedString(this: protobuf.BufferReader): string {
    const len = this.uint32();
    const start = this.pos;
    if (start + len > this.len) throw new RangeError(`index out of range: ${start} + ${len} > ${this.len}`);
    this.pos = start + len;
    return (this.buf as Buffer).toString('utf8', start, start + len);
  };
  return r;
}

/** protobufjs decode errors that never contain data. */
const SAFE_READ_ERRORS = /^(index out of range: \d+ \+ \d+ > \d+|invalid wire type \d+ at offset \d+|missing required '[\w.]+'|illegal tag: \d+ at offset \d+|invalid varint encoding|illegal wire type: \d+)$/;

/**
 * Decodes a body as `type` into a plain object.
 * @throws {SerdeError} DESERIALIZATION_FAILED, never quoting decoded data.
 */
export function decodeMessage(type: protobuf.Type, body: Buffer, conv: protobuf.IConversionOptions, schemaId: number): Record<string, unknown> {
  let msg: protobuf.Message;
  try {
    msg = type.decode(strictReader(body));
  } catch (e) {
    const m = e instanceof Error ? e.message : '';
    const reason = SAFE_READ_ERRORS.test(m) ? `: ${m}` : '';
    throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `protobuf: body is not valid Protobuf for ${type.fullName.slice(1)} (schema id ${schemaId})${reason}`, {
      schemaId,
    });
  }
  return type.toObject(msg, conv);
}
