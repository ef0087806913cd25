#!/usr/bin/env node
// Runs the TypeScript CLI directly, so `npx muster` always matches the source.
require('tsx/cjs');
require('../client/cli.ts').main(process.argv);
