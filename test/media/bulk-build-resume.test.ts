// -Resume: entries whose output is on record, whole, and would get the same media id from today's
// content revisions and their parameters are Skipped (whatever the clock); an entry whose content
// was revised (Update-CMContent) is rebuilt over its old output, and one whose file is gone or
// whose parameters changed is built again.
import test from 'ava';
import { appendFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sampleSite } from './sample-site.js';

test('-Resume skips built media and rebuilds revised, missing and changed ones', async (t) => {
  const site = await sampleSite(t);
  const p = (n: string): string => join(site.dir, n);
  const entries = (label: string): object[] => [
    { Entry: 'deploy', Cmdlet: 'New-CMStandaloneMedia', TaskSequence: 'Deploy', MediaType: 'CdDvd', Path: p('deploy.iso') },
    { Entry: 'capture', Cmdlet: 'New-CMCaptureMedia', BootImage: 'WinPE x64', MediaType: 'CdDvd', Path: p('capture.iso') },
    { Entry: 'boot', Cmdlet: 'New-CMBootableMedia', BootImage: 'WinPE x64', MediaType: 'Usb', Path: p('boot.img'), MediaLabel: label },
    { Entry: 'gone', Cmdlet: 'New-CMCaptureMedia', BootImage: 'WinPE x64', MediaType: 'CdDvd', Path: p('gone.iso') },
  ];
  const manifest = p('builds.json');
  await writeFile(manifest, JSON.stringify(entries('BOOT')));
  const status = async (env: Record<string, string> = {}): Promise<string[]> => {
    const r = await site.run(['Invoke-TSMediaBuild', manifest, '-Resume', '-OutputFormat', 'Json'], env);
    t.is(r.code, 0, r.stderr);
    return r.json<any[]>().map((x) => `${x.Entry}:${x.Status}`);
  };
  t.deepEqual(await status(), ['deploy:Built', 'capture:Built', 'boot:Built', 'gone:Built'], 'nothing on record: all built');
  // another clock: the media id is computed at the recorded build time, so nothing is stale
  t.deepEqual(await status({ SOURCE_DATE_EPOCH: '1800000000' }), ['deploy:Skipped', 'capture:Skipped', 'boot:Skipped', 'gone:Skipped']);

  // the driver package (held by the Deploy sequence) is revised; gone.iso is deleted; boot's label changes
  await appendFile(join(site.sources, 'drivers', 'net', 'e1d.inf'), 'DriverVer=2.0\r\n');
  const rev = await site.ok(['Update-CMContent', '-Id', site.ids.drivers]);
  t.is(rev.SourceVersion, 2);
  await rm(p('gone.iso'));
  await writeFile(manifest, JSON.stringify(entries('BOOT2')));
  const before = await stat(p('capture.iso'));
  t.deepEqual(await status(), ['deploy:Built', 'capture:Skipped', 'boot:Built', 'gone:Built']);
  t.is((await stat(p('capture.iso'))).mtimeMs, before.mtimeMs, 'a skipped medium is not touched');
  const deploy = (await site.ok(['Get-TSMedia', '-MediaId', p('deploy.iso')]));
  t.is(deploy.length, 1, 'the rebuilt medium replaced its record');
  t.true(deploy[0].Content.includes(`${site.ids.drivers} v2`), deploy[0].Content.join(', '));

  // a truncated output is not whole: rebuilt
  const cut = await stat(p('capture.iso'));
  await writeFile(p('capture.iso'), Buffer.alloc(cut.size - 2048));
  t.deepEqual(await status(), ['deploy:Skipped', 'capture:Built', 'boot:Skipped', 'gone:Skipped']);
});
