// Boots an image under qemu (software emulation, TCG) and waits for a marker line on the serial
// port. The test boot programs end by writing to isa-debug-exit or resetting, so qemu exits on
// its own; the timeout only guards a hang.
import { readFile, mkdtemp, rm, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './run.js';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS.fd';

export interface BootResult { exitCode: number; serial: string; sawMarker: boolean }

/** media: the qemu arguments that attach the image, e.g. ['-cdrom', iso, '-boot', 'd']. */
export async function bootAndWatch(media: readonly string[], marker: string, opts: { uefi?: boolean; timeoutMs?: number } = {}): Promise<BootResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tsm-qemu-'));
  try {
    const log = join(dir, 'serial.log');
    const args = ['-accel', 'tcg', '-m', '256', '-display', 'none', '-monitor', 'none', '-no-reboot',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-serial', `file:${log}`];
    if (opts.uefi) {
      const vars = join(dir, 'vars.fd');
      await copyFile(OVMF_VARS, vars);
      args.push('-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${vars}`);
    }
    const r = await run('qemu-system-x86_64', [...args, ...media], { timeoutMs: opts.timeoutMs ?? 90_000 });
    const serial = (await readFile(log).catch(() => Buffer.alloc(0))).toString('latin1');
    return { exitCode: r.code, serial, sawMarker: serial.includes(marker) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
