// New-TSIsoImage: a folder becomes a bootable ISO 9660 + Joliet + UDF 1.02 image (or a set).
// Get-TSIsoImage: what an image holds (label, boot entries, trees, files), read without trust.
import type { CmdletSpec, CmdletContext } from '../shell/types.js';
import { resolve } from 'node:path';
import { buildIsoImages } from '../formats/iso/build-image.js';
import { parseVolumeSize } from '../formats/iso/volume-set.js';
import { readIsoImage, type BootEntry } from '../formats/iso/iso-reader.js';

type NewIsoParams = {
  SourcePath: string;
  Path: string;
  VolumeLabel?: string;
  BiosBootFile?: string;
  UefiBootFile?: string;
  BiosLoadSectors?: number;
  BootInfoTable?: boolean;
  NoUdf?: boolean;
  DeduplicateFiles?: boolean;
  MaxVolumeSize?: string;
};

export const newIsoImage: CmdletSpec<NewIsoParams> = {
  name: 'New-TSIsoImage',
  synopsis: 'Creates an ISO image (ISO 9660 + Joliet + UDF 1.02, El Torito BIOS and UEFI) from a folder.',
  description: 'Every timestamp in the image is the command\'s clock (SOURCE_DATE_EPOCH when set), names are sorted, so the same folder gives the same bytes. '
    + 'Files of 4 GiB and more are stored whole (ISO 9660 multi-extent records and UDF). With -MaxVolumeSize the content is spread over OUT.iso, OUT-2.iso, ... '
    + 'with the boot files on volume 1; no file is split.',
  parameters: [
    { name: 'SourcePath', type: 'string', mandatory: true, position: 0, help: 'The folder whose content becomes the image root.' },
    { name: 'Path', type: 'string', mandatory: true, position: 1, help: 'The image to write (volume 1 of a set).' },
    { name: 'VolumeLabel', type: 'string', help: 'Volume label, up to 32 characters (default TSMEDIA).' },
    { name: 'BiosBootFile', type: 'string', help: 'A file in the folder (e.g. boot/etfsboot.com) for the El Torito BIOS no-emulation entry.' },
    { name: 'UefiBootFile', type: 'string', help: 'A FAT image in the folder (e.g. efi/microsoft/boot/efisys.bin) for the UEFI (0xEF) entry.' },
    { name: 'BiosLoadSectors', type: 'int', help: '512-byte sectors the BIOS loads from the boot file (default 4, as oscdimg).' },
    { name: 'BootInfoTable', type: 'switch', help: 'Patch a boot info table into the BIOS boot file (isolinux wants one; etfsboot.com does not).' },
    { name: 'NoUdf', type: 'switch', help: 'Write ISO 9660 + Joliet only (files of 4 GiB or more are still stored as multi-extent).' },
    { name: 'DeduplicateFiles', type: 'switch', help: 'Store files with identical content once (as oscdimg -o; files of equal size are hashed). Hard links are always stored once.' },
    { name: 'MaxVolumeSize', type: 'string', help: 'Largest image: 650MB, 700MB, 4.7GB, 8.5GB (disc capacities) or bytes (KB/MB/GB binary suffixes).' },
  ],
  examples: [
    { code: 'New-TSIsoImage -SourcePath .\\media -Path media.iso -VolumeLabel TSMEDIA -BiosBootFile boot/etfsboot.com -UefiBootFile efi/microsoft/boot/efisys.bin', remarks: 'A bootable DVD image.' },
    { code: 'New-TSIsoImage .\\standalone set.iso -MaxVolumeSize 4.7GB -BiosBootFile boot/etfsboot.com', remarks: 'A DVD set: set.iso, set-2.iso, ...' },
  ],
  defaultView: ['Path', 'Volume', 'Files', 'ImageBytes', 'Bootable'],
  async run(p: NewIsoParams, ctx: CmdletContext) {
    const path = resolve(p.Path);
    if (!ctx.shouldProcess(path, 'Create ISO image')) return undefined;
    // the bar is made at the first report, when the planned size (its total) is known
    let bar: ReturnType<CmdletContext['progress']> | undefined;
    try {
      const vols = await buildIsoImages({
        sourcePath: resolve(p.SourcePath), path, label: p.VolumeLabel ?? 'TSMEDIA', date: ctx.now(),
        biosBootFile: p.BiosBootFile, uefiBootFile: p.UefiBootFile, biosLoadSectors: p.BiosLoadSectors,
        bootInfoTable: p.BootInfoTable ?? false, udf: !(p.NoUdf ?? false), deduplicate: p.DeduplicateFiles ?? false,
        maxVolumeBytes: p.MaxVolumeSize === undefined ? undefined : parseVolumeSize(p.MaxVolumeSize),
        signal: ctx.signal, onProgress: (done, total) => { bar ??= ctx.progress('Writing ISO image', total); bar.update(done); },
      });
      for (const v of vols) ctx.verbose(`wrote ${v.path}: ${v.files} files, ${v.imageBytes} bytes`);
      return vols.map((v) => ({ Path: v.path, Volume: v.volume, VolumeCount: v.volumeCount, Label: p.VolumeLabel ?? 'TSMEDIA', Files: v.files, FileBytes: v.fileBytes, ImageBytes: v.imageBytes, Bootable: v.bootable }));
    } finally {
      bar?.done();
    }
  },
};

type GetIsoParams = { Path: string; FileSystem?: string; ListFiles?: boolean };

function describeBoot(e: BootEntry): string {
  return `${e.platform === 'other' ? `platform 0x${e.platformId.toString(16)}` : e.platform.toUpperCase()} ${e.kind}${e.bootable ? '' : ' (not bootable)'}, ${e.loadSize} sectors at LBA ${e.lba}`;
}

export const getIsoImage: CmdletSpec<GetIsoParams> = {
  name: 'Get-TSIsoImage',
  synopsis: 'Shows what an ISO image holds: label, volume set, El Torito boot entries, file systems, files.',
  description: 'Reads the Joliet tree when there is one, else ISO 9660; -FileSystem Udf reads the UDF bridge (where files of 4 GiB and more always have their true size). A damaged image is an error, never a crash.',
  parameters: [
    { name: 'Path', type: 'string', mandatory: true, position: 0, help: 'The ISO image.' },
    { name: 'FileSystem', type: 'string', validateSet: ['Auto', 'Joliet', 'Iso9660', 'Udf'], help: 'Which tree to list (default Auto: Joliet, else ISO 9660).' },
    { name: 'ListFiles', type: 'switch', help: 'One object per file (Path, Size) instead of the summary.' },
  ],
  examples: [
    { code: 'Get-TSIsoImage media.iso', remarks: 'Label, boot entries and totals.' },
    { code: 'Get-TSIsoImage media.iso -FileSystem Udf -ListFiles', remarks: 'Every file as the UDF bridge records it.' },
  ],
  defaultView: ['Label', 'FileSystem', 'Files', 'Bytes', 'BootEntries'],
  async run(p: GetIsoParams) {
    const fs = (p.FileSystem ?? 'Auto').toLowerCase() as 'auto' | 'joliet' | 'iso9660' | 'udf';
    const img = await readIsoImage(resolve(p.Path), { fileSystem: fs });
    try {
      if (p.ListFiles) return img.files.map((f) => ({ Path: f.path, Size: f.size }));
      return {
        Path: resolve(p.Path), Label: img.label, VolumeSet: img.volumeSetInfo.id, FileSystem: img.fileSystem,
        HasJoliet: img.hasJoliet, HasUdf: img.hasUdf, Sectors: img.totalSectors,
        Files: img.files.length, Directories: img.directories.length, Bytes: img.files.reduce((s, f) => s + f.size, 0),
        BootEntries: img.bootEntries.map(describeBoot).join('; '),
      };
    } finally {
      await img.close();
    }
  },
};

export const isoImageCmdlets = [newIsoImage, getIsoImage];
