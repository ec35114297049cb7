#!/usr/bin/env node
// `webgrad` on the command line; the commands live in src/cli/ and use only the public API.

import { createProgram } from './cli/program.js';
import { restoreTerminal, runQuietChild, wantsQuietChild } from './cli/quiet-native.js';
import { enableRelaxedSimd } from './cli/relaxed-simd.js';

// Dawn's native warnings go to fd 2: unless --verbose, run in a child whose stderr is filtered (cli/quiet-native.ts).
if (wantsQuietChild(process.argv, process.env)) {
  process.exitCode = await runQuietChild();
} else {
  restoreTerminal(process.env);
  // A reader that stops early (`webgrad predict ... | head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

  enableRelaxedSimd();
  await createProgram().parseAsync(process.argv);
}
