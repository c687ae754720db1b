// The layout of one medium as data: every file's media path and where its bytes come from.
// The ISO, USB and WIM builders stream the sources into these paths; nothing here reads bytes.
//
// ConfigMgr's layout (paths on the medium, '\'-separated as Windows shows them):
//   bootmgr, bootmgr.efi, boot\bcd, boot\boot.sdi, boot\etfsboot.com,
//   efi\boot\bootx64.efi, efi\microsoft\boot\bcd, efi\microsoft\boot\efisys.bin
//                                  taken from the boot image (image 1, Windows\Boot\...)
//   sources\boot.wim               the boot image
//   SMS\data\Variables.dat, SMS\data\TsmBootstrap.ini, SMS\data\MediaManifest.json,
//   SMS\data\Policy.xml            (stand-alone only)
//   SMS\PKG\<ID>\<path>            content: stand-alone all references and extra content;
//                                  prestaged the OS image and extra content; boot media the
//                                  prestart package only
//   MediaLabel.txt                 ISO and USB media
//   autorun.inf                    ISO and USB media, unless -NoAutoRun
import type { ContentItem, ContentType } from '../catalog/content.js';
import type { ManifestFile } from '../content/manifest.js';
import { UsageError } from '../errors.js';
import { DEFAULT_CHUNK_SIZE, encryptedSize } from './content-encryption.js';
import type { MediaKind, MediaFile } from './media-manifest.js';
import { checkFat32FileSizes, checkMediaSize } from './rules.js';
import type { MediaSize } from './rules.js';

export type OutputKind = 'Iso' | 'Usb' | 'Wim';
export type GeneratedFile = 'Variables' | 'Bootstrap' | 'Policy' | 'Manifest' | 'MediaLabel' | 'Autorun';

export type PlanSource =
  /** A file inside the boot image's image 1, extracted by the WIM reader. */
  | { Kind: 'BootImageFile'; ImagePath: string }
  /** A whole content file from the library (sources\boot.wim, SMS\PKG\...). */
  | { Kind: 'Content'; ContentId: string; Path: string; Sha256: string; Size: number; Encrypted: boolean }
  /** Bytes the media builder makes (Variables.dat, the manifest...). */
  | { Kind: 'Generated'; Name: GeneratedFile };

export interface PlannedFile {
  /** '\'-separated path on the medium. */
  MediaPath: string;
  /** Bytes on the medium, when known before building (content); null for boot files and generated ones. */
  Size: number | null;
  Source: PlanSource;
}

export interface PlanItem {
  Id: string;
  Name: string;
  Type: ContentType;
  SourceVersion: number;
  Files: readonly MediaFile[];
}

/** A catalog content item and its revision's manifest (getContent + getManifest) as a plan item. */
export function planItemFromCatalog(item: Pick<ContentItem, 'Id' | 'Name' | 'Type' | 'SourceVersion'>, files: readonly ManifestFile[]): PlanItem {
  return {
    Id: item.Id, Name: item.Name, Type: item.Type, SourceVersion: item.SourceVersion,
    Files: files.map((f) => ({ Path: f.path, Size: f.size, Sha256: f.sha256 })),
  };
}

export interface MediaPlanInput {
  kind: MediaKind;
  output: OutputKind;
  /** The boot image (its single .wim file). */
  bootImage: PlanItem;
  /** Content that goes under SMS\PKG (already chosen for the kind by the caller). */
  content: readonly PlanItem[];
  encryptContent?: boolean;
  noAutoRun?: boolean;
  /**
   * ISO: the size of each disc of a set (a file must fit one disc); USB: the drive's size (all
   * content must fit). A ConfigMgr size name or bytes.
   */
  mediaSize?: MediaSize | number;
  /** Reserved for boot files and generated files, on top of content (default 64 MiB). */
  overheadBytes?: number;
}

export interface MediaPlan {
  Kind: MediaKind;
  Output: OutputKind;
  Files: PlannedFile[];
  /** Sum of the known sizes (content) plus the overhead reserve. */
  EstimatedBytes: number;
}

/** Boot files: media path ← path inside the boot image (the WinPE layout, Windows\Boot\...). */
export const BOOT_FILES: ReadonlyArray<readonly [string, string]> = [
  ['bootmgr', 'Windows/Boot/PCAT/bootmgr'],
  ['bootmgr.efi', 'Windows/Boot/EFI/bootmgr.efi'],
  ['boot\\bcd', 'Windows/Boot/DVD/PCAT/BCD'],
  ['boot\\boot.sdi', 'Windows/Boot/DVD/PCAT/boot.sdi'],
  ['boot\\etfsboot.com', 'Windows/Boot/DVD/PCAT/etfsboot.com'],
  ['efi\\boot\\bootx64.efi', 'Windows/Boot/EFI/bootmgfw.efi'],
  ['efi\\microsoft\\boot\\bcd', 'Windows/Boot/DVD/EFI/BCD'],
  ['efi\\microsoft\\boot\\efisys.bin', 'Windows/Boot/DVD/EFI/en-US/efisys.bin'],
];

export const DEFAULT_OVERHEAD = 64 * 1024 * 1024;
/** What a disc of a set needs beside its largest file: the ISO volume planner's fixed overhead (300 sectors). */
const DISC_RESERVE = 300 * 2048;

/** Which content kinds of media carry under SMS\PKG. */
export function carriesContent(kind: MediaKind): 'All' | 'PrestartOnly' | 'None' {
  if (kind === 'StandAlone' || kind === 'Prestaged') return 'All';
  return kind === 'Bootable' ? 'PrestartOnly' : 'None';
}

function contentPath(id: string, path: string): string {
  return `SMS\\PKG\\${id}\\${path.split('/').join('\\')}`;
}

export function planMedia(input: MediaPlanInput): MediaPlan {
  const { kind, output } = input;
  if (output === 'Wim' && kind !== 'Prestaged') throw new UsageError('EBAD_MEDIA_TYPE', `${kind} media are written to an ISO or a USB drive; only prestaged media are a .wim.`);
  if (kind === 'Prestaged' && output !== 'Wim') throw new UsageError('EBAD_MEDIA_TYPE', 'Prestaged media are always one .wim file.');
  if (input.bootImage.Type !== 'BootImage') throw new UsageError('EBAD_BOOT_IMAGE', `${input.bootImage.Id} is a ${input.bootImage.Type}, not a boot image.`);
  const bootWim = input.bootImage.Files;
  if (bootWim.length !== 1) throw new UsageError('EBAD_BOOT_IMAGE', `Boot image ${input.bootImage.Id} must be one .wim file; it has ${bootWim.length} files.`);
  const carries = carriesContent(kind);
  if (carries === 'None' && input.content.length > 0) throw new UsageError('EBAD_CONTENT', `${kind} media carry no content; leave out ${input.content.map((c) => c.Id).join(', ')}.`);
  if (carries === 'PrestartOnly' && input.content.length > 1) throw new UsageError('EBAD_CONTENT', 'Bootable media carry only the prestart package.');
  const encrypt = input.encryptContent === true;
  const files: PlannedFile[] = [];
  for (const [mediaPath, imagePath] of BOOT_FILES) files.push({ MediaPath: mediaPath, Size: null, Source: { Kind: 'BootImageFile', ImagePath: imagePath } });
  const wim = bootWim[0]!;
  // the boot image stays in the clear: firmware and WinPE read it before any password is asked
  files.push({ MediaPath: 'sources\\boot.wim', Size: wim.Size, Source: { Kind: 'Content', ContentId: input.bootImage.Id, Path: wim.Path, Sha256: wim.Sha256, Size: wim.Size, Encrypted: false } });
  files.push({ MediaPath: 'SMS\\data\\Variables.dat', Size: null, Source: { Kind: 'Generated', Name: 'Variables' } });
  files.push({ MediaPath: 'SMS\\data\\TsmBootstrap.ini', Size: null, Source: { Kind: 'Generated', Name: 'Bootstrap' } });
  if (kind === 'StandAlone') files.push({ MediaPath: 'SMS\\data\\Policy.xml', Size: null, Source: { Kind: 'Generated', Name: 'Policy' } });
  files.push({ MediaPath: 'SMS\\data\\MediaManifest.json', Size: null, Source: { Kind: 'Generated', Name: 'Manifest' } });
  const seen = new Set<string>();
  for (const item of [...input.content].sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0))) {
    if (seen.has(item.Id)) throw new UsageError('EBAD_CONTENT', `${item.Id} is chosen twice.`);
    seen.add(item.Id);
    for (const f of [...item.Files].sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0))) {
      const size = encrypt ? encryptedSize(f.Size, DEFAULT_CHUNK_SIZE) : f.Size;
      files.push({ MediaPath: contentPath(item.Id, f.Path), Size: size, Source: { Kind: 'Content', ContentId: item.Id, Path: f.Path, Sha256: f.Sha256, Size: f.Size, Encrypted: encrypt } });
    }
  }
  if (output !== 'Wim') {
    files.push({ MediaPath: 'MediaLabel.txt', Size: null, Source: { Kind: 'Generated', Name: 'MediaLabel' } });
    if (input.noAutoRun !== true) files.push({ MediaPath: 'autorun.inf', Size: null, Source: { Kind: 'Generated', Name: 'Autorun' } });
  }
  // media paths are case-insensitive on every file system the media use
  const paths = new Set<string>();
  for (const f of files) {
    const key = f.MediaPath.toUpperCase();
    if (paths.has(key)) throw new UsageError('EBAD_CONTENT', `Two files would land on ${f.MediaPath}; content paths that differ only in case cannot share a medium.`);
    paths.add(key);
  }
  let estimated = input.overheadBytes ?? DEFAULT_OVERHEAD;
  for (const f of files) estimated += f.Size ?? 0;
  if (output === 'Usb') checkFat32FileSizes(files.filter((f): f is PlannedFile & { Size: number } => f.Size !== null));
  const size = input.mediaSize ?? 'None';
  if (output === 'Iso') {
    // a CD/DVD set spreads files over discs, but never splits one
    const largest = files.reduce((m, f) => Math.max(m, f.Size ?? 0), 0);
    checkMediaSize(largest + DISC_RESERVE, size, 'one disc');
  } else {
    checkMediaSize(estimated, size);
  }
  return { Kind: kind, Output: output, Files: files, EstimatedBytes: estimated };
}

/** MediaLabel.txt: one line, as ConfigMgr writes it. */
export function mediaLabelFile(label: string): Buffer {
  if (/[\r\n]/.test(label) || label.length === 0 || label.length > 256) throw new UsageError('EBAD_MEDIA_LABEL', 'The media label is one line of 1 to 256 characters.');
  return Buffer.from(`label=${label}\r\n`, 'utf8');
}

/** The FAT32 volume label: the first 11 characters of the media label, as ConfigMgr does. */
export function volumeLabel(label: string): string {
  return label.slice(0, 11);
}

/** autorun.inf: names the volume; starts nothing (WinPE boots the media, Windows need not run it). */
export function autorunFile(label: string): Buffer {
  return Buffer.from(`[autorun]\r\nlabel=${label.replace(/[\r\n]/g, ' ')}\r\n`, 'utf8');
}
