/**
 * Imports every Protobuf schema may use without registering them as schema references, as in
 * Confluent's clients: `confluent/meta.proto` (the `(confluent.field_meta)` option carrying
 * inline tags, compatibility facts §7), `confluent/type/decimal.proto`, and the well-known
 * `google/protobuf/*.proto` types (from protobufjs).
 *
 * `CONFLUENT_META_PROTO` is the same text as the shipped `confluent/meta.proto` file (a test
 * keeps the two equal).
 */
import protobuf from 'protobufjs';
import descriptorNamespace from 'protobufjs/ext/descriptor/index.js';

/** The text of `confluent/meta.proto` (package `confluent`; extension 1088 on the option messages). */
export const CONFLUENT_META_PROTO = `// Confluent's schema metadata options, as used by Confluent Schema Registry clients
// (\`confluent/meta.proto\`, package \`confluent\`). Field-level encryption reads the tags of
// \`(confluent.field_meta)\` on a field (extension 1088 of google.protobuf.FieldOptions).
// Shipped with @csfle/protobuf so schemas importing it resolve without a registry reference.
syntax = "proto3";
package confluent;

import "google/protobuf/descriptor.proto";

option go_package = "../confluent";

message Meta {
  string doc = 1;
  map<string, string> params = 2;
  repeated string tags = 3;
}

extend google.protobuf.FileOptions {
  Meta file_meta = 1088;
}
extend google.protobuf.MessageOptions {
  Meta message_meta = 1088;
}
extend google.protobuf.FieldOptions {
  Meta field_meta = 1088;
}
extend google.protobuf.EnumOptions {
  Meta enum_meta = 1088;
}
extend google.protobuf.EnumValueOptions {
  Meta enum_value_meta = 1088;
}
`;

/**
 * What a schema importing `confluent/meta.proto` is parsed with: the `Meta` message without the
 * option extensions. protobufjs keeps custom options as parsed text (that is where the tags are
 * read from), so the extensions — and the large `google/protobuf/descriptor.proto` they need —
 * play no part in parsing a schema.
 */
const CONFLUENT_META_FOR_PARSING = `syntax = "proto3";
package confluent;
message Meta {
  string doc = 1;
  map<string, string> params = 2;
  repeated string tags = 3;
}
`;

/** `confluent/type/decimal.proto`: Confluent's decimal type. */
const CONFLUENT_DECIMAL_PROTO = `syntax = "proto3";
package confluent.type;

option go_package = "../types";

message Decimal {
  // The two's-complement representation of the unscaled integer value in big-endian byte order
  bytes value = 1;
  // The precision
  uint32 precision = 2;
  // The scale
  int32 scale = 3;
}
`;

/** A built-in import: .proto text to parse, or protobufjs JSON to add. */
export type Builtin = { readonly text: string } | { readonly json: protobuf.INamespace };

const GOOGLE_COMMON = ['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers'];

let descriptorJson: protobuf.INamespace | undefined;
function descriptorProtoJson(): protobuf.INamespace {
  descriptorJson ??= { nested: { google: { nested: { protobuf: (descriptorNamespace as unknown as protobuf.Namespace).toJSON() } } } };
  return descriptorJson;
}

/** True if `name` is resolved without a schema reference. */
export function isBuiltinImport(name: string): boolean {
  return builtinImport(name) !== undefined;
}

/** The built-in definition of an import path, if there is one. */
export function builtinImport(name: string): Builtin | undefined {
  switch (name) {
    case 'confluent/meta.proto':
      return { text: CONFLUENT_META_FOR_PARSING };
    case 'confluent/type/decimal.proto':
      return { text: CONFLUENT_DECIMAL_PROTO };
    case 'google/protobuf/descriptor.proto':
      return { json: descriptorProtoJson() };
    default: {
      const m = /^google\/protobuf\/([a-z_]+)\.proto$/.exec(name);
      if (m && GOOGLE_COMMON.includes(m[1] as string)) {
        const json = (protobuf.common as unknown as Record<string, protobuf.INamespace | undefined>)[name];
        if (json) return { json };
      }
      return undefined;
    }
  }
}
