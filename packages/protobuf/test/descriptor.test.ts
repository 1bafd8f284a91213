/**
 * The serialized schema form (base64 `FileDescriptorProto`, what Confluent's JS client registers
 * and requests with `?format=serialized`) ⇄ `.proto` text, and the shipped `confluent/meta.proto`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFLUENT_META_PROTO, fileDescriptorToProto, isBuiltinImport, isSerializedSchema, parseProtoText, toFileDescriptorProto } from '@csfle/protobuf';
import { CUSTOMER_PROTO, customer, rootOf } from './helpers.js';

// Decoded descriptors are inspected loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;
// descriptor.proto + the (confluent.field_meta) extension, as the package parses meta.proto.
const FDP = parseProtoText(CONFLUENT_META_PROTO, {}, { keepCase: true }).root.lookupType('google.protobuf.FileDescriptorProto');
const decodeFdp = (bytes: Uint8Array): Obj => FDP.toObject(FDP.decode(bytes), { enums: String, defaults: false }) as Obj;

describe('confluent/meta.proto', () => {
  it('the shipped file is the text the package uses, and declares Meta and field_meta = 1088', () => {
    const shipped = readFileSync(path.join(__dirname, '..', 'confluent', 'meta.proto'), 'utf8');
    expect(shipped).toBe(CONFLUENT_META_PROTO);
    expect(shipped).toMatch(/message Meta \{\s+string doc = 1;\s+map<string, string> params = 2;\s+repeated string tags = 3;\s+\}/);
    expect(shipped).toMatch(/extend google\.protobuf\.FieldOptions \{\s+Meta field_meta = 1088;\s+\}/);
    const parsed = parseProtoText(CONFLUENT_META_PROTO, {}, { keepCase: true });
    expect(parsed.root.lookupType('google.protobuf.FieldOptions').fields['.confluent.field_meta']?.id).toBe(1088);
  });

  it('built-in imports', () => {
    for (const n of ['confluent/meta.proto', 'confluent/type/decimal.proto', 'google/protobuf/timestamp.proto', 'google/protobuf/descriptor.proto', 'google/protobuf/wrappers.proto']) {
      expect(isBuiltinImport(n)).toBe(true);
    }
    expect(isBuiltinImport('google/type/unknown.proto')).toBe(false);
    expect(isBuiltinImport('common/address.proto')).toBe(false);
  });
});

describe('.proto text → FileDescriptorProto', () => {
  const fdp = decodeFdp(toFileDescriptorProto(CUSTOMER_PROTO, {}, 'shop/customer.proto'));
  const customerMsg = (fdp['messageType'] as Obj[])[0] as Obj;
  const field = (m: Obj, name: string): Obj => (m['field'] as Obj[]).find((f) => f['name'] === name) as Obj;

  it('file: name, package, imports, syntax, top-level messages in order', () => {
    expect(fdp['name']).toBe('shop/customer.proto');
    expect(fdp['package']).toBe('shop');
    expect(fdp['dependency']).toEqual(['confluent/meta.proto', 'google/protobuf/timestamp.proto']);
    expect(fdp['syntax']).toBe('proto3');
    expect((fdp['messageType'] as Obj[]).map((m) => m['name'])).toEqual(['Customer', 'Order']);
  });

  it('fields: labels, types, fully-qualified type names, json names, tags as (confluent.field_meta)', () => {
    expect(field(customerMsg, 'plain_note')).toMatchObject({ number: 14, label: 'LABEL_OPTIONAL', type: 'TYPE_STRING', jsonName: 'plainNote' });
    expect(field(customerMsg, 'phones')).toMatchObject({ label: 'LABEL_REPEATED', type: 'TYPE_STRING', options: { '.confluent.field_meta': { tags: ['PII'] } } });
    expect(field(customerMsg, 'address')).toMatchObject({ type: 'TYPE_MESSAGE', typeName: '.shop.Customer.Address' });
    expect(field(customerMsg, 'since')).toMatchObject({ type: 'TYPE_MESSAGE', typeName: '.google.protobuf.Timestamp' });
    expect(field(customerMsg, 'level')).toMatchObject({ type: 'TYPE_ENUM', typeName: '.shop.Customer.Level' });
    expect(field(customerMsg, 'name')['options']).toEqual({ '.confluent.field_meta': { tags: ['PII'] } });
  });

  it('maps become repeated map-entry messages; oneofs and proto3 optional (synthetic oneof last)', () => {
    expect(field(customerMsg, 'others')).toMatchObject({ label: 'LABEL_REPEATED', type: 'TYPE_MESSAGE', typeName: '.shop.Customer.OthersEntry' });
    const entry = (customerMsg['nestedType'] as Obj[]).find((n) => n['name'] === 'OthersEntry') as Obj;
    expect(entry['options']).toEqual({ mapEntry: true });
    expect((entry['field'] as Obj[]).map((f) => [f['name'], f['number'], f['type']])).toEqual([
      ['key', 1, 'TYPE_STRING'],
      ['value', 2, 'TYPE_MESSAGE'],
    ]);
    expect((customerMsg['oneofDecl'] as Obj[]).map((o) => o['name'])).toEqual(['contact', '_nickname']);
    expect(field(customerMsg, 'email')['oneofIndex']).toBe(0);
    expect(field(customerMsg, 'nickname')).toMatchObject({ oneofIndex: 1, proto3Optional: true });
  });

  it('and back: the text it renders parses to the same types, message indexes, tags and encodings', () => {
    const text = fileDescriptorToProto(toFileDescriptorProto(CUSTOMER_PROTO));
    const a = parseProtoText(CUSTOMER_PROTO);
    const b = parseProtoText(text);
    expect([...b.byName.entries()].map(([n, m]) => [n, m.indexes])).toEqual([...a.byName.entries()].map(([n, m]) => [n, m.indexes]));
    for (const [name, m] of a.byName) {
      const other = b.byName.get(name)?.type;
      for (const f of m.type.fieldsArray) {
        const g = other?.fields[f.name];
        const shape = (x: typeof f | undefined) => [x?.id, x?.resolvedType?.fullName ?? x?.type, x?.repeated, x?.map, x?.partOf?.name];
        expect(shape(g)).toEqual(shape(f));
        expect(b.fieldMeta(g as never)).toEqual(a.fieldMeta(f));
      }
    }
    const v = customer();
    const T1 = a.root.lookupType('shop.Customer');
    const T2 = b.root.lookupType('shop.Customer');
    expect(Buffer.from(T2.encode(T2.fromObject(v)).finish())).toEqual(Buffer.from(T1.encode(T1.fromObject(v)).finish()));
  });

  it('proto2: required/optional labels, defaults, packed; imports given as texts', () => {
    const dep = 'syntax = "proto2"; package dep; message D { optional int32 x = 1; }';
    const proto = `syntax = "proto2";
package p2;
import "dep.proto";
message M {
  required string id = 1;
  optional string s = 2 [default = "abc"];
  optional int32 n = 3 [default = -7];
  repeated int32 packed_ints = 4 [packed = true];
  optional Kind k = 5 [default = TWO];
  optional dep.D d = 6;
  enum Kind { ONE = 1; TWO = 2; }
}`;
    const bytes = toFileDescriptorProto(proto, { 'dep.proto': dep });
    const f = decodeFdp(bytes);
    expect(f['syntax']).toBeUndefined();
    const m = (f['messageType'] as Obj[])[0] as Obj;
    expect(field(m, 'id')['label']).toBe('LABEL_REQUIRED');
    expect(field(m, 's')).toMatchObject({ label: 'LABEL_OPTIONAL', defaultValue: 'abc' });
    expect(field(m, 'k')['defaultValue']).toBe('TWO');
    expect(field(m, 'packed_ints')['options']).toEqual({ packed: true });
    const text = fileDescriptorToProto(bytes);
    const parsed = parseProtoText(text, { 'dep.proto': dep });
    const T = parsed.root.lookupType('p2.M');
    expect(T.fields['id']?.required).toBe(true);
    expect(T.fields['s']?.defaultValue).toBe('abc');
    expect(T.fields['n']?.defaultValue).toBe(-7);
    expect(T.fields['packedInts']?.packed).toBe(true);
    expect(Buffer.from(T.encode(T.fromObject({ id: 'i', packedInts: [1, 2] })).finish())).toEqual(
      Buffer.from(rootOf(proto, false, { 'dep.proto': dep }).lookupType('p2.M').encode({ id: 'i', packedInts: [1, 2] }).finish()),
    );
  });
});

describe('FileDescriptorProto → .proto text: what is refused', () => {
  it('garbage, empty descriptors, editions and groups', () => {
    expect(() => fileDescriptorToProto(Buffer.from([0xff, 0xff]))).toThrow('bytes are not a FileDescriptorProto');
    expect(() => fileDescriptorToProto(new Uint8Array(0))).toThrow('no file name, message or enum');
    const enc = (o: object) => FDP.encode(FDP.fromObject(o)).finish();
    expect(() => fileDescriptorToProto(enc({ name: 'e.proto', syntax: 'editions' }))).toThrow('not supported');
    const group = { name: 'g.proto', messageType: [{ name: 'M', field: [{ name: 'g', number: 1, label: 'LABEL_OPTIONAL', type: 'TYPE_GROUP', typeName: '.M.G' }] }] };
    expect(() => fileDescriptorToProto(enc(group))).toThrow('groups are not supported');
    const injected = { name: 'i.proto', messageType: [{ name: 'M { } message X', field: [] }] };
    expect(() => fileDescriptorToProto(enc(injected))).toThrow('expected an identifier');
  });

  it('isSerializedSchema tells base64 descriptors from .proto text', () => {
    expect(isSerializedSchema(Buffer.from(toFileDescriptorProto(CUSTOMER_PROTO)).toString('base64'))).toBe(true);
    expect(isSerializedSchema(CUSTOMER_PROTO)).toBe(false);
    expect(isSerializedSchema('')).toBe(false);
  });
});
