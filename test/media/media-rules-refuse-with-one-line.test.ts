// Every media rule is one clear error line naming the fix, with a non-zero exit, no output file and
// nothing recorded in the catalog.
import test from 'ava';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../helpers/run.js';
import { sampleSite } from './sample-site.js';
import type { SampleSite } from './sample-site.js';

async function refused(t: import('ava').ExecutionContext, site: SampleSite, argv: string[], pattern: RegExp): Promise<void> {
  const out = join(site.dir, 'refused.out');
  const r = await site.run([...argv, '-Path', out]);
  t.not(r.code, 0, `${argv[0]} should fail`);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('WARNING:'));
  t.is(lines.length, 1, r.stderr);
  t.regex(r.stderr, pattern);
  t.false(existsSync(out), 'no output file');
  t.deepEqual(await site.ok(['Get-TSMedia']), [], 'nothing recorded');
  t.deepEqual((await readdir(site.dir)).filter((f) => f.includes('partial') || f.startsWith('refused')), [], 'no partial file');
}

async function rootCa(dir: string, name: string): Promise<string> {
  const key = join(dir, `${name}.key`);
  const pem = join(dir, `${name}.pem`);
  const r = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name} Root CA`, '-days', '3650', '-keyout', key, '-out', pem]);
  if (r.code !== 0) throw new Error(r.stderr);
  return pem;
}

test('HTTPS boot media are refused at a central administration site', async (t) => {
  const site = await sampleSite(t);
  await site.ok(['New-CMSite', '-SiteCode', 'CAS', '-SiteName', 'Central', '-Type', 'CentralAdministration', '-Https']);
  await site.ok(['Add-CMManagementPoint', '-SiteCode', 'CAS', '-Url', 'https://mp.cas.contoso.com/']);
  await refused(t, site, ['New-CMBootableMedia', '-SiteCode', 'CAS', '-BootImage', site.ids.boot, '-MediaType', 'CdDvd', '-CertificateStartTime', '2026-01-01', '-CertificateExpireTime', '2027-01-01'],
    /must be created at a primary site.*-SiteCode of a primary site/);
});

test('dynamic HTTPS media need every primary to hold the root CA; site-based media do not', async (t) => {
  const site = await sampleSite(t);
  const ps2 = await rootCa(site.dir, 'ps2');
  const ps3 = await rootCa(site.dir, 'ps3');
  await site.ok(['New-CMSite', '-SiteCode', 'PS2', '-SiteName', 'Branch', '-Type', 'Primary', '-Https', '-RootCertificatePath', ps2]);
  await site.ok(['New-CMSite', '-SiteCode', 'PS3', '-SiteName', 'Other', '-Type', 'Primary', '-Https', '-RootCertificatePath', ps3]);
  await site.ok(['Add-CMManagementPoint', '-SiteCode', 'PS2', '-Url', 'https://mp.ps2.contoso.com/']);
  const argv = ['New-CMBootableMedia', '-SiteCode', 'PS2', '-BootImage', site.ids.boot, '-MediaType', 'CdDvd', '-CertificateStartTime', '2026-01-01', '-CertificateExpireTime', '2027-01-01'];
  await refused(t, site, argv, /every primary site to hold the root CA of PS2.*-MediaMode SiteBased/);
  const iso = join(site.dir, 'sitebased.iso');
  const built = await site.ok([...argv, '-MediaMode', 'SiteBased', '-Path', iso]);
  t.is(built.Kind, 'Bootable');
  const info = await site.ok(['Get-TSMediaInfo', '-Path', iso]);
  t.is(info.MediaMode, 'SiteBased');
  t.regex(info.CertificateThumbprint, /^[0-9A-F]{40}$/);
  t.regex(info.Variables._SMSTSRootCACerts, /^MII/, 'the root CA goes on the media');
  t.true((await readFile(ps2, 'utf8')).replace(/-----[^-]+-----|\s/g, '').startsWith(info.Variables._SMSTSRootCACerts.split('*')[0]));
});

test('HTTPS media without a certificate are refused', async (t) => {
  const site = await sampleSite(t);
  await site.ok(['Add-CMManagementPoint', '-SiteCode', 'PS1', '-Url', 'https://mp2.contoso.com/']);
  await refused(t, site, ['New-CMBootableMedia', '-BootImage', site.ids.boot, '-MediaType', 'Usb', '-ManagementPoint', 'https://mp2.contoso.com/', '-MediaMode', 'SiteBased'],
    /need a client certificate.*-CertificatePath/);
});

test('a prestart package without a command, an expiration before the start, a missing OS image index', async (t) => {
  const site = await sampleSite(t);
  await refused(t, site, ['New-CMBootableMedia', '-BootImage', site.ids.boot, '-MediaType', 'CdDvd', '-PrestartPackage', site.ids.scripts], /without -PrestartCommand/);
  await refused(t, site, ['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd', '-MediaStartDate', '2026-03-01', '-MediaExpirationDate', '2026-02-01'], /must be later than -MediaStartDate/);
  await refused(t, site, ['New-CMPrestageMedia', '-TaskSequence', 'Deploy', '-BootImage', site.ids.boot, '-OperatingSystemImage', site.ids.os, '-OperatingSystemImageIndex', '3'], /-OperatingSystemImageIndex 3 does not exist.*1 to 2/);
  await refused(t, site, ['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'Usb', '-MediaSize', '2MB'], /larger -MediaSize/);
});

test('content damaged or missing in the library is refused, never copied to media', async (t) => {
  const site = await sampleSite(t);
  const packs = join(site.home, 'library', 'packs');
  // the office package's pack: flip one byte of a file's data
  const office = (await readdir(packs)).sort()[2]!;
  const bytes = await readFile(join(packs, office));
  bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
  await writeFile(join(packs, office), bytes);
  await refused(t, site, ['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd'], /content library is damaged/);
});

test('an existing output is kept unless -Force', async (t) => {
  const site = await sampleSite(t);
  const iso = join(site.dir, 'taken.iso');
  await writeFile(iso, 'keep me');
  const r = await site.run(['New-CMCaptureMedia', '-BootImage', site.ids.boot, '-MediaType', 'CdDvd', '-Path', iso]);
  t.not(r.code, 0);
  t.regex(r.stderr, /-Force/);
  t.is(await readFile(iso, 'utf8'), 'keep me');
  await site.ok(['New-CMCaptureMedia', '-BootImage', site.ids.boot, '-MediaType', 'CdDvd', '-Path', iso, '-Force']);
  t.not(await readFile(iso, 'utf8'), 'keep me');
});

test('-WhatIf says what it would build and builds nothing', async (t) => {
  const site = await sampleSite(t);
  const iso = join(site.dir, 'whatif.iso');
  const r = await site.run(['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd', '-Path', iso, '-WhatIf']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout + r.stderr, /What if: Performing the operation "New-CMStandaloneMedia" on target ".*whatif\.iso"/);
  t.false(existsSync(iso));
  t.deepEqual(await site.ok(['Get-TSMedia']), []);
});
