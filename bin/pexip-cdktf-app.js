#!/usr/bin/env node
'use strict';
// Runs a CDKTF app's TypeScript entry, compiling it first only if a source changed (see src/runner/app-runner.ts).
require('../dist/src/runner/app-runner.js').run(process.argv.slice(2));
