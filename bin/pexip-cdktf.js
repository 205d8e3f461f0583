#!/usr/bin/env node
'use strict';
// Compiled JS only: this runs once per `cdktf deploy` and must start fast (no ts-node).
require('../dist/src/cli/run.js').run(process.argv.slice(2));
