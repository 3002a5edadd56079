#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'electron', 'cli.cjs');
if (!existsSync(cli)) {
  process.stderr.write('kliv: not built yet: run `npm run build` in the Kliv folder first\n');
  process.exit(1);
}
require(cli).main(process.argv.slice(2)).then((code) => { if (code !== 0) process.exitCode = code; });
