// The `webgrad` program: one commander program to which each command module adds
// its command: train, evaluate, predict, train-lm, generate, bench and info (and a
// hidden bench-lm that says where its figures went).

import { Command } from 'commander';
import { benchCommand } from './bench.js';
import { evaluateCommand } from './evaluate.js';
import { infoCommand } from './info.js';
import { predictCommand } from './predict.js';
import { trainCommand } from './train.js';
import { trainLmCommand } from './train-lm.js';
import { generateCommand } from './generate.js';
import { benchLmMoved } from './moved.js';

/** Set by the build (scripts/build.mjs) from package.json. */
declare const WEBGRAD_VERSION: string | undefined;

/** Every command, in the order --help lists them. */
export const COMMANDS: readonly (() => Command)[] = [trainCommand, evaluateCommand, predictCommand, trainLmCommand, generateCommand, benchCommand, infoCommand];

export function createProgram(): Command {
  const program = new Command('webgrad')
    .description('Train, evaluate and run neural networks on tabular data with webgrad (WebGPU, WebAssembly SIMD or plain JS).')
    .version(typeof WEBGRAD_VERSION === 'string' ? WEBGRAD_VERSION : '0.0.0-dev')
    .showHelpAfterError("(run 'webgrad --help' for usage)")
    .addHelpText('after', `
Examples:
  webgrad train examples/data/iris.csv --target species --out iris-model
  webgrad train examples/data/digits.csv --target label --backend all
  webgrad evaluate iris-model examples/data/iris.csv
  webgrad predict iris-model new-flowers.csv --output predictions.csv
  webgrad train-lm examples/data/tinyshakespeare.txt --steps 300 --epochs 3 --out shakespeare-model
  webgrad generate shakespeare-model --prompt "ROMEO:" --max-new-tokens 300
  webgrad bench --quick
  webgrad bench --ops gpt --backends wasm,cpu
  webgrad info`);
  // addCommand does not pass settings down: each command gets the hint itself.
  for (const make of COMMANDS) {
    // read before parsing by cli.ts (quiet-native.ts); declared here so commander accepts it and --help lists it
    const command = make().option('--verbose', "show the GPU driver's native warnings (Dawn: missing Vulkan, reduced limits) on stderr");
    program.addCommand(command.showHelpAfterError(`(run 'webgrad ${command.name()} --help' for usage)`));
  }
  program.addCommand(benchLmMoved(), { hidden: true });
  return program;
}
