// Every test writes its scratch files under one directory per run, removed after the run. The directory is unique
// per run (not one fixed name) because several checkouts of this project may run their tests at once on one machine,
// and a fixed name let one run's set-up or tear-down delete another run's files mid-test.
const { chmodSync, mkdtempSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

module.exports = async () => {
  const root = mkdtempSync(join(tmpdir(), 'pexip-cdktf-tests-'));
  // mkdtemp makes it 0700; the PostgreSQL test runs initdb as the postgres user inside it.
  chmodSync(root, 0o755);
  process.env.PEXIP_CDKTF_TEST_TMP = root;
};
