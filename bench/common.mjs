// Shared benchmark helpers: the corpus, timing a command with its peak memory, medians, ratios.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
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

/** Runs a command under GNU time: wall seconds, CPU seconds (user + system) and peak RSS in MB. Throws on failure. */
export function timed(cmd, args, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tsm-bench-'));
  try {
    const out = join(dir, 'time');
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', out, cmd, ...args], { stdio: ['ignore', opts.stdout ?? 'ignore', 'pipe'], env: { ...process.env, ...opts.env }, cwd: opts.cwd, maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString().slice(-2000)}`);
    const [seconds, kb, user, sys] = readFileSync(out, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
    return { seconds, rssMB: kb / 1024, cpuSeconds: user + sys };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs prepare() then the measured function RUNS times; returns the median run. */
export function median(measure, prepare = () => {}, runs = RUNS) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    prepare();
    all.push(measure());
  }
  return medianRun(all);
}

/** The median of timed runs by wall time, with the peak RSS of all of them. */
export function medianRun(runs) {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[Math.floor(sorted.length / 2)], peakRssMB: Math.max(...runs.map((r) => r.rssMB ?? 0)) };
}

/** "ok" when value ≤ target, else "OVER TARGET": the verdict every benchmark line ends with. */
export function verdict(value, target) {
  return value <= target ? 'ok' : 'OVER TARGET';
}

export function row(name, ours, theirs, target) {
  const ratio = ours.seconds / theirs.seconds;
  const judged = target === undefined ? '' : ` (target ≤ ${target}) ${verdict(ratio, target)}`;
  const cpu = ours.cpuSeconds !== undefined && theirs.cpuSeconds !== undefined ? `  cpu ${ours.cpuSeconds.toFixed(2)} vs ${theirs.cpuSeconds.toFixed(2)} s` : '';
  return `${name.padEnd(52)} ${ours.seconds.toFixed(2).padStart(7)} s vs ${theirs.seconds.toFixed(2).padStart(7)} s  ratio ${ratio.toFixed(2)}${judged}${cpu}`;
}

/** A size ratio line: ours ÷ theirs in bytes. */
export function sizeRow(name, ours, theirs, target) {
  const ratio = ours / theirs;
  const judged = target === undefined ? '' : ` (target ≤ ${target}) ${verdict(ratio, target)}`;
  return `${name.padEnd(52)} ${ours} B vs ${theirs} B  ratio ${ratio.toFixed(3)}${judged}`;
}

/** A peak memory line (MB). */
export function peakRow(name, mb, target) {
  return `${name.padEnd(52)} peak ${mb.toFixed(0)} MB (target ≤ ${target} MB) ${verdict(mb, target)}`;
}

/** The load average now: the machine is shared, so every benchmark says how busy it was. */
export function loadLine() {
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`;
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
