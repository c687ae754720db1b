#!/usr/bin/env node
// Runs AVA with its TAP reporter, echoes the TAP, and ends with one plain line
// "N passed, N failed, N skipped": AVA's own closing lines are not in that form.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// ava's CLI entry is not in its package exports, so it is named by path.
const avaCli = fileURLToPath(new URL('../node_modules/ava/entrypoints/cli.mjs', import.meta.url));
const child = spawn(process.execPath, [avaCli, '--tap', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
let passed = 0;
let failed = 0;
let skipped = 0;
createInterface({ input: child.stdout }).on('line', (line) => {
  process.stdout.write(line + '\n');
  const m = /^(not ok|ok) \d+( - .*)?$/.exec(line);
  if (!m) return;
  if (/ # (TODO|SKIP)\b/.test(line)) skipped++;
  else if (m[1] === 'ok') passed++;
  else failed++;
});
const code = await new Promise((resolve) => child.on('close', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
if (code !== 0 && failed === 0) failed = 1; // AVA failed outside any test (bad config, crash before TAP)
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code);
