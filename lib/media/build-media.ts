// Edge: builds one medium end to end. Resolve the request against the catalog (every rule
// checked before any byte is written), plan the layout, make the generated files, stage the
// medium's tree in a temporary folder (content as hard links to verified library blobs, or
// encrypted copies; boot files out of the boot image), write it as an ISO set, a USB image or a
// prestaged WIM (each writer writes under a temporary name and renames when whole), then record
// the finished medium in the catalog. The staging folder is removed whatever happens.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { writeCatalog } from '../catalog/catalog.js';
import { recordMedia } from '../catalog/media.js';
import type { MediaContentRecord, MediaType } from '../catalog/media.js';
import type { BlobLocation } from '../content/library.js';
import { TsmediaError, UsageError } from '../errors.js';
import { writeUsbImage } from '../formats/disk/usb-writer.js';
import { buildIsoImages } from '../formats/iso/build-image.js';
import type { PlanFile } from '../formats/iso/layout.js';
import { captureWim } from '../formats/wim/capture.js';
import { ResourceCache } from '../formats/wim/resource-cache.js';
import type { ListedFile } from '../formats/wim/list-tree.js';
import { openWim, readFileFromWim } from '../formats/wim/reader.js';
import { wimSplitterInto } from '../formats/wim/split-for-fat32.js';
import { BlobStager } from './blob-stager.js';
import { ContentEncryptor } from './content-encryption.js';
import type { MediaKey } from './media-key.js';
import { buildMediaData, DEFAULT_MEDIA_LABEL, definedOnly, mediaIdOf } from './media-data.js';
import type { MediaDataInput } from './media-data.js';
import type { BootEntry } from './media-manifest.js';
import { planMedia, volumeLabel } from './media-plan.js';
import type { MediaPlan, OutputKind } from './media-plan.js';
import { resolveMediaRequest } from './media-request.js';
import type { MediaRequest, ResolvedItem, ResolvedMedia } from './media-request.js';
import type { LaunchMode } from './media-variables.js';
import { checkImageIndex, mediaSizeBytes } from './rules.js';

export type { MediaRequest } from './media-request.js';

/** Where the firmware finds its boot files on each kind of output. */
const BOOT_ENTRIES: Record<OutputKind, BootEntry[]> = {
  Iso: [{ Platform: 'BIOS', Path: 'boot\\etfsboot.com' }, { Platform: 'UEFI', Path: 'efi\\microsoft\\boot\\efisys.bin' }],
  Usb: [{ Platform: 'BIOS', Path: 'bootmgr' }, { Platform: 'UEFI', Path: 'efi\\boot\\bootx64.efi' }],
  Wim: [],
};
const OUTPUT: Record<MediaType, OutputKind> = { CdDvd: 'Iso', Usb: 'Usb', Wim: 'Wim' };
const CD_BYTES = 700 * 1024 * 1024;
/** The prestaged resource cache keeps the most recently used entries up to this size. */
const WIM_CACHE_MAX_BYTES = 32 * 1024 ** 3;
const COPY_BUFFER = 1 << 20;

export interface BuiltMedia {
  MediaId: string;
  Kind: string;
  MediaType: MediaType;
  Path: string;
  /** Every file written: the volumes of a CD/DVD set, else the one path. */
  Volumes: string[];
  VolumeCount: number;
  SizeBytes: number;
  SiteCode: string;
  TaskSequenceId: string | null;
  BootImageId: string;
  ContentItems: number;
  Content: MediaContentRecord[];
  PasswordProtected: boolean;
  ContentEncrypted: boolean;
  Created: string;
  /** Prestaged media: content files copied compressed from earlier builds, and compressed anew. */
  ReusedResources?: number;
  CompressedResources?: number;
}

/**
 * Work shared by the media of one run (Invoke-TSMediaBuild): each library blob is read and checked
 * once, however many media hold it. A single build makes its own.
 */
export class MediaBuildSession {
  readonly stager: BlobStager;
  /**
   * Compressed WIM resources of content already built into prestaged media, by SHA-256: a rebuild
   * after one revision compresses only what changed. Kept in the tsmedia home across runs.
   */
  readonly wimResources: ResourceCache;
  constructor(home: string, readonly tempRoot: string = tmpdir()) {
    this.stager = new BlobStager(home, join(tempRoot, `tsmedia-blobs-${randomUUID()}`));
    this.wimResources = new ResourceCache(join(home, 'cache', 'wim-resources'), { maxBytes: WIM_CACHE_MAX_BYTES });
  }
  dispose(): void {
    this.stager.dispose();
    this.wimResources.prune();
  }
}

export interface BuildMediaOptions {
  /** The build's clock (SOURCE_DATE_EPOCH when set): every timestamp on the medium. */
  now: Date;
  signal?: AbortSignal | undefined;
  onProgress?: ((phase: 'Staging' | 'Writing', done: number, total: number) => void) | undefined;
  session?: MediaBuildSession | undefined;
}

function launchMode(req: MediaRequest): LaunchMode {
  if (req.mediaType === 'Wim') return 'HD';
  if (req.mediaType === 'Usb') return req.formatMedia ? 'UFD+FORMAT' : 'UFD';
  const size = mediaSizeBytes(req.mediaSize);
  return size !== undefined && size <= CD_BYTES ? 'CD' : 'DVD';
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TsmediaError('EABORTED', 'The media build was interrupted; nothing was written under the media path.');
}

/** Writes an encrypted copy of a staged blob (ContentEncryptor checks size and SHA-256 again). */
function encryptInto(source: string, target: string, key: MediaKey, loc: BlobLocation, signal: AbortSignal | undefined): void {
  const enc = new ContentEncryptor(key, { size: loc.size, sha256: loc.sha256 });
  const src = openSync(source, 'r');
  const dst = openSync(target, 'w');
  try {
    const buf = Buffer.allocUnsafe(COPY_BUFFER);
    for (let n = readSync(src, buf); n > 0; n = readSync(src, buf)) {
      aborted(signal);
      for (const b of enc.push(buf.subarray(0, n))) writeSync(dst, b);
    }
    for (const b of enc.finish()) writeSync(dst, b);
  } finally {
    closeSync(src);
    closeSync(dst);
  }
}

function itemsById(r: ResolvedMedia): Map<string, ResolvedItem> {
  return new Map([r.bootImage, ...r.content].map((i) => [i.item.Id, i]));
}

/**
 * Lays the planned medium out under `tree`, a folder named as the medium's root, and lists every
 * file with where its bytes are. Library content goes in as hard links to verified blob copies,
 * or (fromPacks: the ISO and WIM writers read pack ranges and check their SHA-256 themselves)
 * stays in its pack and is only listed. Generated files, boot files and encrypted content are
 * always written.
 */
function stageTree(tree: string, plan: MediaPlan, r: ResolvedMedia, files: Map<string, Buffer>, key: MediaKey, session: MediaBuildSession, fromPacks: boolean, opts: BuildMediaOptions, checked: Set<string>): PlanFile[] {
  const items = itemsById(r);
  const blobOf = (id: string, sha256: string): BlobLocation => items.get(id)!.blobs.get(sha256)!;
  const bootWimFile = r.bootImage.item.Files[0]!;
  let bootWim: ReturnType<typeof openWim> | undefined;
  const total = plan.Files.reduce((s, f) => s + (f.Source.Kind === 'Content' ? f.Source.Size : 0), 0);
  const listed: PlanFile[] = [];
  let done = 0;
  try {
    for (const f of plan.Files) {
      aborted(opts.signal);
      const path = f.MediaPath.split('\\').join('/');
      const target = join(tree, ...path.split('/'));
      const src = f.Source;
      if (src.Kind === 'Content' && !src.Encrypted && fromPacks) {
        const loc = blobOf(src.ContentId, src.Sha256);
        const range = session.stager.packRange(loc);
        // the writer checks the bytes it copies, unless an earlier medium of the session did
        const sha256 = session.stager.rangeCheck(loc);
        if (sha256 !== undefined) checked.add(sha256);
        listed.push({ path, size: loc.size, source: range.source, sourceOffset: range.offset, sha256, contentKey: `sha256:${loc.sha256}` });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      if (src.Kind === 'Generated') {
        writeFileSync(target, files.get(src.Name)!);
      } else if (src.Kind === 'BootImageFile') {
        bootWim ??= openWim(session.stager.path(blobOf(r.bootImage.item.Id, bootWimFile.Sha256), opts.signal));
        let bytes: Uint8Array;
        try {
          bytes = readFileFromWim(bootWim, r.bootImageIndex, src.ImagePath);
        } catch (e) {
          throw new TsmediaError('EBOOT_FILE_MISSING', `Boot image ${r.bootImage.item.Id} lacks ${src.ImagePath} in image ${r.bootImageIndex} (${(e as Error).message}); media boot files are taken from the boot image. Use a complete WinPE boot.wim.`, { path: src.ImagePath });
        }
        writeFileSync(target, bytes);
      } else {
        const loc = blobOf(src.ContentId, src.Sha256);
        if (src.Encrypted) encryptInto(session.stager.path(loc, opts.signal), target, key, loc, opts.signal);
        else session.stager.linkInto(loc, target, opts.signal);
        done += src.Size;
        opts.onProgress?.('Staging', done, total);
      }
      listed.push({ path, size: statSync(target).size, source: target });
    }
  } finally {
    bootWim?.close();
  }
  return listed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Checks the request's own shape (output kind against media kind) before the catalog is read. */
function outputOf(req: MediaRequest): OutputKind {
  const output = OUTPUT[req.mediaType];
  if ((req.kind === 'Prestaged') !== (output === 'Wim')) {
    throw new UsageError('EBAD_MEDIA_TYPE', req.kind === 'Prestaged' ? 'Prestaged media are one .wim file.' : `${req.kind} media are written with -MediaType CdDvd or Usb.`);
  }
  return output;
}

/** Everything the generated files (and the media id) are made from; `created` is the media's time. */
function mediaDataInput(req: MediaRequest, resolved: ResolvedMedia, output: OutputKind, created: Date): MediaDataInput {
  return {
    kind: req.kind, launchMode: launchMode(req), password: req.password, created, siteCode: resolved.siteCode,
    bootImage: resolved.bootImage.item, content: resolved.content.map((c) => c.item), label: req.label ?? DEFAULT_MEDIA_LABEL, bootEntries: BOOT_ENTRIES[output],
    encryptContent: req.encryptContent === true, noAutoRun: req.noAutoRun === true, rootCaCertificates: resolved.rootCaCertificates,
    ...(resolved.taskSequence ? { taskSequence: resolved.taskSequence } : {}),
    ...(resolved.managementPoints.length ? { managementPoints: resolved.managementPoints, mediaMode: req.mediaMode ?? 'Dynamic' } : {}),
    ...(resolved.certificate ? { mediaPfx: resolved.certificate.pfx, certificateThumbprint: resolved.certificate.thumbprint } : {}),
    ...(req.variables || req.operatingSystemImageIndex !== undefined ? { variables: withImageIndex(req) } : {}),
    ...definedOnly({
      prestartCommand: req.prestartCommand, prestartPackageId: resolved.content.find((c) => c.role === 'PrestartPackage')?.item.Id,
      allowUnattended: req.allowUnattended, allowUnknownMachine: req.allowUnknownMachine, userDeviceAffinity: req.userDeviceAffinity,
      mediaStartDate: req.mediaStartDate, mediaExpirationDate: req.mediaExpirationDate, createdBy: req.createdBy, version: req.version,
      comment: req.comment, kdf: req.kdf,
    }),
  };
}

/**
 * The media id the request would get if built with the time `created`, from the catalog's current
 * content revisions, without building (no staging, no key derivation). -Resume compares it with
 * the id on record for the output, built at the recorded time.
 */
export async function plannedMediaId(home: string, req: MediaRequest, now: Date, created: Date): Promise<string> {
  const output = outputOf(req);
  const resolved = await resolveMediaRequest(home, req, now);
  return mediaIdOf(mediaDataInput(req, resolved, output, created));
}

/** Builds one medium and records it in the catalog. */
export async function buildMedia(home: string, req: MediaRequest, opts: BuildMediaOptions): Promise<BuiltMedia> {
  const path = resolve(req.path);
  if (!req.force && existsSync(path)) throw new UsageError('EMEDIA_EXISTS', `${path} exists; give -Force to replace it, or another -Path.`, { path });
  const output = outputOf(req);
  const resolved = await resolveMediaRequest(home, req, opts.now);
  const plan = planMedia({
    kind: req.kind, output, bootImage: resolved.bootImage.item, content: resolved.content.map((c) => c.item),
    encryptContent: req.encryptContent === true, noAutoRun: req.noAutoRun === true,
    ...(req.mediaSize !== undefined ? { mediaSize: req.mediaSize } : {}),
  });
  const label = req.label ?? DEFAULT_MEDIA_LABEL;
  const data = buildMediaData(mediaDataInput(req, resolved, output, opts.now));
  const session = opts.session ?? new MediaBuildSession(home, req.temporaryFolder);
  const work = join(req.temporaryFolder ?? tmpdir(), `tsmedia-build-${randomUUID()}`);
  try {
    if (resolved.operatingSystemImage && req.operatingSystemImageIndex !== undefined) {
      const os = resolved.operatingSystemImage;
      const wimFile = os.item.Files.find((f) => /\.wim$/i.test(f.Path));
      if (!wimFile) throw new UsageError('EBAD_OS_IMAGE', `${os.item.Id} holds no .wim file.`);
      const wim = openWim(session.stager.path(os.blobs.get(wimFile.Sha256)!, opts.signal));
      try { checkImageIndex(req.operatingSystemImageIndex, wim.images.length, os.item.Id); } finally { wim.close(); }
    }
    const tree = join(work, 'tree');
    mkdirSync(tree, { recursive: true });
    const checked = new Set<string>();
    const listed = stageTree(tree, plan, resolved, data.Files, data.Key, session, output !== 'Usb', opts, checked);
    aborted(opts.signal);
    const volumes = output === 'Iso' ? await writeIsoSet(req, path, listed, label, opts)
      : output === 'Usb' ? await writeUsbMedium(req, path, tree, work, label, opts)
      : await writePrestagedWim(req, path, listed, session, opts);
    session.stager.markVerified(checked);
    const content: MediaContentRecord[] = [resolved.bootImage, ...resolved.content].map(({ item }) => ({
      Id: item.Id, Name: item.Name, Type: item.Type, SourceVersion: item.SourceVersion, FileCount: item.Files.length,
      SizeBytes: item.Files.reduce((s, f) => s + f.Size, 0),
    }));
    const built: BuiltMedia = {
      MediaId: data.MediaId, Kind: req.kind, MediaType: req.mediaType, Path: path, Volumes: volumes.map((v) => v.path),
      VolumeCount: volumes.length, SizeBytes: volumes.reduce((s, v) => s + v.bytes, 0), SiteCode: resolved.siteCode,
      TaskSequenceId: resolved.taskSequence?.Id ?? null, BootImageId: resolved.bootImage.item.Id, ContentItems: content.length,
      Content: content, PasswordProtected: req.password !== null, ContentEncrypted: req.encryptContent === true, Created: opts.now.toISOString(),
      ...(output === 'Wim' ? { ReusedResources: volumes[0]!.reused ?? 0, CompressedResources: volumes[0]!.compressed ?? 0 } : {}),
    };
    try {
      // interrupted once whole but not yet recorded: not kept either (the catalog has only finished media)
      aborted(opts.signal);
      await writeCatalog(home, opts.now, (db) => recordMedia(db, { ...built, TaskSequenceId: built.TaskSequenceId, Kind: req.kind }));
    } catch (e) {
      // a medium the catalog does not know is not kept: cache queries would never see it
      for (const v of volumes) rmSync(v.path, { force: true });
      throw e;
    }
    return built;
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (!opts.session) session.dispose();
  }
}

function withImageIndex(req: MediaRequest): Record<string, string> {
  const vars: Record<string, string> = { ...(req.variables ?? {}) };
  if (req.operatingSystemImageIndex !== undefined) vars['OSDImageIndex'] = String(req.operatingSystemImageIndex);
  return vars;
}

/** The ISO and WIM writers check library blobs as they copy them: a mismatch is a damaged library. */
async function libraryChecked<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof TsmediaError && (e.code === 'EISO_SOURCE_HASH' || e.code === 'EWIM_SOURCE_HASH')) {
      throw new TsmediaError('ELIBRARY_CORRUPT', `${String(e.data['path'])} does not match its SHA-256 in the content library; the content library is damaged. Re-import the content (Update-CMContent) from its source.`, e.data);
    }
    throw e;
  }
}

interface WrittenVolume { path: string; bytes: number; reused?: number; compressed?: number }

/** A CD/DVD set from the file list; volume 1 boots and holds everything but package content. */
async function writeIsoSet(req: MediaRequest, path: string, files: PlanFile[], label: string, opts: BuildMediaOptions): Promise<WrittenVolume[]> {
  const vols = await libraryChecked(buildIsoImages({
    files, path, label, date: opts.now, biosBootFile: 'boot/etfsboot.com', uefiBootFile: 'efi/microsoft/boot/efisys.bin',
    udf: true, maxVolumeBytes: mediaSizeBytes(req.mediaSize), signal: opts.signal,
    onProgress: (done, total) => opts.onProgress?.('Writing', done, total),
    firstVolume: (p) => !p.startsWith('SMS/PKG/'),
  }));
  return vols.map((v) => ({ path: v.path, bytes: v.imageBytes }));
}

/** A USB image (or drive) from the staged folder; WIM files over 4 GiB become .swm parts. */
async function writeUsbMedium(req: MediaRequest, path: string, tree: string, work: string, label: string, opts: BuildMediaOptions): Promise<WrittenVolume[]> {
  const size = mediaSizeBytes(req.mediaSize);
  const r = await writeUsbImage({
    sourcePath: tree, outPath: path, date: opts.now, label: volumeLabel(label), force: req.force === true,
    splitWim: wimSplitterInto(join(work, 'swm')), onProgress: (done, total) => opts.onProgress?.('Writing', done, total),
    ...(opts.signal ? { signal: opts.signal } : {}), ...(size !== undefined ? { sizeBytes: size } : {}),
  });
  return [{ path: r.path, bytes: r.imageBytes }];
}

/**
 * The prestaged WIM (XPRESS), captured from the file list: library content is read as ranges of
 * its packs (SHA-256 checked as it is read) and keyed by its SHA-256 in the session's resource
 * cache, so content unchanged since an earlier build is copied compressed, not even read.
 */
async function writePrestagedWim(req: MediaRequest, path: string, listed: readonly PlanFile[], session: MediaBuildSession, opts: BuildMediaOptions): Promise<WrittenVolume[]> {
  const files: ListedFile[] = listed.map((f) => ({
    path: f.path, size: f.size,
    // the content key names the bytes whether or not this medium still has to check them
    source: f.sourceOffset !== undefined ? { path: f.source, offset: f.sourceOffset, sha256: f.sha256, key: f.contentKey } : { path: f.source },
  }));
  const r = await libraryChecked(captureWim(path, [{ source: 'prestaged', files, name: 'Prestaged media', description: `tsmedia prestaged media${req.taskSequence ? ` for ${req.taskSequence}` : ''}` }], {
    compression: 'xpress', now: opts.now, ...(opts.signal ? { signal: opts.signal } : {}),
    resourceCache: { cache: session.wimResources, keyOf: () => undefined },
  }));
  return [{ path: r.path, bytes: r.size, reused: r.resourceCache?.hits ?? 0, compressed: r.resourceCache?.misses ?? 0 }];
}
