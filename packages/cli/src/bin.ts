#!/usr/bin/env node
import { main, terminalIo } from './main.js';

main(process.argv.slice(2), terminalIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`csfle: unexpected failure: ${(e as Error)?.name ?? 'error'}\n`);
    process.exitCode = 1;
  },
);
