// npm run bench entry for issue 3: bench/wim-capture.mjs on the shared corpus, capture with None,
// Fast (XPRESS) and Max (LZX) against wimlib-imagex --threads=2, and apply against wimlib apply.
// BENCH_WIM_KINDS=none,xpress limits the kinds; BENCH_LZX_RUNS sets LZX's runs (default BENCH_RUNS).
import { corpus } from './common.mjs';

process.argv.push(`--corpus=${corpus()}`, `--compress=${process.env.BENCH_WIM_KINDS || 'none,xpress,lzx'}`);
await import('./wim-capture.mjs');
