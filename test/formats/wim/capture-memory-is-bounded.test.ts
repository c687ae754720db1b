// Test: capture streams. The peak memory (RSS) of a process capturing a 256 MiB file is within a
// fixed margin of one capturing a 16 MiB file, uncompressed and XPRESS: no whole-file buffering,
// so a 10 GiB capture needs no more than a small one. Sparse sources, output on tmpfs when there
// is one, so the test costs CPU seconds, not disk.
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, truncate, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';

const CAPTURE = fileURLToPath(new URL('../../../lib/formats/wim/capture.js', import.meta.url));
const POOL = fileURLToPath(new URL('../../../lib/pool/pool.js', import.meta.url));
const MiB = 1 << 20;

/** Peak RSS in MiB of a fresh process that captures `src` into `out`. */
async function peakRss(src: string, out: string, kind: string): Promise<number> {
  const script = `import { captureWim } from ${JSON.stringify(CAPTURE)};
    import { closePool } from ${JSON.stringify(POOL)};
    await captureWim(${JSON.stringify(out)}, [{ source: ${JSON.stringify(src)} }], { compression: ${JSON.stringify(kind)}, now: new Date(0) });
    await closePool();
    console.log(process.resourceUsage().maxRSS);`;
  const r = await run(process.execPath, ['--input-type=module', '-e', script], { timeoutMs: 90_000 });
  if (r.code !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim()) / 1024;
}

for (const [kind, margin] of [['none', 32], ['xpress', 128]] as const) {
  test(`capture ${kind}: a 256 MiB file takes no more memory than a 16 MiB one, within ${margin} MiB`, async (t) => {
    t.timeout(120_000);
    const dir = await tempDir(t, 'tsm-wim-');
    const outDir = existsSync('/dev/shm') ? await mkdtemp('/dev/shm/tsm-wim-') : join(dir, 'out');
    t.teardown(() => rm(outDir, { recursive: true, force: true }));
    await mkdir(outDir, { recursive: true });
    const peaks: number[] = [];
    for (const size of [16 * MiB, 256 * MiB]) {
      const src = join(dir, `src-${size}`);
      await mkdir(src);
      // a sparse file with a little real data at each end, so it is not a single repeated chunk
      await writeFile(join(src, 'big.bin'), Buffer.from('start of a large file\n'));
      await truncate(join(src, 'big.bin'), size);
      await writeFile(join(src, 'small.txt'), 'small\n');
      peaks.push(await peakRss(src, join(outDir, `${size}.wim`), kind));
      await rm(join(outDir, `${size}.wim`));
    }
    const [small, big] = peaks as [number, number];
    t.log(`peak RSS ${small.toFixed(0)} MiB for 16 MiB, ${big.toFixed(0)} MiB for 256 MiB`);
    t.true(big - small < margin, `peak RSS grew from ${small.toFixed(0)} to ${big.toFixed(0)} MiB`);
  });
}
