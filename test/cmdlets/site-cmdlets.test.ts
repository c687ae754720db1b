import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { tsmedia } from '../helpers/tsmedia.js';

test('sites, distribution points and management points through the command line', async (t) => {
  const home = await tempDir(t);
  const certDir = await tempDir(t);
  const pem = join(certDir, 'root.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(certDir, 'k.pem'), '-out', pem, '-days', '30', '-subj', '/CN=Contoso Root CA'], { stdio: 'ignore' });

  t.deepEqual((await tsmedia(home, ['Get-CMSite', '-OutputFormat', 'Json'])).json().map((s: any) => s.SiteCode), ['PS1']);
  t.is((await tsmedia(home, ['New-CMSite', '-SiteCode', 'CAS', '-SiteName', 'Central', '-Type', 'centraladministration'])).code, 0);
  const ps2 = await tsmedia(home, ['New-CMSite', 'PS2', '-SiteName', 'Branch', '-Type', 'Primary', '-ParentSiteCode', 'CAS', '-Https', '-RootCertificatePath', pem, '-OutputFormat', 'Json']);
  t.is(ps2.code, 0, ps2.stderr);
  t.like(ps2.json(), { SiteCode: 'PS2', Type: 'Primary', ParentSiteCode: 'CAS', Https: true });
  t.regex(ps2.json().RootCertificateThumbprint, /^[0-9A-F]{40}$/);

  const notCert = await tsmedia(home, ['New-CMSite', 'PS3', '-SiteName', 'x', '-Type', 'Primary', '-RootCertificatePath', join(certDir, 'k.pem')]);
  t.is(notCert.code, 2);
  t.regex(notCert.stderr, /not a PEM X.509 certificate/);
  const badType = await tsmedia(home, ['New-CMSite', 'PS3', '-SiteName', 'x', '-Type', 'Secondary']);
  t.is(badType.code, 2);
  t.regex(badType.stderr, /Primary.*CentralAdministration|CentralAdministration.*Primary/);

  t.is((await tsmedia(home, ['Add-CMDistributionPoint', '-SiteCode', 'PS2', '-Url', 'https://dp1.contoso.com/'])).code, 0);
  t.is((await tsmedia(home, ['Add-CMManagementPoint', '-SiteCode', 'PS1', '-Url', 'http://mp1.contoso.com'])).code, 0);
  const dup = await tsmedia(home, ['Add-CMDistributionPoint', '-SiteCode', 'PS2', '-Url', 'https://dp1.contoso.com/']);
  t.is(dup.code, 1);
  t.regex(dup.stderr, /already registered/);
  const badUrl = await tsmedia(home, ['Add-CMManagementPoint', '-SiteCode', 'PS1', '-Url', 'ftp://x']);
  t.is(badUrl.code, 2);
  const noSite = await tsmedia(home, ['Add-CMManagementPoint', '-SiteCode', 'ZZ9', '-Url', 'http://x']);
  t.regex(noSite.stderr, /No site with code 'ZZ9'/);

  t.deepEqual((await tsmedia(home, ['Get-CMDistributionPoint', '-OutputFormat', 'Json'])).json().map((d: any) => [d.SiteCode, d.Url]), [['PS2', 'https://dp1.contoso.com/']]);
  t.deepEqual((await tsmedia(home, ['Get-CMManagementPoint', 'PS1', '-OutputFormat', 'Json'])).json().map((d: any) => d.Url), ['http://mp1.contoso.com/']);
});
