// New-TSIsoImage: a folder becomes a bootable ISO 9660 + Joliet + UDF 1.02 image (or a set).
import type { CmdletSpec, CmdletContext } from '../shell/types.js';
import { resolve } from 'node:path';
import { buildIsoImages } from '../formats/iso/build-image.js';
import { parseVolumeSize } from '../formats/iso/volume-set.js';

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


export const isoImageCmdlets = [newIsoImage];
