// npm run bench entry for the USB image benchmark: bench/usb.mjs on the shared corpus.
import { corpus } from './common.mjs';

process.argv[2] ??= corpus();
await import('./usb.mjs');
