#!/usr/bin/env node
// `webgrad` on the command line; the commands live in src/cli/ and use only the public API.

import { createProgram } from './cli/program.js';
import { enableRelaxedSimd } from './cli/relaxed-simd.js';

// A reader that stops early (`webgrad predict ... | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

enableRelaxedSimd();
await createProgram().parseAsync(process.argv);
