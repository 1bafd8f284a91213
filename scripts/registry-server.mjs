#!/usr/bin/env node
// Starts the project's Confluent-compatible test registry (Schema Registry + DEK Registry,
// in memory) from the built package, so tests, CI and the demo share one way to start it.
// TEST / DEVELOPMENT ONLY: no persistence, no TLS, no compatibility checks.
//
//   node scripts/registry-server.mjs [--host 127.0.0.1] [--port 18081] [--pid-file FILE]
//                                    [--basic-auth USER:PASS] [--local-kms-secret SECRET]
//
// --local-kms-secret lets the server generate DEKs for *shared* local-kms KEKs (the secret can
// also come from the REGISTRY_LOCAL_KMS_SECRET environment variable, which keeps it out of `ps`).
// --basic-auth can likewise come from REGISTRY_BASIC_AUTH.
// Prints "registry listening on <url>" once ready; stops on SIGTERM/SIGINT and removes the pid file.
// Needs the packages built first: `npm run build` (tsc -b).
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverModule = path.join(root, 'packages/registry/dist/server.js');
const memoryModule = path.join(root, 'packages/registry/dist/memory.js');
const coreModule = path.join(root, 'packages/core/dist/index.js');

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '18081' },
    'pid-file': { type: 'string' },
    'basic-auth': { type: 'string' },
    'local-kms-secret': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('usage: registry-server.mjs [--host H] [--port P] [--pid-file F] [--basic-auth U:P] [--local-kms-secret S]');
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`registry-server: "--port" expected 0..65535, got ${JSON.stringify(values.port)}`);
  process.exit(2);
}
if (!existsSync(serverModule)) {
  console.error(`registry-server: ${path.relative(root, serverModule)} not found; build first (npm run build)`);
  process.exit(2);
}

const options = { host: values.host, port };
const basicAuth = values['basic-auth'] ?? process.env.REGISTRY_BASIC_AUTH;
if (basicAuth !== undefined && basicAuth !== '') {
  const i = basicAuth.indexOf(':');
  if (i <= 0) {
    console.error('registry-server: "--basic-auth" expected USER:PASS');
    process.exit(2);
  }
  options.auth = { basic: { username: basicAuth.slice(0, i), password: basicAuth.slice(i + 1) } };
}
const secret = values['local-kms-secret'] ?? process.env.REGISTRY_LOCAL_KMS_SECRET;
if (secret !== undefined && secret !== '') {
  const { createLocalKms } = await import(pathToFileURL(coreModule).href);
  const { createKmsDekGenerator } = await import(pathToFileURL(memoryModule).href);
  Object.assign(options, createKmsDekGenerator(createLocalKms({ secret })));
}

const { startRegistryServer } = await import(pathToFileURL(serverModule).href);
const server = await startRegistryServer(options);
const pidFile = values['pid-file'];
if (pidFile !== undefined) writeFileSync(pidFile, `${process.pid}\n`);
console.log(`registry listening on ${server.url}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await server.close();
  } finally {
    if (pidFile !== undefined) rmSync(pidFile, { force: true });
    process.exit(0);
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
