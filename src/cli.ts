#!/usr/bin/env node
// `webgrad` on the command line; the commands live in src/cli/ and use only the public API.
// This launcher loads nothing of the library: Dawn's native warnings go to fd 2, so
// unless --verbose the program (dist/cli-main.js) runs in a child whose stderr is
// filtered (cli/quiet-native.ts); with --verbose it runs here.

import { runQuietChild, wantsQuietChild } from './cli/quiet-native.js';

if (wantsQuietChild(process.argv, process.env)) {
  process.exitCode = await runQuietChild();
} else {
  // a computed specifier: the program is its own bundle (scripts/build.mjs), loaded only here
  const program = './cli-main.js';
  await import(program);
}
