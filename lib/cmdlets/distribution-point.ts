// Distribution point cmdlets: Start-TSDistributionPoint (a real HTTP/HTTPS server for the content
// library) and Publish-TSContentLibrary (the same layout as static files for any web server).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { publishContentLibrary } from '../distribution/publish.js';
import { startDistributionPoint } from '../distribution/server.js';
import type { TlsIdentity } from '../distribution/server.js';
import { UsageError } from '../errors.js';
import type { CmdletContext, CmdletSpec } from '../shell/types.js';
import { certificatePasswordOf } from './common.js';
import { readInputFile } from './read-input-file.js';

interface StartParams {
  Port: number;
  Address?: string;
  CertificatePath?: string;
  CertificatePassword?: string;
  CertificatePasswordFile?: string;
  UrlFile?: string;
}

async function tlsIdentity(p: StartParams, ctx: CmdletContext): Promise<TlsIdentity | undefined> {
  if (p.CertificatePath === undefined) {
    if (p.CertificatePassword !== undefined || p.CertificatePasswordFile !== undefined) throw new UsageError('EPARAMETER_SET', 'A certificate password needs -CertificatePath.');
    return undefined;
  }
  // node-forge is loaded only when a certificate is used: it costs every other command start-up time
  const { importPfx, MAX_PFX_SIZE } = await import('../media/certificate.js');
  const pfx = await readInputFile(p.CertificatePath, MAX_PFX_SIZE, 'ECERTIFICATE_FILE', 'the certificate');
  const cert = importPfx(pfx, await certificatePasswordOf(p, ctx));
  if (cert.notAfter.getTime() < Date.now()) ctx.warn(`The certificate ${cert.thumbprint} expired on ${cert.notAfter.toISOString()}; clients will refuse it.`);
  return cert;
}

const startDp: CmdletSpec<StartParams> = {
  name: 'Start-TSDistributionPoint',
  synopsis: 'Serves the content library over HTTP or HTTPS until stopped (Ctrl+C, SIGTERM).',
  description: 'Manifests by content ID and SourceVersion (/content/<ID>/<SourceVersion>.json, /content/<ID>/current.json) and files by SHA-256 (/files/<sha256>), with Range requests, ETags and 404s. See docs/distribution-point.md. With -CertificatePath the server speaks HTTPS with that certificate and key.',
  parameters: [
    { name: 'Port', type: 'int', mandatory: true, position: 0, help: 'The TCP port; 0 picks a free one (see -UrlFile).' },
    { name: 'Address', type: 'string', help: 'The address to listen on (default 127.0.0.1; 0.0.0.0 for every IPv4 interface).' },
    { name: 'CertificatePath', type: 'string', help: 'A .pfx with the server certificate and its private key: serve HTTPS.' },
    { name: 'CertificatePassword', type: 'secure', help: 'The PFX password (visible in the process list; prefer -CertificatePasswordFile).' },
    { name: 'CertificatePasswordFile', type: 'string', help: 'A file holding the PFX password.' },
    { name: 'UrlFile', type: 'string', help: 'Write the URL served (with the real port) to this file once listening.' },
  ],
  defaultView: ['Url', 'Requests', 'BytesSent', 'Stopped'],
  examples: [
    { code: 'tsmedia Start-TSDistributionPoint -Port 8080 -Address 0.0.0.0', remarks: 'Serves the content library on port 8080 of every interface until Ctrl+C.' },
    { code: 'tsmedia Start-TSDistributionPoint -Port 8443 -CertificatePath dp.pfx -CertificatePasswordFile dp.pass', remarks: 'Serves HTTPS.' },
  ],
  async run(p, ctx) {
    if (!Number.isInteger(p.Port) || p.Port < 0 || p.Port > 65535) throw new UsageError('EBAD_PORT', `-Port ${p.Port} is not a TCP port (0 to 65535).`);
    const tls = await tlsIdentity(p, ctx);
    const bar = ctx.progress('Distribution point', undefined, 'bytes');
    const dp = await startDistributionPoint({
      home: ctx.home, port: p.Port, now: () => ctx.now(),
      ...(p.Address !== undefined ? { address: p.Address } : {}),
      ...(tls ? { tls } : {}),
      onRequest: (r) => {
        ctx.verbose(`${r.method} ${r.path} ${r.status}${r.range ? ` (Range ${r.range})` : ''} ${r.bytes} bytes`);
        bar.update(dp.bytesSent, `${dp.url} ${dp.requests} requests`);
      },
    });
    try {
      ctx.verbose(`Listening on ${dp.url}; Ctrl+C stops the distribution point.`);
      bar.update(0, `${dp.url} listening`);
      if (p.UrlFile !== undefined) await writeFile(resolve(p.UrlFile), dp.url + '\n');
      await new Promise<void>((done) => {
        if (ctx.signal.aborted) done();
        else ctx.signal.addEventListener('abort', () => done(), { once: true });
      });
    } finally {
      await dp.close();
      bar.done();
    }
    return { Url: dp.url, Requests: dp.requests, BytesSent: dp.bytesSent, Stopped: ctx.now().toISOString() };
  },
};

const publish: CmdletSpec<{ Path: string; Id?: string[] }> = {
  name: 'Publish-TSContentLibrary',
  synopsis: 'Writes the distribution point layout as static files, for nginx, any web server or a storage bucket.',
  description: 'Every revision still in the catalog gets content/<ID>/<SourceVersion>.json, the current one also current.json, and every file files/<sha256>. Files are written under temporary names and renamed; files already published are skipped, so publishing again writes only what changed. Nothing is deleted.',
  parameters: [
    { name: 'Path', type: 'string', mandatory: true, position: 0, help: 'The folder the web server serves.' },
    { name: 'Id', type: 'string', array: true, aliases: ['PackageId'], help: 'Only these content items (default: all).' },
  ],
  defaultView: ['Path', 'Items', 'Manifests', 'FilesWritten', 'FilesSkipped', 'BytesWritten'],
  examples: [{ code: 'tsmedia Publish-TSContentLibrary -Path /var/www/dp', remarks: 'Publishes the whole content library for nginx to serve.' }],
  async run(p, ctx) {
    const dir = resolve(p.Path);
    if (!ctx.shouldProcess(dir, 'Publish-TSContentLibrary')) return undefined;
    let bar: ReturnType<CmdletContext['progress']> | undefined;
    try {
      return await publishContentLibrary(ctx.home, ctx.now(), dir, {
        ...(p.Id ? { ids: p.Id } : {}), signal: ctx.signal,
        onTotal: (bytes) => { bar = ctx.progress('Publishing the content library', bytes, 'bytes'); },
        onBytes: (n) => bar?.tick(n),
      });
    } finally {
      bar?.done();
    }
  },
};

export const distributionPointCmdlets: CmdletSpec<any>[] = [startDp, publish];
