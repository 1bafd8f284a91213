/**
 * Validation with ajv, compiled once per schema id (lazily: only when a serde validates, or a
 * field walk must pick an `anyOf` / `oneOf` / `if` branch).
 *
 * Dialect as in Confluent's client: `$schema` 2020-12 → ajv `Ajv2020`; anything else (drafts 6, 7,
 * 2019-09, none) → ajv `Ajv2019` with the draft-06 and draft-07 meta-schemas added. References
 * are added under their reference names. `confluent:tags` is a known keyword. Formats come from
 * `ajv-formats` (Confluent adds none, so its strict ajv rejects schemas using `format`).
 *
 * Errors name the instance path and the failing keyword, never the value (it may be plaintext).
 */
import { ErrorCodes, SerdeError, type CsfleErrorCode } from '@csfle/core';
import type { Options as AjvOptions, ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' };
import addFormats from 'ajv-formats';
import { ROOT_DOCUMENT, TAGS_KEYWORD, type ParsedJsonSchema } from './schema.js';

export type { AjvOptions };

type AnyAjv = Ajv2019 | Ajv2020;

/** The first reason a value is invalid: where (JSON pointer into the value) and which keyword. */
export interface InvalidValue {
  /** ajv's `instancePath`, `''` for the root. */
  readonly path: string;
  readonly keyword: string;
  /** Where in the schema (`#/properties/a/maxLength`): schema text, never data. */
  readonly schemaPath: string;
}

/** A schema's validators. */
export interface Validation {
  /** The first validation error of `value`, or undefined when valid. @throws {SerdeError} SCHEMA_ERROR */
  check(value: unknown): InvalidValue | undefined;
  /**
   * Throws a {@link SerdeError} with `code` naming the first invalid path and keyword.
   * @throws {SerdeError}
   */
  assert(value: unknown, code: CsfleErrorCode, schemaId: number): void;
  /** A predicate for a subschema (a branch of `anyOf` / `oneOf`, an `if`). @throws {SerdeError} SCHEMA_ERROR */
  branch(node: unknown): (value: unknown) => boolean;
}

/** Builds the ajv instance for a parsed schema. @throws {SerdeError} SCHEMA_ERROR */
function createAjv(parsed: ParsedJsonSchema, ajvOptions: AjvOptions | undefined, schemaId: number | undefined): AnyAjv {
  const opts: AjvOptions = { strict: false, ...ajvOptions };
  try {
    let ajv: AnyAjv;
    if (parsed.dialect === 'draft-2020-12') {
      ajv = new Ajv2020(opts);
    } else {
      ajv = new Ajv2019(opts);
      ajv.addMetaSchema(draft06);
      ajv.addMetaSchema(draft07);
    }
    if (!ajv.getKeyword(TAGS_KEYWORD)) ajv.addKeyword(TAGS_KEYWORD);
    addFormats.default(ajv);
    // Formats given by the caller win over ajv-formats' definitions of the same name.
    for (const [name, f] of Object.entries(ajvOptions?.formats ?? {})) ajv.addFormat(name, f as never);
    const byName = new Map(parsed.documents.map((d) => [d.name, d.json]));
    for (const doc of parsed.documents.slice(1)) ajv.addSchema(doc.json as object, doc.name);
    for (const { uri, name } of parsed.aliases) {
      try {
        ajv.addSchema(byName.get(name) as object, uri);
      } catch {
        // already known under this URI (e.g. the document's own `$id`)
      }
    }
    ajv.addSchema(parsed.root as object, ROOT_DOCUMENT);
    return ajv;
  } catch (e) {
    throw schemaError(e, schemaId);
  }
}

function schemaError(e: unknown, schemaId: number | undefined): SerdeError {
  // ajv's schema errors describe the schema (never data).
  const reason = e instanceof Error ? e.message : String(e);
  return new SerdeError(ErrorCodes.SCHEMA_ERROR, `json-schema: schema${schemaId === undefined ? '' : ` id ${schemaId}`} cannot be compiled by ajv: ${reason}`, {
    cause: e,
    ...(schemaId === undefined ? {} : { schemaId }),
  });
}

/** Validators of one schema; ajv is created on first use. */
export function createValidation(parsed: ParsedJsonSchema, ajvOptions: AjvOptions | undefined, schemaId: number | undefined): Validation {
  let ajv: AnyAjv | undefined;
  let root: ValidateFunction | undefined;
  const branches = new WeakMap<object, (v: unknown) => boolean>();
  const getAjv = (): AnyAjv => (ajv ??= createAjv(parsed, ajvOptions, schemaId));

  function check(value: unknown): InvalidValue | undefined {
    if (!root) {
      const a = getAjv();
      try {
        root = a.getSchema(ROOT_DOCUMENT);
      } catch (e) {
        throw schemaError(e, schemaId);
      }
      if (!root) throw schemaError(new Error('root schema missing'), schemaId);
    }
    if (root(value)) return undefined;
    const err = root.errors?.[0];
    return { path: err?.instancePath ?? '', keyword: err?.keyword ?? 'unknown', schemaPath: err?.schemaPath ?? '#' };
  }

  return {
    check,
    assert(value, code, id) {
      const bad = check(value);
      if (bad) throw invalidValueError(bad, code, id);
    },
    branch(node) {
      if (node === true) return () => true;
      if (node === false) return () => false;
      if (typeof node !== 'object' || node === null) return () => false;
      let fn = branches.get(node);
      if (fn) return fn;
      const address = parsed.addressOf(node);
      const a = getAjv();
      let v: ValidateFunction;
      try {
        v = address === undefined ? a.compile(node as object) : a.compile({ $ref: address });
      } catch (e) {
        throw schemaError(e, schemaId);
      }
      fn = (x: unknown) => v(x) === true;
      branches.set(node, fn);
      return fn;
    },
  };
}

/** The error for an invalid value: path and keyword, never the value. */
export function invalidValueError(bad: InvalidValue, code: CsfleErrorCode, schemaId: number): SerdeError {
  const at = bad.path === '' ? '<root>' : bad.path;
  return new SerdeError(code, `json-schema: value at ${at} does not match the schema (keyword "${bad.keyword}" at ${bad.schemaPath})`, { schemaId });
}
