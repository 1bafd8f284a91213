/**
 * `SecretBytes`: key material that does not leak through logging, string conversion or JSON
 * (conventions §11). The bytes live in an ECMAScript private field; the only way to read them
 * is the loudly named {@link exposeSecretBytes}, so every place that touches raw key bytes is
 * greppable.
 */
import { timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

// Set once by the class's static block: the one reader of the private field.
let readBytes!: (s: SecretBytes) => Uint8Array;

/** Secret key bytes with redacted `toString` / `toJSON` / `util.inspect`, constant-time `equals` and `wipe`. */
export class SecretBytes {
  readonly #bytes: Uint8Array;
  #wiped = false;

  static {
    readBytes = (s) => s.#bytes;
  }

  /**
   * Copies `bytes` (the caller may wipe its own copy afterwards).
   * @throws {TypeError} if `bytes` is not a Uint8Array.
   */
  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`secret-bytes: bytes expected Uint8Array, got ${typeName(bytes)}`);
    }
    this.#bytes = new Uint8Array(bytes);
  }

  /** Number of bytes (not secret). */
  get length(): number {
    return this.#bytes.length;
  }

  /** True once {@link SecretBytes.wipe} has run. */
  get wiped(): boolean {
    return this.#wiped;
  }

  /**
   * Constant-time comparison (for equal lengths; a length mismatch returns false at once,
   * which reveals only the length).
   */
  equals(other: SecretBytes | Uint8Array): boolean {
    const o = other instanceof SecretBytes ? other.#bytes : other;
    if (!(o instanceof Uint8Array) || o.length !== this.#bytes.length) return false;
    return timingSafeEqual(this.#bytes, o);
  }

  /** Overwrites the bytes with zeros. Objects already built from them (e.g. an AEAD) keep working. */
  wipe(): void {
    this.#bytes.fill(0);
    this.#wiped = true;
  }

  /** Redacted: `SecretBytes(32 bytes, redacted)`. */
  toString(): string {
    return `SecretBytes(${this.#bytes.length} bytes, redacted)`;
  }

  /** Redacted, so `JSON.stringify` never prints key bytes. */
  toJSON(): string {
    return this.toString();
  }

  /** Redacted for `console.log` / `util.inspect`. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Returns the raw bytes (not a copy: do not keep or mutate them longer than needed).
 * The name is deliberately loud: every call site is a place where key material is exposed.
 * @throws {TypeError} if `s` is not a SecretBytes or has been wiped.
 */
export function exposeSecretBytes(s: SecretBytes): Uint8Array {
  if (!(s instanceof SecretBytes)) {
    throw new TypeError(`secret-bytes: argument expected SecretBytes, got ${typeName(s)}`);
  }
  if (s.wiped) throw new TypeError('secret-bytes: argument expected unwiped SecretBytes, got wiped');
  return readBytes(s);
}

/** Key bytes from either form, without copying. */
export function keyBytesOf(key: SecretBytes | Uint8Array): Uint8Array {
  return key instanceof SecretBytes ? exposeSecretBytes(key) : key;
}

/** Type name for error messages (never the value: it may be secret). */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
