// The `webgrad` program itself, run in-process by the launcher (src/cli.ts) with
// --verbose, and otherwise in the quiet child it starts (quiet-native.ts).

import { createProgram } from './program.js';
import { restoreTerminal } from './quiet-native.js';
import { enableRelaxedSimd } from './relaxed-simd.js';

restoreTerminal(process.env);
// A reader that stops early (`webgrad predict ... | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

enableRelaxedSimd();
await createProgram().parseAsync(process.argv);
