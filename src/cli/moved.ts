// Commands that were folded into others: typing one says where its figures went
// instead of commander's bare "unknown command". Hidden from --help.

import { Command } from 'commander';

/** `webgrad bench-lm` (GPT tokens/s) became the GPT workloads of `webgrad bench`. */
export function benchLmMoved(): Command {
  return new Command('bench-lm')
    .description('moved: the GPT figures are in webgrad bench')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(() => {
      process.stderr.write(
        'webgrad bench-lm: the GPT figures are now part of `webgrad bench`: run `webgrad bench --ops gpt` for GPT training and\n' +
          'generation tokens/s on each backend (with the model config and TF.js beside them), `--ops models` for the CNN, MLP fit\n' +
          'and seed example too, `--backends wasm,cpu` to choose backends, `--quick` for a short run.\n',
      );
      process.exitCode = 1;
    });
}
