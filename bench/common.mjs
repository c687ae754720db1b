// Shared benchmark helpers: the corpus, timing a command with its peak memory, medians, ratios.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const TSMEDIA = join(ROOT, 'dist', 'bin', 'tsmedia.js');
export const RUNS = Number(process.env.BENCH_RUNS || 3);

/** The benchmark corpus (../shared/bench/make-corpus.sh), made once if missing. */
export function corpus() {
  const dir = process.env.BENCH_CORPUS || '/tmp/corpus';
  if (!existsSync(dir)) {
    const script = join(ROOT, '..', 'shared', 'bench', 'make-corpus.sh');
    if (!existsSync(script)) throw new Error(`No corpus at ${dir} and no ${script} to make one; set BENCH_CORPUS`);
    process.stderr.write(`making the corpus at ${dir}...\n`);
    const r = spawnSync('bash', [script, dir], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('make-corpus.sh failed');
  }
  return dir;
}

/** Runs a command under GNU time: wall seconds and peak RSS in MB. Throws on failure. */
export function timed(cmd, args, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tsm-bench-'));
  try {
    const out = join(dir, 'time');
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', out, cmd, ...args], { stdio: ['ignore', opts.stdout ?? 'ignore', 'pipe'], env: { ...process.env, ...opts.env }, cwd: opts.cwd, maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString().slice(-2000)}`);
    const [seconds, kb] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
    return { seconds, rssMB: kb / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs prepare() then the measured function RUNS times; returns the median run. */
export function median(measure, prepare = () => {}) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    prepare();
    runs.push(measure());
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  return { ...runs[Math.floor(runs.length / 2)], peakRssMB: Math.max(...runs.map((r) => r.rssMB ?? 0)) };
}

export function row(name, ours, theirs, target) {
  const ratio = ours.seconds / theirs.seconds;
  const verdict = target === undefined ? '' : ratio <= target ? 'ok' : 'OVER TARGET';
  return `${name.padEnd(52)} ${ours.seconds.toFixed(2).padStart(7)} s vs ${theirs.seconds.toFixed(2).padStart(7)} s  ratio ${ratio.toFixed(2)}${target !== undefined ? ` (target ≤ ${target})` : ''} ${verdict}`;
}

export function freshDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A stand-in WinPE tree under dir: the boot files where a boot.wim keeps them (placeholders). */
export function standInWinPe(dir) {
  for (const f of ['PCAT/bootmgr', 'EFI/bootmgr.efi', 'EFI/bootmgfw.efi', 'DVD/PCAT/BCD', 'DVD/PCAT/boot.sdi', 'DVD/PCAT/etfsboot.com', 'DVD/EFI/BCD', 'DVD/EFI/en-US/efisys.bin']) {
    const p = join(dir, 'Windows', 'Boot', ...f.split('/'));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, Buffer.alloc(2048, f.length));
  }
  return dir;
}

/** True when no two names under dir differ only in case: Windows media cannot hold such names. */
export function caseSafe(dir) {
  return spawnSync('sh', ['-c', `find "${dir}" | tr A-Z a-z | sort | uniq -d | head -1`], { encoding: 'utf8' }).stdout.trim() === '';
}

/** Runs one tsmedia command with env added; returns its JSON result (undefined when it prints none). */
export function tsmediaJson(env, ...argv) {
  const r = spawnSync(process.execPath, [TSMEDIA, ...argv, '-OutputFormat', 'Json'], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`tsmedia ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
}
