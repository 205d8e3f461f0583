const { rmSync } = require('node:fs');

module.exports = async () => {
  if (process.env.PEXIP_CDKTF_TEST_TMP && !process.env.PEXIP_CDKTF_KEEP_TEST_FILES) rmSync(process.env.PEXIP_CDKTF_TEST_TMP, { recursive: true, force: true });
};
