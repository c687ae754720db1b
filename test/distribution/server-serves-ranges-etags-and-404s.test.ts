import test from 'ava';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import forge from 'node-forge';
import { readCatalog } from '../../lib/catalog/catalog.js';
import { blobLocation, getManifest } from '../../lib/catalog/content.js';
import { readBlob } from '../../lib/content/library.js';
import { cmdlets } from '../../lib/cmdlets/index.js';
import { DistributionPointClient } from '../../lib/distribution/client.js';
import { startDistributionPoint } from '../../lib/distribution/server.js';
import type { RequestLogEntry } from '../../lib/distribution/server.js';
import { exportPfx } from '../../lib/media/certificate.js';
import { closePool } from '../../lib/pool/pool.js';
import { runCommandLine } from '../../lib/shell/run-command-line.js';
import { tempDir } from '../helpers/tmp.js';
import { testIO } from '../shell/shell-io.js';
import { makeLibrary, NOW } from './prestaged-fixture.js';

test.after.always(closePool);

/** A raw request (fetch would hide some of what is checked here: HEAD bodies, odd paths). */
function raw(url: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // the path goes as written (a URL object would resolve '..' before sending)
    const m = /^http:\/\/([^/:]+):(\d+)(\/.*)$/.exec(url)!;
    const req = request({ host: m[1], port: Number(m[2]), path: m[3], method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('manifests by ID and version, files by SHA-256 with Range, ETag, HEAD and the right error codes', async (t) => {
  const lib = await makeLibrary(t);
  const log: RequestLogEntry[] = [];
  const dp = await startDistributionPoint({ home: lib.home, port: 0, onRequest: (e) => log.push(e) });
  t.teardown(() => dp.close());
  t.regex(dp.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);

  const files = await readCatalog(lib.home, NOW, (db) => getManifest(db, lib.drivers, 1));
  const big = files.find((f) => f.path === 'net/e1000.sys')!;
  const bytes = await readCatalog(lib.home, NOW, (db) => readBlob(lib.home, blobLocation(db, big.sha256)));

  // manifests
  const cur = await raw(`${dp.url}content/${lib.drivers}/current.json`);
  t.is(cur.status, 200);
  const doc = JSON.parse(cur.body.toString('utf8'));
  t.deepEqual(Object.keys(doc), ['Id', 'Name', 'Type', 'SourceVersion', 'Files']);
  t.is(doc.Type, 'DriverPackage');
  t.deepEqual(doc.Files.map((f: { Path: string }) => f.Path), ['net/e1000.inf', 'net/e1000.sys', 'video/gfx.sys']);
  const v1 = await raw(`${dp.url}content/${lib.drivers}/1.json`);
  t.deepEqual(v1.body, cur.body);
  t.is(v1.headers.etag, `"${createHash('sha256').update(v1.body).digest('hex')}"`);
  t.is((await raw(`${dp.url}content/${lib.drivers}/1.json`, 'GET', { 'If-None-Match': String(v1.headers.etag) })).status, 304);
  t.is((await raw(`${dp.url}content/${lib.drivers}/2.json`)).status, 404);
  t.is((await raw(`${dp.url}content/PS1FFFFF/current.json`)).status, 404);
  t.is((await raw(`${dp.url}content/not-an-id/current.json`)).status, 400);
  t.is((await raw(`${dp.url}content/${lib.drivers}/0.json`)).status, 400);

  // files
  const url = `${dp.url}files/${big.sha256}`;
  const whole = await raw(url);
  t.is(whole.status, 200);
  t.true(whole.body.equals(bytes));
  t.is(whole.headers.etag, `"${big.sha256}"`);
  t.is(whole.headers['accept-ranges'], 'bytes');
  t.is(whole.headers['content-length'], String(big.size));

  const part = await raw(url, 'GET', { Range: 'bytes=1000-1999' });
  t.is(part.status, 206);
  t.is(part.headers['content-range'], `bytes 1000-1999/${big.size}`);
  t.true(part.body.equals(bytes.subarray(1000, 2000)));
  const open = await raw(url, 'GET', { Range: `bytes=${big.size - 10}-` });
  t.true(open.body.equals(bytes.subarray(big.size - 10)));
  const suffix = await raw(url, 'GET', { Range: 'bytes=-5' });
  t.is(suffix.status, 206);
  t.true(suffix.body.equals(bytes.subarray(big.size - 5)));
  const beyond = await raw(url, 'GET', { Range: `bytes=${big.size}-` });
  t.is(beyond.status, 416);
  t.is(beyond.headers['content-range'], `bytes */${big.size}`);
  const multi = await raw(url, 'GET', { Range: 'bytes=0-1,5-6' });
  t.is(multi.status, 200, 'several ranges: the whole file');
  t.is(multi.body.length, big.size);
  const staleIfRange = await raw(url, 'GET', { Range: 'bytes=10-', 'If-Range': '"0000"' });
  t.is(staleIfRange.status, 200, 'If-Range with another ETag: the whole file');
  const goodIfRange = await raw(url, 'GET', { Range: 'bytes=10-', 'If-Range': `"${big.sha256}"` });
  t.is(goodIfRange.status, 206);
  t.is((await raw(url, 'GET', { 'If-None-Match': `"${big.sha256}"` })).status, 304);
  const head = await raw(url, 'HEAD');
  t.is(head.status, 200);
  t.is(head.headers['content-length'], String(big.size));
  t.is(head.body.length, 0);

  t.is((await raw(`${dp.url}files/${'0'.repeat(64)}`)).status, 404);
  t.is((await raw(`${dp.url}files/${big.sha256.toUpperCase()}`)).status, 400);
  t.is((await raw(`${dp.url}files/../catalog.sqlite`)).status, 400);
  t.is((await raw(`${dp.url}files/%2e%2e/x`)).status, 400);
  t.is((await raw(`${dp.url}catalog.sqlite`)).status, 404);
  const post = await raw(url, 'POST');
  t.is(post.status, 405);
  t.is(post.headers.allow, 'GET, HEAD');

  t.true(log.some((e) => e.range === 'bytes=1000-1999' && e.status === 206 && e.bytes === 1000));
  t.is(dp.requests, log.length);
});

/** A self-signed server certificate for 127.0.0.1, as a PFX. */
function serverPfx(password: string): { pfx: Buffer; certPem: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const name = [{ name: 'commonName', value: '127.0.0.1' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const pfx = exportPfx({ certificatePem: certPem, privateKeyPem: forge.pki.privateKeyToPem(keys.privateKey), chainPem: [] }, password);
  return { pfx, certPem };
}

test('Start-TSDistributionPoint serves HTTPS from a PFX and stops cleanly on SIGTERM', async (t) => {
  const lib = await makeLibrary(t);
  const dir = await tempDir(t);
  const { pfx, certPem } = serverPfx('dp-secret');
  await writeFile(join(dir, 'dp.pfx'), pfx);
  await writeFile(join(dir, 'dp.pass'), 'dp-secret\n');
  const urlFile = join(dir, 'url.txt');
  const stop = new AbortController();
  const io = testIO({ env: { TSMEDIA_HOME: lib.home, SOURCE_DATE_EPOCH: '1767225600' }, signal: stop.signal });
  const running = runCommandLine(['Start-TSDistributionPoint', '-Port', '0', '-CertificatePath', join(dir, 'dp.pfx'), '-CertificatePasswordFile', join(dir, 'dp.pass'), '-UrlFile', urlFile], io, cmdlets);
  let url = '';
  for (let i = 0; i < 200 && !url; i++) {
    url = (await readFile(urlFile, 'utf8').catch(() => '')).trim();
    if (!url) await sleep(25);
  }
  t.regex(url, /^https:\/\/127\.0\.0\.1:\d+\/$/, io.stderr.text);
  const client = new DistributionPointClient({ urls: [url], ca: certPem, rounds: 1 });
  const m = await client.getManifest(lib.apps, 'current');
  t.is(m.Name, 'Apps');
  // without the CA, the client refuses the server
  const untrusting = new DistributionPointClient({ urls: [url], rounds: 1 });
  await t.throwsAsync(untrusting.getManifest(lib.apps, 'current'), { code: 'EDOWNLOAD' });

  stop.abort('SIGTERM');
  const code = await running;
  t.is(code, 143);
  // the port is closed: a new connection is refused
  await t.throwsAsync(new DistributionPointClient({ urls: [url], ca: certPem, rounds: 1 }).getManifest(lib.apps, 'current'), { message: /ECONNREFUSED/ });
});
