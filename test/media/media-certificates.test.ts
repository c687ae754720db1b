import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TsmediaError } from '../../lib/errors.js';
import {
  checkCertificateUsable, createSelfSignedCertificate, exportPfx, generateMediaKeyPair, importPfx, mediaCertificateCacheKey,
} from '../../lib/media/certificate.js';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tmp.js';

const start = new Date('2026-01-01T00:00:00Z');
const expire = new Date('2027-01-01T00:00:00Z');
const keyPem = generateMediaKeyPair();

async function opensslPfx(t: import('ava').ExecutionContext, extra: string[]): Promise<{ pfx: Buffer; certPem: string }> {
  const dir = await tempDir(t);
  const req = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
    '-days', '30', '-subj', '/CN=pki-client.contoso.com', '-addext', 'extendedKeyUsage=clientAuth']);
  t.is(req.code, 0, req.stderr);
  const exp = await run('openssl', ['pkcs12', '-export', ...extra, '-in', join(dir, 'c.pem'), '-inkey', join(dir, 'k.pem'), '-out', join(dir, 'x.pfx'), '-passout', 'pass:Pfx-Pa55']);
  t.is(exp.code, 0, exp.stderr);
  return { pfx: await readFile(join(dir, 'x.pfx')), certPem: await readFile(join(dir, 'c.pem'), 'utf8') };
}

for (const [name, extra] of [['OpenSSL 3 default (AES-256, PBES2)', []], ['-legacy (RC2/3DES, SHA-1 MAC)', ['-legacy']]] as const) {
  test(`a PFX from openssl pkcs12 -export ${name} imports with its password`, async (t) => {
    const { pfx, certPem } = await opensslPfx(t, [...extra]);
    const cert = importPfx(pfx, 'Pfx-Pa55');
    const want = new X509Certificate(certPem);
    t.is(cert.thumbprint, want.fingerprint.replace(/:/g, ''));
    t.true(cert.clientAuth);
    t.regex(cert.subject, /pki-client\.contoso\.com/);
    t.true(new X509Certificate(cert.certificatePem).checkPrivateKey((await import('node:crypto')).createPrivateKey(cert.privateKeyPem)));
    const err = t.throws<TsmediaError>(() => importPfx(pfx, 'wrong'));
    t.is(err?.code, 'EBAD_CERTIFICATE_PASSWORD');
    t.regex(err!.message, /-CertificatePassword/);
  });
}

test('garbage is a FormatError, not a crash', (t) => {
  t.is(t.throws<TsmediaError>(() => importPfx(Buffer.from('not a pfx at all'), 'x'))?.name, 'FormatError');
  t.is(t.throws<TsmediaError>(() => importPfx(Buffer.alloc(0), 'x'))?.name, 'FormatError');
  const bytes = Buffer.from([0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x03]);
  t.is(t.throws<TsmediaError>(() => importPfx(bytes, 'x'))?.name, 'FormatError');
});

test('a self-signed media certificate has the right validity, EKU and algorithm for node:crypto', (t) => {
  const cert = createSelfSignedCertificate({ privateKeyPem: keyPem, siteCode: 'ps1', notBefore: start, notAfter: expire });
  const x = new X509Certificate(cert.certificatePem);
  t.is(new Date(x.validFrom).toISOString(), start.toISOString());
  t.is(new Date(x.validTo).toISOString(), expire.toISOString());
  t.deepEqual(x.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  t.regex(x.subject, /SMS Media Certificate PS1/);
  t.true(x.verify(x.publicKey), 'self-signed: verifies with its own key');
  t.is(x.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  t.false(x.ca);
  t.throws(() => createSelfSignedCertificate({ privateKeyPem: keyPem, siteCode: 'PS1', notBefore: expire, notAfter: start }), { message: /later than/ });
});

test('the same stored key and window give the same certificate and PFX bytes', (t) => {
  const a = createSelfSignedCertificate({ privateKeyPem: keyPem, siteCode: 'PS1', notBefore: start, notAfter: expire });
  const b = createSelfSignedCertificate({ privateKeyPem: keyPem, siteCode: 'PS1', notBefore: start, notAfter: expire });
  t.is(a.certificatePem, b.certificatePem);
  t.true(exportPfx(a, 'pw').equals(exportPfx(b, 'pw')));
  t.false(exportPfx(a, 'pw').equals(exportPfx(a, 'pw2')));
  t.is(mediaCertificateCacheKey('ps1', start, expire), 'media-cert/PS1/2026-01-01T00:00:00.000Z/2027-01-01T00:00:00.000Z');
});

test('our PFX is read back by openssl and by our importer', async (t) => {
  const cert = createSelfSignedCertificate({ privateKeyPem: keyPem, siteCode: 'PS1', notBefore: start, notAfter: expire });
  const pfx = exportPfx(cert, 'Export-Pw');
  const dir = await tempDir(t);
  await writeFile(join(dir, 'm.pfx'), pfx);
  const r = await run('openssl', ['pkcs12', '-in', join(dir, 'm.pfx'), '-passin', 'pass:Export-Pw', '-nokeys', '-clcerts']);
  t.is(r.code, 0, r.stderr);
  t.is(new X509Certificate(r.stdout.slice(r.stdout.indexOf('-----BEGIN'))).fingerprint.replace(/:/g, ''), cert.thumbprint);
  const bad = await run('openssl', ['pkcs12', '-in', join(dir, 'm.pfx'), '-passin', 'pass:nope', '-nokeys']);
  t.not(bad.code, 0);
  t.is(importPfx(pfx, 'Export-Pw').thumbprint, cert.thumbprint);
});

test('an expired certificate or one without client authentication is not usable', async (t) => {
  const cert = createSelfSignedCertificate({ privateKeyPem: keyPem, siteCode: 'PS1', notBefore: start, notAfter: expire });
  t.notThrows(() => checkCertificateUsable(cert, new Date('2026-06-01T00:00:00Z')));
  t.is(t.throws<TsmediaError>(() => checkCertificateUsable(cert, new Date('2027-06-01T00:00:00Z')))?.code, 'ECERTIFICATE_EXPIRED');
  const dir = await tempDir(t);
  const req = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', '/CN=server', '-addext', 'extendedKeyUsage=serverAuth']);
  t.is(req.code, 0, req.stderr);
  const exp = await run('openssl', ['pkcs12', '-export', '-in', join(dir, 'c.pem'), '-inkey', join(dir, 'k.pem'), '-out', join(dir, 's.pfx'), '-passout', 'pass:p']);
  t.is(exp.code, 0, exp.stderr);
  const server = importPfx(await readFile(join(dir, 's.pfx')), 'p');
  t.false(server.clientAuth);
  t.regex(t.throws(() => checkCertificateUsable(server, new Date()))!.message, /client authentication/);
});
