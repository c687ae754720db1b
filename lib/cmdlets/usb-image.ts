// New-TSUsbImage: a bootable USB disk image (MBR + one FAT32 partition, our own boot code) from a
// folder, or the same written to a removable drive. Thin: binds, calls lib/formats/disk, returns
// one object.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CmdletSpec, BoundParameters } from '../shell/types.js';
import { UsageError } from '../errors.js';
import { writeUsbImage, type SplitWimHook } from '../formats/disk/usb-writer.js';
import { wimSplitterInto } from '../formats/wim/split-for-fat32.js';

const MIB = 1024 * 1024;

interface NewUsbImageParams extends BoundParameters {
  SourcePath: string;
  Path: string;
  SizeMB?: number;
  VolumeLabel?: string;
  Force?: boolean;
}

/**
 * The cmdlet. WIM files over FAT32's 4 GiB limit are split into .swm parts by `splitWimIn(tempDir)`
 * (the WIM engine's split by default), in a temporary folder removed afterwards.
 */
export function newUsbImageCmdlet(splitWimIn: (tempDir: string) => SplitWimHook = wimSplitterInto): CmdletSpec<NewUsbImageParams> {
  return {
    name: 'New-TSUsbImage',
    synopsis: 'Creates a bootable USB disk image (MBR, FAT32, BIOS and UEFI boot) from a folder.',
    description: 'Writes a raw disk image: an MBR with one active FAT32 (LBA) partition at 1 MiB, tsmedia\'s own '
      + 'MBR and FAT32 boot code (BIOS: loads \\bootmgr; UEFI: \\EFI\\BOOT\\BOOTX64.EFI), long names, and the '
      + 'folder\'s files. Without -SizeMB the image is the smallest that holds the folder. The same tree and '
      + 'date give the same bytes. -Path /dev/sdX writes to a removable drive (with -Force).',
    parameters: [
      { name: 'SourcePath', type: 'string', mandatory: true, position: 0, help: 'The folder to put on the image.' },
      { name: 'Path', type: 'string', mandatory: true, position: 1, help: 'The image file to write, or /dev/sdX for a removable drive.' },
      { name: 'SizeMB', type: 'int', help: 'Image size in MiB (at least 34); the smallest that holds the folder when left out (the whole drive for a device).' },
      { name: 'VolumeLabel', type: 'string', help: 'FAT volume label, up to 11 characters (TSMEDIA by default).' },
      { name: 'Force', type: 'switch', help: 'Replace an existing image file; required to write to a device.' },
    ],
    examples: [
      { code: 'New-TSUsbImage -SourcePath ./media -Path ./usb.img', remarks: 'A USB image just large enough for ./media.' },
      { code: 'New-TSUsbImage ./media /dev/sdb -Force -VolumeLabel WINPE', remarks: 'Writes the media to the removable drive /dev/sdb.' },
    ],
    defaultView: ['Path', 'SizeMB', 'Files', 'ClusterSize', 'VolumeLabel', 'VolumeSerial'],
    async run(params, ctx) {
      const source = resolve(params.SourcePath);
      const out = resolve(params.Path);
      if (params.SizeMB !== undefined && (!Number.isInteger(params.SizeMB) || params.SizeMB <= 0)) {
        throw new UsageError('EUSB_SIZE', `-SizeMB ${params.SizeMB} is not a positive whole number of MiB`);
      }
      if (!ctx.shouldProcess(out, 'Create USB image')) return undefined;
      const progress = ctx.progress(`New-TSUsbImage ${out}`);
      const splitDir = await mkdtemp(join(tmpdir(), 'tsmedia-swm-'));
      try {
        const r = await writeUsbImage({
          sourcePath: source,
          outPath: out,
          date: ctx.now(),
          force: params.Force === true,
          signal: ctx.signal,
          onProgress: (done) => progress.update(done),
          ...(params.SizeMB !== undefined ? { sizeBytes: params.SizeMB * MIB } : {}),
          ...(params.VolumeLabel !== undefined ? { label: params.VolumeLabel } : {}),
          splitWim: splitWimIn(splitDir),
        });
        ctx.verbose(`${r.files} files, ${r.directories} folders, ${r.dataBytes} bytes of data, ${r.clusterSize}-byte clusters`);
        const serial = r.volumeId.toString(16).toUpperCase().padStart(8, '0');
        return {
          Path: r.path,
          Device: r.device,
          SizeMB: r.imageBytes / MIB,
          Files: r.files,
          Directories: r.directories,
          DataBytes: r.dataBytes,
          ClusterSize: r.clusterSize,
          VolumeLabel: r.label,
          VolumeSerial: `${serial.slice(0, 4)}-${serial.slice(4)}`,
        };
      } finally {
        progress.done();
        await rm(splitDir, { recursive: true, force: true });
      }
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const usbImageCmdlets: CmdletSpec<any>[] = [newUsbImageCmdlet()];
