#!/usr/bin/env node
// The tsmedia command: wires the process (argv, streams, environment, signals) to the shell,
// closes the worker pool (it belongs to the process, not to one command line), and exits with the
// shell's code once stdout and stderr have drained. The signal handlers go in before the library
// loads, so Ctrl+C during start-up is handled too.

const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  if (signal === 'SIGINT' && ++interrupts > 1) process.exit(130); // a second Ctrl+C: leave at once
  if (!controller.signal.aborted) {
    if (signal === 'SIGINT' && process.stderr.isTTY) process.stderr.write('\r\x1b[KStopping; press Ctrl+C again to quit at once.\n');
    controller.abort(signal);
  }
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// a closed pipe (tsmedia ... | head) is not an error worth a stack
process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); });

const { cmdletsFor } = await import('../lib/cmdlets/families.js');
// a plain cmdlet name first: only its family loads (a script, -help or a typo loads them all)
const cmdlets = [...await cmdletsFor(process.argv[2])];
const { runCommandLine } = await import('../lib/shell/run-command-line.js');
const { closePool } = await import('../lib/pool/pool.js');
const code = await runCommandLine(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
}, cmdlets).finally(closePool);

const drained = (s: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => { s.write('', () => resolve()); });
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
