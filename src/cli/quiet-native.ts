// Dawn (the `webgpu` package behind the webgpu backend in Node) prints warnings from
// native code straight to file descriptor 2: "Couldn't load Vulkan" on a machine
// without a driver, "... artificially reduced ..." limits, each with a C++ source
// location. They say nothing a user of the CLI can act on. Node cannot redirect fd 2
// in-process, so the CLI runs itself as a child whose stderr it reads, dropping those
// blocks and passing everything else through unchanged (progress bars included: the
// child is told the terminal's width and that it is a terminal). `--verbose` (or
// WEBGRAD_VERBOSE=1) runs in-process and shows them.

import { spawn } from 'node:child_process';

const CHILD = 'WEBGRAD_CLI_CHILD';
const TTY_COLUMNS = 'WEBGRAD_CLI_STDERR_COLUMNS';

/** A line Dawn starts a warning with, and the source-location lines that follow it. */
const WARNING = /^Warning: /;
const LOCATION = /^\s+at .*\.(cpp|cc|h):\d+\)?\s*$/;

/** Removes Dawn's warning blocks from a stream of stderr text, line by line. */
export class NativeWarningFilter {
  private tail = '';
  private dropping = false;

  constructor(private readonly write: (text: string) => void) {}

  push(chunk: string): void {
    const lines = (this.tail + chunk).split('\n');
    this.tail = lines.pop()!;
    for (const line of lines) this.line(line, true);
    // A partial line that cannot begin a warning goes out at once (a progress bar redraws with \r, not \n).
    if (this.tail !== '' && !this.mayStartWarning(this.tail)) {
      this.line(this.tail, false);
      this.tail = '';
    }
  }

  end(): void {
    if (this.tail !== '') this.line(this.tail, false);
    this.tail = '';
  }

  private mayStartWarning(partial: string): boolean {
    // within a dropped block, also what may become its location line or its closing blank line
    return 'Warning: '.startsWith(partial) || WARNING.test(partial) || (this.dropping && /^( *| +a| +at( .*)?)$/.test(partial));
  }

  private line(line: string, complete: boolean): void {
    if (WARNING.test(line)) {
      this.dropping = true;
      return;
    }
    // the location lines of a dropped warning, and the blank line Dawn ends a block with
    if (this.dropping && (LOCATION.test(line) || line.trim() === '')) return;
    this.dropping = false;
    this.write(complete ? `${line}\n` : line);
  }
}

/** Whether this process should hand the command to a quiet child (and wait for it). */
export function wantsQuietChild(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (env[CHILD] === '1' || env.WEBGRAD_VERBOSE === '1') return false;
  return !argv.includes('--verbose');
}

/** Runs this CLI again as a child with stderr filtered; resolves with its exit code. */
export function runQuietChild(): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, [CHILD]: '1' };
  if (process.stderr.isTTY) env[TTY_COLUMNS] = String(process.stderr.columns ?? 80);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: ['inherit', 'inherit', 'pipe'], env });
  const filter = new NativeWarningFilter((text) => process.stderr.write(text));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => filter.push(chunk));
  // Signals go to the child, and the parent waits for it to end (Ctrl-C reaches both through the process group).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      filter.end();
      resolve(code ?? (signal ? 128 + 2 : 1));
    });
    child.on('error', (error) => {
      process.stderr.write(`webgrad: could not start: ${error.message}\n`);
      resolve(1);
    });
  });
}

/** In the child: stderr is a pipe to the parent, but the parent's is a terminal; say so to the progress bars. */
export function restoreTerminal(env: NodeJS.ProcessEnv): void {
  const columns = env[TTY_COLUMNS];
  if (env[CHILD] !== '1' || columns === undefined) return;
  const stderr = process.stderr as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  stderr.isTTY = true;
  stderr.columns = Number(columns) || 80;
}
