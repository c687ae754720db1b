// Get-TSMediaImage: what an ISO or USB image holds (label, boot entries, files), read without trust.
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TsmediaError } from '../errors.js';
import { readIsoImage } from '../formats/iso/iso-reader.js';
import type { BootEntry } from '../formats/iso/iso-reader.js';
import { readUsbImage } from '../formats/disk/usb-reader.js';
import type { CmdletSpec } from '../shell/types.js';

type MediaImageKind = 'Iso' | 'Usb';

const ISO_SIGNATURE_OFFSET = 16 * 2048 + 1; // "CD001" in the first volume descriptor
const BOOT_SIGNATURE_OFFSET = 510;          // 55 AA closes an MBR and a FAT boot sector

/** Tells an ISO image from a USB (MBR or bare FAT32) image by their signatures. */
export async function detectImageKind(path: string): Promise<MediaImageKind> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    throw new TsmediaError('EIMAGE_MISSING', `Cannot open '${path}'; give the path of an .iso or .img file.`, { path });
  }
  try {
    const iso = Buffer.alloc(5);
    const sector0 = Buffer.alloc(512);
    await fh.read(iso, 0, 5, ISO_SIGNATURE_OFFSET);
    await fh.read(sector0, 0, 512, 0);
    if (iso.toString('latin1') === 'CD001') return 'Iso';
    if (sector0[BOOT_SIGNATURE_OFFSET] === 0x55 && sector0[BOOT_SIGNATURE_OFFSET + 1] === 0xaa) return 'Usb';
    throw new TsmediaError('ENOT_MEDIA_IMAGE', `'${path}' is neither an ISO image (no CD001 volume descriptor) nor a USB image (no MBR or FAT boot sector).`, { path });
  } finally {
    await fh.close();
  }
}

function describeIsoBoot(e: BootEntry): string {
  return `${e.platform === 'other' ? `platform 0x${e.platformId.toString(16)}` : e.platform.toUpperCase()} ${e.kind}${e.bootable ? '' : ' (not bootable)'}, ${e.loadSize} sectors at LBA ${e.lba}`;
}

interface Params { Path: string; List?: boolean; FileSystem?: string }

export const getMediaImage: CmdletSpec<Params> = {
  name: 'Get-TSMediaImage',
  synopsis: 'Shows what an ISO or USB image holds: label, boot entries, file count and size, or every path.',
  description: 'An ISO is read through Joliet when it has one, else ISO 9660; -FileSystem Udf reads the UDF bridge, where files of 4 GiB and more have their true size. A USB image is read through its MBR and FAT32 partition (or a bare FAT32 volume). A damaged image is an error, never a crash.',
  parameters: [
    { name: 'Path', type: 'string', mandatory: true, position: 0, help: 'The .iso or .img file.' },
    { name: 'List', type: 'switch', aliases: ['ListFiles'], help: 'One object per file (Path, Size) instead of the summary.' },
    { name: 'FileSystem', type: 'string', validateSet: ['Auto', 'Joliet', 'Iso9660', 'Udf'], help: 'For an ISO: which tree to read (default Auto: Joliet, else ISO 9660).' },
  ],
  examples: [
    { code: 'tsmedia Get-TSMediaImage media.iso', remarks: 'Label, boot entries and totals.' },
    { code: 'tsmedia Get-TSMediaImage usb.img -List -OutputFormat Csv', remarks: 'Every file on a USB image, as CSV.' },
  ],
  defaultView: ['Kind', 'Label', 'Files', 'Bytes', 'BootEntries'],
  async run(p) {
    const path = resolve(p.Path);
    const kind = await detectImageKind(path);
    if (kind === 'Iso') {
      const img = await readIsoImage(path, { fileSystem: (p.FileSystem ?? 'Auto').toLowerCase() as 'auto' | 'joliet' | 'iso9660' | 'udf' });
      try {
        if (p.List) return img.files.map((f) => ({ Path: f.path, Size: f.size }));
        return {
          Path: path, Kind: kind, Label: img.label, VolumeSet: img.volumeSetInfo.id, FileSystem: img.fileSystem,
          HasJoliet: img.hasJoliet, HasUdf: img.hasUdf, Sectors: img.totalSectors,
          Files: img.files.length, Directories: img.directories.length, Bytes: img.files.reduce((s, f) => s + f.size, 0),
          BootEntries: img.bootEntries.map(describeIsoBoot).join('; '),
        };
      } finally {
        await img.close();
      }
    }
    if (p.FileSystem && p.FileSystem !== 'Auto') throw new TsmediaError('EBAD_FILESYSTEM', `-FileSystem ${p.FileSystem} applies to ISO images; '${path}' is a USB image (FAT32).`);
    const img = await readUsbImage(path);
    if (p.List) return img.files.map((f) => ({ Path: f.path, Size: f.size }));
    const active = img.partitions.find((part) => part.bootable);
    const boot: string[] = [];
    if (active) boot.push(`BIOS MBR, active partition ${active.index} at LBA ${active.startLba}`);
    if (img.files.some((f) => f.path.toUpperCase() === 'EFI/BOOT/BOOTX64.EFI')) boot.push('UEFI \\EFI\\BOOT\\BOOTX64.EFI');
    return {
      Path: path, Kind: kind, Label: img.label, FileSystem: 'fat32', Partition: img.partition,
      ClusterSize: img.clusterSize, Files: img.files.length, Directories: img.directories.length,
      Bytes: img.files.reduce((s, f) => s + f.size, 0), BootEntries: boot.join('; '),
    };
  },
};

export const mediaImageCmdlets = [getMediaImage];
