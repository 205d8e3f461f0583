#!/usr/bin/env node
'use strict';
// Compiled JS only: this runs once per `cdktf deploy` and must start fast (no ts-node).
require('../dist/src/cli/main.js')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
