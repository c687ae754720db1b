// The distribution point client a machine runs at first boot: manifests and files from one of
// several distribution points, trusting none of them. Every file is downloaded into a partial
// file, resumed with a Range request after a broken transfer, and checked against its SHA-256
// and size before anyone may use it. A failed attempt moves on to the next distribution point;
// after a full round over all of them the client waits (exponential backoff) and tries again.
import { createHash } from 'node:crypto';
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { TsmediaError } from '../errors.js';
import { bodyToFile } from './body-to-file.js';
import { httpGet, readBody, TransferError } from './http-get.js';
import { fileUrlPath, manifestUrlPath, MAX_MANIFEST_DOCUMENT, parseManifestDocument, SHA256_HEX } from './layout.js';
import type { DpManifest, Revision } from './layout.js';

export interface ClientOptions {
  /** Distribution point base URLs, in order of preference. */
  urls: readonly string[];
  /** Rounds over all distribution points before giving up (default 4). */
  rounds?: number;
  /** Backoff before the second round; doubles each round up to maxDelayMs (defaults 500, 8000). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A request that sends nothing for this long is abandoned (default 30 s). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** Trusted CA certificates (PEM) for HTTPS distribution points with a private CA. */
  ca?: string;
  /** Told about each failed attempt (for -Verbose). */
  onRetry?: (info: { url: string; what: string; error: string }) => void;
}

/** Raised when no distribution point has the thing asked for (every one answered 404). */
export class NotOnDistributionPointError extends TsmediaError {
  constructor(what: string) {
    super('ENOT_ON_DP', `No distribution point has ${what}; publish the content (Publish-TSContentLibrary) or check the URLs.`, { what });
    this.name = 'NotOnDistributionPointError';
  }
}

const COPY_CHUNK = 1 << 20;

function normalise(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TsmediaError('EBAD_URL', `'${url}' is not a URL; give http://host:port/ or https://host/path/.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TsmediaError('EBAD_URL', `${url} is not an http:// or https:// URL.`);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  u.search = '';
  u.hash = '';
  return u;
}

/** Where a partial download remembers which server's ETag its bytes came with. */
interface PartialState { url: string; etag: string }

export class DistributionPointClient {
  private readonly bases: URL[];
  /** The distribution point that answered last: tried first next time. */
  private preferred = 0;
  private readonly o: Required<Pick<ClientOptions, 'rounds' | 'baseDelayMs' | 'maxDelayMs' | 'idleTimeoutMs'>> & ClientOptions;

  constructor(o: ClientOptions) {
    if (o.urls.length === 0) throw new TsmediaError('EBAD_URL', 'Give at least one distribution point URL.');
    this.bases = o.urls.map(normalise);
    this.o = { rounds: 4, baseDelayMs: 500, maxDelayMs: 8000, idleTimeoutMs: 30_000, ...o };
  }

  get urls(): string[] {
    return this.bases.map((b) => b.href);
  }

  /** Runs one attempt per distribution point per round; 404 everywhere means it is not there. */
  private async withFailover<T>(what: string, attempt: (base: URL) => Promise<T | 'not-found'>): Promise<T> {
    let lastError: unknown;
    for (let round = 0; round < this.o.rounds; round++) {
      if (round > 0) await sleep(Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (round - 1)), undefined, this.o.signal ? { signal: this.o.signal } : {});
      let notFound = 0;
      for (let k = 0; k < this.bases.length; k++) {
        const i = (this.preferred + k) % this.bases.length;
        const base = this.bases[i]!;
        this.o.signal?.throwIfAborted();
        try {
          const out = await attempt(base);
          if (out === 'not-found') { notFound++; continue; }
          this.preferred = i;
          return out;
        } catch (err) {
          if (this.o.signal?.aborted) throw this.o.signal.reason ?? err;
          if (!(err instanceof TransferError)) throw err;
          lastError = err;
          this.o.onRetry?.({ url: base.href, what, error: err.message });
        }
      }
      if (notFound === this.bases.length) throw new NotOnDistributionPointError(what);
    }
    throw new TsmediaError('EDOWNLOAD', `Could not get ${what} from ${this.bases.map((b) => b.host).join(', ')} after ${this.o.rounds} rounds: ${(lastError as Error | undefined)?.message ?? 'no answer'}`, { what });
  }

  /** A revision's manifest (or the current one), checked to be the item and version asked for. */
  getManifest(id: string, version: Revision): Promise<DpManifest> {
    const what = `the manifest of ${id} ${version === 'current' ? '(current revision)' : `version ${version}`}`;
    return this.withFailover(what, async (base) => {
      const res = await httpGet(new URL(manifestUrlPath(id, version), base), this.requestOptions({ 'Cache-Control': 'no-cache' }));
      if (res.statusCode === 404) { res.resume(); return 'not-found'; }
      if (res.statusCode !== 200) { res.resume(); throw new TransferError(`${base.host} answered ${res.statusCode} for ${id}.`); }
      const declared = Number(res.headers['content-length'] ?? NaN);
      const body = await readBody(res, MAX_MANIFEST_DOCUMENT);
      if (Number.isFinite(declared) && declared !== body.length) throw new TransferError(`${base.host} sent ${body.length} of ${declared} bytes of ${id}'s manifest.`);
      try {
        return parseManifestDocument(body, id, version);
      } catch (err) {
        // a damaged or wrong document is the server's fault: try another one
        throw new TransferError(`${base.host}: ${(err as Error).message}`);
      }
    });
  }

  private requestOptions(headers: Record<string, string>): { headers: Record<string, string>; idleTimeoutMs: number; signal: AbortSignal | undefined; ca: string | undefined } {
    return { headers, idleTimeoutMs: this.o.idleTimeoutMs, signal: this.o.signal, ca: this.o.ca };
  }

  /**
   * Downloads the file with this SHA-256 and size into `partialPath`, resuming what is already
   * there. Resolves only when the whole file is there and its SHA-256 and size are right; a
   * partial that proves wrong is deleted, never kept. onBytes gets the file's current length.
   */
  async download(file: { sha256: string; size: number }, partialPath: string, onBytes?: (have: number) => void): Promise<void> {
    if (!SHA256_HEX.test(file.sha256)) throw new TsmediaError('EBAD_HASH', `'${file.sha256}' is not a SHA-256.`);
    await this.withFailover(`file ${file.sha256}`, (base) => this.downloadFrom(base, file, partialPath, onBytes));
  }

  private async downloadFrom(base: URL, file: { sha256: string; size: number }, partialPath: string, onBytes?: (have: number) => void): Promise<true | 'not-found'> {
    const statePath = `${partialPath}.etag`;
    let have = await sizeOf(partialPath);
    if (have > file.size) { await discard(partialPath); have = 0; }
    if (have === file.size) {
      if (await verifyFile(partialPath, file)) return true;
      await discard(partialPath);
      have = 0;
    }
    const headers: Record<string, string> = {};
    const url = new URL(fileUrlPath(file.sha256), base);
    if (have > 0) {
      headers.Range = `bytes=${have}-`;
      // If-Range only with the ETag this very server gave for these bytes (another server's
      // ETag means nothing to it); the URL names immutable bytes, and the final hash decides.
      const state = await readState(statePath);
      if (state && state.url === url.href) headers['If-Range'] = state.etag;
    }
    // Everything async happens before the request: once the response head is here, its body is
    // read at once (a stream destroyed while nobody reads it loses what it had buffered).
    const fh = await open(partialPath, have > 0 ? 'r+' : 'w');
    let at = 0;
    let etag: string | undefined;
    let hash = createHash('sha256');
    try {
      if (have > 0) await hashPrefix(fh, have, hash);
      const res = await httpGet(url, this.requestOptions(headers));
      if (res.statusCode === 404) { res.resume(); return 'not-found'; }
      etag = typeof res.headers.etag === 'string' ? res.headers.etag : undefined;
      const offset = this.checkHead(base, res, file, have, etag);
      if (offset === 0 && have > 0) hash = createHash('sha256'); // the whole file: the partial is replaced
      const out = await bodyToFile(res, fh, offset, file.size, (chunk, now) => { hash.update(chunk); onBytes?.(now); });
      at = out.at;
      await fh.truncate(at);
      if (out.overflow) throw new TransferError(`${base.host} sent more than the ${file.size} bytes of ${file.sha256}.`);
      if (out.error) {
        if (this.o.signal?.aborted) throw this.o.signal.reason ?? out.error;
        // keep what arrived (and the server's ETag for it): the next attempt resumes from it
        if (etag) await writeFile(statePath, JSON.stringify({ url: url.href, etag } satisfies PartialState));
        throw new TransferError(`${base.host} broke off ${file.sha256} after ${at} of ${file.size} bytes (${(out.error as NodeJS.ErrnoException).code ?? out.error.message}).`);
      }
      await fh.sync();
    } catch (err) {
      if (err instanceof TransferError && err.data.discard) await discard(partialPath);
      throw err;
    } finally {
      await fh.close();
    }
    if (at < file.size) throw new TransferError(`${base.host} ended ${file.sha256} after ${at} of ${file.size} bytes.`);
    const got = hash.digest('hex');
    if (got !== file.sha256) {
      await discard(partialPath);
      throw new TransferError(`${base.host} sent wrong bytes for ${file.sha256} (they hash to ${got}); discarded.`);
    }
    await rm(statePath, { force: true });
    return true;
  }

  /** Checks a file response's head; returns the offset its body starts at. */
  private checkHead(base: URL, res: IncomingMessage, file: { sha256: string; size: number }, have: number, etag: string | undefined): number {
    const fail = (message: string, discardPartial = false): never => {
      res.resume();
      throw new TransferError(`${base.host} ${message}`, discardPartial ? { discard: true } : {});
    };
    // a server that names its ETag by SHA-256 (ours) must name this one
    const etagSha = etag && /^"([0-9a-f]{64})"$/.exec(etag)?.[1];
    if (etagSha && etagSha !== file.sha256) fail(`sent ETag ${etag} for ${file.sha256}.`);
    let offset = 0;
    if (res.statusCode === 206 && have > 0) {
      const cr = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
      if (!cr || Number(cr[1]) !== have || Number(cr[2]) !== file.size - 1 || (cr[3] !== '*' && Number(cr[3]) !== file.size)) {
        fail(`answered the range request for ${file.sha256} with Content-Range '${String(res.headers['content-range'] ?? '')}'.`, true);
      }
      offset = have;
    } else if (res.statusCode === 416) {
      fail(`refused the range of ${file.sha256} (416); it starts again.`, true);
    } else if (res.statusCode !== 200) {
      fail(`answered ${res.statusCode} for file ${file.sha256}.`);
    }
    const declared = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
    if (declared !== undefined && declared !== file.size - offset) fail(`announced ${declared} bytes for ${file.sha256}; ${file.size - offset} were expected.`);
    return offset;
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function discard(partialPath: string): Promise<void> {
  await rm(partialPath, { force: true });
  await rm(`${partialPath}.etag`, { force: true });
}

async function readState(path: string): Promise<PartialState | undefined> {
  try {
    const s = JSON.parse(await readFile(path, 'utf8')) as Partial<PartialState>;
    return typeof s.url === 'string' && typeof s.etag === 'string' ? { url: s.url, etag: s.etag } : undefined;
  } catch {
    return undefined;
  }
}

async function hashPrefix(fh: FileHandle, length: number, hash: ReturnType<typeof createHash>): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(1, length)));
  for (let p = 0; p < length;) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, length - p), p);
    if (bytesRead === 0) throw new TransferError('the partial file shrank while it was being resumed.');
    hash.update(buf.subarray(0, bytesRead));
    p += bytesRead;
  }
}

/** Whether a file on disk has exactly this size and SHA-256. */
export async function verifyFile(path: string, file: { sha256: string; size: number }): Promise<boolean> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    if ((await fh.stat()).size !== file.size) return false;
    const hash = createHash('sha256');
    await hashPrefix(fh, file.size, hash);
    return hash.digest('hex') === file.sha256;
  } finally {
    await fh.close();
  }
}
