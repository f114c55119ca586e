// Runs `npm install` when node_modules is missing or older than package-lock.json, so `npm start` and
// `npm test` work on a fresh clone. Plain JS because nothing else is installed yet.
const { existsSync, statSync } = require('node:fs');
const { execSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  console.log('Installing npm dependencies...');
  // `npm install`, not `npm ci`: npm 11 leaves other platforms' optional binaries (@swc/core-darwin-*, ...)
  // out of the lock file, which `npm ci` then rejects as out of sync. The lock still pins every version.
  execSync('npm install --no-audit --no-fund', {
    cwd: root,
    stdio: 'inherit',
  });
}
