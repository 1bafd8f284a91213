// Records which local-stack services were already running, so the teardown stops only the ones
// this jest run started (tests start them on demand through test/support/stack.ts).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const SERVICES = ['kafka', 'registry', 'moto', 'vault'];

module.exports = async () => {
  const running = SERVICES.filter((s) => {
    if (!fs.existsSync(path.join(ROOT, 'scripts/stack', `${s}.sh`))) return false;
    try {
      execFileSync('bash', [path.join(ROOT, 'scripts/stack', `${s}.sh`), 'status'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  globalThis.__CSFLE_PRESTARTED__ = running;
};
