// The UI test drives Debian's Chromium (/usr/bin/chromium) with playwright-core. `npm test` installs the
// package when it is missing and it can (root with apt-get, as on a fresh CI machine); otherwise it stops here
// and says what to install, because a browser test that cannot run must fail, never skip.
const { existsSync } = require('node:fs');
const { execSync } = require('node:child_process');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(
      `Chromium not found at ${CHROMIUM}. Install it (sudo apt-get install chromium) or set CHROMIUM_PATH.`,
    );
    process.exit(1);
  }
  console.log('Installing Chromium for the UI test (apt-get install chromium)...');
  const install = () => execSync('apt-get install -y --no-install-recommends chromium', { stdio: 'inherit' });
  try {
    install();
  } catch {
    execSync('apt-get update', { stdio: 'inherit' }); // a fresh machine may have no package lists yet
    install();
  }
}
