// Stops the local-stack services this jest run started (see global-setup.cjs).
// CSFLE_KEEP_STACK=1 leaves them running for the next run.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const SERVICES = ['kafka', 'registry', 'moto', 'vault'];

module.exports = async () => {
  if (process.env.CSFLE_KEEP_STACK === '1') return;
  const pre = new Set(globalThis.__CSFLE_PRESTARTED__ ?? []);
  for (const s of SERVICES) {
    if (pre.has(s) || !fs.existsSync(path.join(ROOT, 'scripts/stack', `${s}.sh`))) continue;
    try {
      execFileSync('bash', [path.join(ROOT, 'scripts/stack', `${s}.sh`), 'stop'], { stdio: 'ignore' });
    } catch {
      // best effort
    }
  }
};
