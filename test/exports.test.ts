/**
 * The packages as a user gets them: built ESM through each package's `exports` map, imported by
 * public name from a plain Node process (not through jest's module mapping). `npm test` builds
 * first; running jest alone needs `npm run build` beforehand.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const cases: Array<[pkg: string, names: string[]]> = [
  ['@csfle/core', ['createRuleEngine', 'createDekManager', 'createLocalKms', 'createSerdeCore', 'isCsfleError', 'ErrorCodes', 'plan']],
  ['@csfle/core/subtle', ['createAesGcm', 'createAesSiv', 'createDekCipher']],
  ['@csfle/registry', ['createSchemaRegistryClient', 'createDekRegistryClient', 'createInMemorySchemaRegistry', 'createInMemoryDekRegistry']],
  ['@csfle/registry/server', ['startRegistryServer']],
  ['@csfle/avro', ['createAvroSerializer', 'createAvroDeserializer']],
  ['@csfle/json-schema', ['createJsonSchemaSerializer', 'createJsonSchemaDeserializer', 'createJsonSchemaSerde']],
  ['@csfle/protobuf', ['createProtobufSerializer', 'createProtobufDeserializer', 'createProtobufSerde', 'toFileDescriptorProto']],
  ['@csfle/kafkajs', ['wrapProducer', 'wrapConsumer', 'createCompatSchemaRegistry', 'DlqHeaders', 'RecordSerializationError']],
  ['@csfle/kms-aws', ['createAwsKms', 'parseAwsKeyUri']],
  ['@csfle/kms-azure', ['createAzureKms', 'readVersionHeader']],
  ['@csfle/kms-gcp', ['createGcpKms', 'crc32c']],
  ['@csfle/kms-vault', ['createVaultKms', 'parseVaultKeyUri']],
  ['@csfle/cli', ['main', 'kekTest', 'rulesApply', 'shred', 'doctor', 'ExitCodes']],
];

describe('package exports (built ESM)', () => {
  it.each(cases)('%s exports %j', (pkg, names) => {
    const dir = pkg.split('/').slice(0, 2).join('/').replace('@csfle/', '');
    expect(existsSync(path.join(root, 'packages', dir, 'dist'))).toBe(true);
    const script = `const m = await import(${JSON.stringify(pkg)}); console.log(JSON.stringify(Object.keys(m)));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(root, 'test'), encoding: 'utf8' });
    const keys = JSON.parse(out) as string[];
    for (const n of names) expect(keys).toContain(n);
  });

  it('internal modules are not reachable', () => {
    const script = `try { await import('@csfle/core/dist/engine.js'); console.log('reachable'); } catch (e) { console.log(e.code); }`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(root, 'test'), encoding: 'utf8' });
    expect(out.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
