// The stand-alone validity window is recorded in the clear bootstrap settings and in the sealed
// variables, and Get-TSMediaInfo tells whether the media would run now; an imported PKI
// certificate (-CertificatePath, a PFX openssl made) goes on bootable media with its thumbprint.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../helpers/run.js';
import { sampleSite } from './sample-site.js';

test('a stand-alone window: NotYetValid before it, Valid inside, Expired after; sealed copy matches', async (t) => {
  const site = await sampleSite(t);
  const iso = join(site.dir, 'window.iso');
  const env = { TSMEDIA_MEDIA_PASSWORD: 'w' };
  await site.ok(['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd', '-Path', iso,
    '-MediaStartDate', '2026-02-01T00:00:00Z', '-MediaExpirationDate', '2026-03-01T00:00:00Z'], env);
  const at = async (epoch: string): Promise<{ WindowStatus: string; MediaStartDate: string; MediaExpirationDate: string; Variables: Record<string, string> }> =>
    site.ok(['Get-TSMediaInfo', '-Path', iso, '-MediaPassword', 'w'], { SOURCE_DATE_EPOCH: epoch });
  const before = await at(String(Date.UTC(2026, 0, 15) / 1000));
  t.is(before.WindowStatus, 'NotYetValid');
  t.is(before.MediaStartDate, '2026-02-01T00:00:00.000Z');
  t.is(before.MediaExpirationDate, '2026-03-01T00:00:00.000Z');
  t.is(before.Variables._TSMediaStartDate, '2026-02-01T00:00:00.000Z');
  t.is(before.Variables._TSMediaExpirationDate, '2026-03-01T00:00:00.000Z');
  t.is((await at(String(Date.UTC(2026, 1, 15) / 1000))).WindowStatus, 'Valid');
  t.is((await at(String(Date.UTC(2026, 2, 2) / 1000))).WindowStatus, 'Expired');
});

test('bootable media carry an imported PKI certificate: thumbprint in the bootstrap, PFX in the variables', async (t) => {
  const site = await sampleSite(t);
  const [key, cert, pfx] = ['k.pem', 'c.pem', 'client.pfx'].map((f) => join(site.dir, f));
  const req = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key!, '-out', cert!, '-days', '3650',
    '-subj', '/CN=pki-client.contoso.com', '-addext', 'extendedKeyUsage=clientAuth']);
  t.is(req.code, 0, req.stderr);
  t.is((await run('openssl', ['pkcs12', '-export', '-in', cert!, '-inkey', key!, '-out', pfx!, '-passout', 'pass:Pfx-Pa55'])).code, 0);
  const pw = join(site.dir, 'pfx-password.txt');
  await writeFile(pw, 'Pfx-Pa55\n');
  await site.ok(['Add-CMManagementPoint', '-SiteCode', 'PS1', '-Url', 'https://mp9.contoso.com/']);
  const img = join(site.dir, 'pki.img');
  await site.ok(['New-CMBootableMedia', '-BootImage', site.ids.boot, '-MediaType', 'Usb', '-Path', img, '-ManagementPoint', 'https://mp9.contoso.com/',
    '-MediaMode', 'SiteBased', '-CertificatePath', pfx!, '-CertificatePasswordFile', pw]);
  const info = await site.ok(['Get-TSMediaInfo', '-Path', img]);
  const thumbprint = new X509Certificate(await readFile(cert!)).fingerprint.replace(/:/g, '');
  t.is(info.CertificateThumbprint, thumbprint);
  t.regex(info.Variables._SMSTSMediaPFX, /^[0-9A-F]+$/);
  t.is(info.Variables.SMSTSMP, 'https://mp9.contoso.com/');
  const wrong = await site.run(['New-CMBootableMedia', '-BootImage', site.ids.boot, '-MediaType', 'Usb', '-Path', join(site.dir, 'x.img'),
    '-ManagementPoint', 'https://mp9.contoso.com/', '-MediaMode', 'SiteBased', '-CertificatePath', pfx!, '-CertificatePassword', 'nope']);
  t.not(wrong.code, 0);
  t.regex(wrong.stderr, /certificate password is wrong/);
});
