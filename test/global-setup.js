// Every test writes its scratch files under one directory per run, removed before and after the run.
const { rmSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

module.exports = async () => {
  const root = join(tmpdir(), 'pexip-cdktf-tests');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  process.env.PEXIP_CDKTF_TEST_TMP = root;
};
