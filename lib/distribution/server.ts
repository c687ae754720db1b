// The distribution point: serves the content library over HTTP or HTTPS in the layout of
// layout.ts. Manifests come from the catalog; file bytes stream straight out of the library's
// packs (bounded memory, whatever the size). Each request reads the current catalog snapshot, so
// content imported or revised while the server runs is served at once.
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { readCatalog } from '../catalog/catalog.js';
import { blobLocation, getContent, getManifest } from '../catalog/content.js';
import { openBlob } from '../content/library.js';
import { TsmediaError, isTsmediaError } from '../errors.js';
import { etagOf, manifestDocument, routeOf } from './layout.js';
import { decideRange, ifRangeHolds, noneMatch } from './range.js';

export interface TlsIdentity { certificatePem: string; privateKeyPem: string; chainPem: readonly string[] }

export interface DistributionPointOptions {
  home: string;
  port: number;
  /** Default 127.0.0.1: serving every interface is a choice, not an accident. */
  address?: string;
  tls?: TlsIdentity;
  now?: () => Date;
  /** Called once per finished request (logs, counters, tests). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  range: string | undefined;
  ifRange: string | undefined;
  bytes: number;
}

export interface RunningDistributionPoint {
  url: string;
  address: string;
  port: number;
  readonly requests: number;
  readonly bytesSent: number;
  /** Stops accepting, lets running responses finish for a moment, then drops every connection. */
  close(graceMs?: number): Promise<void>;
}

type Lookup =
  | { kind: 'manifest'; bytes: Buffer; current: boolean }
  | { kind: 'file'; sha256: string; size: number; pack: string; offset: number };

const NOT_FOUND = 'ENOTFOUND';

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

async function lookup(home: string, now: Date, route: ReturnType<typeof routeOf>): Promise<Lookup | undefined> {
  return readCatalog(home, now, (db) => {
    try {
      if (route.kind === 'file') {
        const loc = blobLocation(db, route.sha256);
        return { kind: 'file' as const, ...loc };
      }
      if (route.kind !== 'manifest') return undefined;
      const item = getContent(db, route.id);
      const version = route.version === 'current' ? item.SourceVersion : route.version;
      if (version > item.SourceVersion) return undefined;
      const exists = db.get('SELECT 1 FROM revisions WHERE content_id = ? AND version = ?', [item.Id, version]);
      if (!exists) return undefined;
      return { kind: 'manifest' as const, bytes: manifestDocument(item, version, getManifest(db, item.Id, version)), current: route.version === 'current' };
    } catch (err) {
      if (isTsmediaError(err) && err.code === NOT_FOUND) return undefined;
      throw err;
    }
  });
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): number {
  const body = Buffer.from(text + '\n', 'utf8');
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
  return 0;
}

async function handle(o: DistributionPointOptions, req: IncomingMessage, res: ServerResponse): Promise<number> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Only GET and HEAD are served.', { Allow: 'GET, HEAD' });
  const pathname = (req.url ?? '/').split('?')[0]!;
  const route = routeOf(pathname);
  if (route.kind === 'bad') return plain(res, 400, route.reason);
  if (route.kind === 'none') return plain(res, 404, 'Not in the distribution point layout: /content/<ID>/<SourceVersion>.json, /content/<ID>/current.json, /files/<sha256>.');
  const found = await lookup(o.home, (o.now ?? (() => new Date()))(), route);
  if (!found) return plain(res, 404, route.kind === 'file' ? 'No such file in the content library.' : 'No such content item or revision.');
  const head = req.method === 'HEAD';

  if (found.kind === 'manifest') {
    const etag = etagOf(found.bytes);
    // a revision never changes; current.json does whenever the item is revised
    const headers = { ETag: etag, 'Cache-Control': found.current ? 'no-cache' : 'public, max-age=31536000, immutable' };
    if (noneMatch(req.headers['if-none-match'], etag)) { res.writeHead(304, headers); res.end(); return 0; }
    res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(found.bytes.length) });
    res.end(head ? undefined : found.bytes);
    return head ? 0 : found.bytes.length;
  }

  const etag = `"${found.sha256}"`;
  const common = { ETag: etag, 'Accept-Ranges': 'bytes', 'Cache-Control': 'public, max-age=31536000, immutable' };
  if (noneMatch(req.headers['if-none-match'], etag)) { res.writeHead(304, common); res.end(); return 0; }
  const ifRange = header(req.headers['if-range']);
  const decision = ifRangeHolds(ifRange, etag) ? decideRange(req.headers.range, found.size) : { kind: 'whole' as const };
  if (decision.kind === 'unsatisfiable') return plain(res, 416, 'The range is outside the file.', { ...common, 'Content-Range': `bytes */${found.size}` });
  const start = decision.kind === 'partial' ? decision.start : 0;
  const end = decision.kind === 'partial' ? decision.end : found.size - 1;
  const length = end - start + 1;
  const headers: Record<string, string> = { ...common, 'Content-Type': 'application/octet-stream', 'Content-Length': String(length) };
  if (decision.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${found.size}`;
  const blob = await openBlob(o.home, found);
  try {
    res.writeHead(decision.kind === 'partial' ? 206 : 200, headers);
    if (head || length === 0) { res.end(); return 0; }
    await pipeline(blob.fh.createReadStream({ start: blob.start + start, end: blob.start + end, autoClose: false }), res);
    return length;
  } finally {
    await blob.fh.close();
  }
}

/** Starts serving; resolves once the socket listens (port 0 picks a free port). */
export async function startDistributionPoint(o: DistributionPointOptions): Promise<RunningDistributionPoint> {
  // make sure the catalog exists (and is current) before the first request needs it
  await readCatalog(o.home, (o.now ?? (() => new Date()))(), () => undefined);
  const address = o.address ?? '127.0.0.1';
  let requests = 0;
  let bytesSent = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    requests++;
    handle(o, req, res).then((bytes) => {
      bytesSent += bytes;
      o.onRequest?.({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode, range: req.headers.range, ifRange: header(req.headers['if-range']), bytes });
    }, (err: unknown) => {
      // a client that went away mid-body is normal; anything else is a 500 if headers are unsent
      if (!res.headersSent) {
        const message = isTsmediaError(err) ? err.message : 'internal error';
        plain(res, 500, message);
      } else {
        res.destroy();
      }
      o.onRequest?.({ method: req.method ?? '', path: req.url ?? '', status: res.headersSent ? res.statusCode : 500, range: req.headers.range, ifRange: header(req.headers['if-range']), bytes: 0 });
    });
  };
  const server: Server = o.tls
    ? createHttpsServer({ key: o.tls.privateKeyPem, cert: [o.tls.certificatePem, ...o.tls.chainPem].join('\n') }, onRequest)
    : createHttpServer(onRequest);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const why = err.code === 'EADDRINUSE' ? `port ${o.port} on ${address} is in use; choose another -Port (0 picks a free one)`
        : err.code === 'EACCES' ? `port ${o.port} needs privileges; choose a port above 1023`
          : err.code === 'EADDRNOTAVAIL' ? `${address} is not an address of this machine` : err.message;
      reject(new TsmediaError('ELISTEN', `The distribution point cannot listen: ${why}.`, { port: o.port, address }));
    };
    server.once('error', onError);
    server.listen(o.port, address, () => { server.off('error', onError); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `${o.tls ? 'https' : 'http'}://${host}:${port}/`,
    address,
    port,
    get requests() { return requests; },
    get bytesSent() { return bytesSent; },
    async close(graceMs = 2000): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => { for (const s of sockets) s.destroy(); }, graceMs);
      try {
        await closed;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
