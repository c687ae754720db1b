// Splits WIM files too big for FAT32 into .swm parts, for USB media: install.wim becomes
// install.swm, install2.swm, ... each under FAT32's 4 GiB file limit (as ConfigMgr and
// OSDBuilder do for USB sticks). Parts are written into a caller-owned temporary folder.
import { mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TsmediaError } from '../../errors.js';
import { MAX_FILE_SIZE } from '../disk/dir-entry.js';
import type { SplitWimHook } from '../disk/usb-writer.js';
import { openWim } from './reader.js';
import { splitWim } from './split.js';

/** A split hook for the USB writer; parts land in tempDir, which the caller removes afterwards. */
export function wimSplitterInto(tempDir: string, maxPartBytes: number = MAX_FILE_SIZE): SplitWimHook {
  return async (file) => {
    mkdirSync(tempDir, { recursive: true });
    const wim = openWim(file.sourcePath);
    let parts: string[];
    try {
      const first = join(tempDir, basename(file.path).replace(/\.wim$/i, '.swm'));
      parts = splitWim(wim, first, maxPartBytes);
    } finally {
      wim.close();
    }
    return parts.map((p) => {
      const size = statSync(p).size;
      if (size > maxPartBytes) {
        throw new TsmediaError('EWIM_BLOB_TOO_BIG', `${file.path} holds a single file of more than ${maxPartBytes} bytes, which no .swm part can hold under FAT32's limit; use an ISO (UDF) instead.`, { path: file.path });
      }
      return { name: basename(p), sourcePath: p, size };
    });
  };
}
