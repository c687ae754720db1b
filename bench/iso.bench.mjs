// npm run bench entry for issue 4's ISO benchmark: bench/iso.mjs on the shared corpus, against
// xorriso -as mkisofs and genisoimage -udf, BENCH_RUNS reps.
import { corpus } from './common.mjs';

process.argv[2] ??= corpus();
await import('./iso.mjs');
