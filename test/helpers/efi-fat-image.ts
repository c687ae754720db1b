// A FAT image holding EFI/BOOT/BOOTX64.EFI, as Windows' efisys.bin holds bootmgfw: made with
// mkfs.fat and mcopy (tools none of us wrote), for the El Torito UEFI entry.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './run.js';

export async function efiFatImage(dir: string, app: Buffer): Promise<string> {
  const img = join(dir, 'efisys.bin');
  const appFile = join(dir, 'BOOTX64.EFI');
  await writeFile(appFile, app);
  for (const [cmd, args] of [
    ['mkfs.fat', ['-C', '-n', 'EFISYS', img, '1440']],
    ['mmd', ['-i', img, '::/EFI', '::/EFI/BOOT']],
    ['mcopy', ['-i', img, appFile, '::/EFI/BOOT/BOOTX64.EFI']],
  ] as const) {
    const r = await run(cmd, args);
    if (r.code !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  }
  return img;
}
