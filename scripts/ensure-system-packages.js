// Debian packages the test suite drives for real: Chromium (the Temporal UI test, with playwright-core),
// Prometheus (promtool for the alert rules, the server for the end-to-end alert test) and docker-compose (it
// validates the containers' compose file). `npm test` installs a missing one when it can (root with apt-get, as on
// a fresh CI machine); otherwise it stops here and says what to install, because a test that cannot run its real
// dependency must fail, never skip.
const { existsSync } = require('node:fs');
const { execSync } = require('node:child_process');

const PACKAGES = [
  { name: 'chromium', binaries: [process.env.CHROMIUM_PATH || '/usr/bin/chromium'], envHint: 'or set CHROMIUM_PATH' },
  { name: 'prometheus', binaries: ['/usr/bin/promtool', '/usr/bin/prometheus'], envHint: '' },
  { name: 'docker-compose', binaries: ['/usr/bin/docker-compose'], envHint: '' },
];

const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
let listsUpdated = false;

function install(name) {
  const run = () => execSync(`apt-get install -y --no-install-recommends ${name}`, { stdio: 'inherit' });
  try {
    run();
  } catch (err) {
    if (listsUpdated) throw err;
    execSync('apt-get update', { stdio: 'inherit' }); // a fresh machine may have no package lists yet
    listsUpdated = true;
    run();
  }
}

for (const pkg of PACKAGES) {
  const missing = pkg.binaries.filter((b) => !existsSync(b));
  if (missing.length === 0) continue;
  if (!canInstall) {
    console.error(`${missing.join(', ')} not found. Install it (sudo apt-get install ${pkg.name}) ${pkg.envHint}.`);
    process.exit(1);
  }
  console.log(`Installing ${pkg.name} for the tests (apt-get install ${pkg.name})...`);
  // The package's service is not wanted: the tests start their own Prometheus on free ports.
  process.env.DEBIAN_FRONTEND = 'noninteractive';
  install(pkg.name);
}
