// Every test writes its scratch files under one directory per run, removed after the run. The directory is unique
// per run, so two runs on one machine (two CI jobs, two checkouts) never delete each other's files.
const { mkdtempSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

module.exports = async () => {
  process.env.PEXIP_CDKTF_TEST_TMP = mkdtempSync(join(tmpdir(), 'pexip-cdktf-tests-'));
};
