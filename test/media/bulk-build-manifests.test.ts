// Invoke-TSMediaBuild over the sample site: a JSON manifest of every media kind and a CSV one
// build concurrently, each medium byte-identical to the same medium built on its own, every one
// recorded in the catalog; a bad entry is one usage error (exit 2) naming the entry and the
// parameter, and nothing is built.
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sampleSite } from './sample-site.js';

test('a JSON manifest of every kind builds concurrently, byte-identical to single builds, all recorded', async (t) => {
  const site = await sampleSite(t);
  const out = (n: string): string => join(site.dir, 'bulk', n);
  const single = (n: string): string => join(site.dir, 'single', n);
  // each entry as a command line: the manifest gives the same parameters by the same names
  const media: Array<{ entry: Record<string, unknown>; argv: string[]; file: string }> = [
    { file: 'capture.iso', entry: { Entry: 'capture', Cmdlet: 'New-CMCaptureMedia', BootImage: 'WinPE x64', MediaType: 'CdDvd' },
      argv: ['New-CMCaptureMedia', '-BootImage', 'WinPE x64', '-MediaType', 'CdDvd'] },
    { file: 'boot.img', entry: { Entry: 'boot-usb', Kind: 'Bootable', BootImageId: site.ids.boot, MediaType: 'usb', ManagementPoint: ['mp1.contoso.com'], AllowUnknownMachine: true },
      argv: ['New-CMBootableMedia', '-BootImageId', site.ids.boot, '-MediaType', 'Usb', '-ManagementPoint', 'mp1.contoso.com', '-AllowUnknownMachine'] },
    { file: 'branch.iso', entry: { Entry: 'branch-iso', Cmdlet: 'new-cmstandalonemedia', TaskSeq: 'Deploy', MediaType: 'CdDvd', Variable: { OSDComputerName: 'BR01', Site: 'North' } },
      argv: ['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd', '-Variable', 'OSDComputerName=BR01,Site=North'] },
    { file: 'branch.img', entry: { Entry: 'branch-usb', Kind: 'StandAlone', TaskSequence: 'Deploy', MediaType: 'Usb', Package: [site.ids.office, site.ids.scripts] },
      argv: ['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'Usb', '-Package', `${site.ids.office},${site.ids.scripts}`] },
    { file: 'oem.wim', entry: { Entry: 'oem', Cmdlet: 'New-CMPrestageMedia', TaskSequence: 'Deploy', BootImage: 'WinPE x64', OperatingSystemImage: 'Windows 11', DriverPackage: [site.ids.drivers] },
      argv: ['New-CMPrestageMedia', '-TaskSequence', 'Deploy', '-BootImage', 'WinPE x64', '-OperatingSystemImage', 'Windows 11', '-DriverPackage', site.ids.drivers] },
  ];
  await mkdir(join(site.dir, 'bulk'));
  await mkdir(join(site.dir, 'single'));
  const manifest = join(site.dir, 'builds.json');
  await writeFile(manifest, JSON.stringify({ Builds: media.map((m) => ({ ...m.entry, Path: out(m.file) })) }, null, 2));
  const r = await site.run(['Invoke-TSMediaBuild', '-Manifest', manifest, '-ThrottleLimit', '3', '-OutputFormat', 'Json']);
  t.is(r.code, 0, r.stderr);
  const rows = r.json<any[]>();
  t.deepEqual(rows.map((x) => [x.Entry, x.Kind, x.Status, x.Error]), [
    ['capture', 'Capture', 'Built', null], ['boot-usb', 'Bootable', 'Built', null], ['branch-iso', 'StandAlone', 'Built', null],
    ['branch-usb', 'StandAlone', 'Built', null], ['oem', 'Prestaged', 'Built', null],
  ]);
  t.deepEqual(rows.map((x) => x.Output), media.map((m) => out(m.file)));
  t.true(rows.every((x) => x.SizeBytes > 0 && x.ContentItems >= 1 && typeof x.Seconds === 'number'));

  // the catalog has all five (builds finishing together all land), with the ids the rows give
  const recorded = await site.ok(['Get-TSMedia']);
  t.deepEqual(recorded.map((m: any) => m.Path).sort(), media.map((m) => out(m.file)).sort());
  for (const row of rows) t.is(recorded.find((m: any) => m.Path === row.Output).MediaId, row.MediaId);

  // the same media built one by one: the same bytes (sharing and concurrency change nothing)
  for (const m of media) {
    const one = await site.ok([...m.argv, '-Path', single(m.file)]);
    t.is(one.MediaId, rows.find((x) => x.Output === out(m.file)).MediaId, m.file);
    t.true((await readFile(out(m.file))).equals(await readFile(single(m.file))), `${m.file}: same bytes`);
  }

  // the default view is the summary table
  const again = join(site.dir, 'again.json');
  await writeFile(again, JSON.stringify([{ Cmdlet: 'New-CMCaptureMedia', BootImage: 'WinPE x64', MediaType: 'CdDvd', Path: out('again.iso') }]));
  const table = await site.run(['Invoke-TSMediaBuild', again]);
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /^Entry\s+Kind\s+Output\s+SizeBytes\s+ContentItems\s+Seconds\s+Status\s+Error/m);
  t.regex(table.stdout, /^1\s+Capture\s.*Built/m);
});

test('a CSV manifest: quoted lists, switches and hashtables bind as on the command line; Csv output', async (t) => {
  const site = await sampleSite(t);
  const csv = [
    'Entry,Cmdlet,TaskSequence,MediaType,Path,Package,Variable,NoAutoRun,MediaLabel',
    `north,New-CMStandaloneMedia,Deploy,CdDvd,${join(site.dir, 'north.iso')},"${site.ids.office},${site.ids.scripts}","A=1,B=2",true,`,
    `"south, east",New-CMStandaloneMedia,Deploy,CdDvd,${join(site.dir, 'south.iso')},,,,"Branch ""South"""`,
  ].join('\r\n') + '\r\n';
  const manifest = join(site.dir, 'builds.csv');
  await writeFile(manifest, csv);
  const r = await site.run(['Invoke-TSMediaBuild', manifest, '-OutputFormat', 'Csv']);
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\r\n');
  t.is(lines[0], 'Entry,Kind,Output,SizeBytes,ContentItems,Seconds,Status,Error,MediaId');
  t.regex(lines[1]!, /^north,StandAlone,.*north\.iso,\d+,\d+,[\d.]+,Built,,/);
  t.regex(lines[2]!, /^"south, east",StandAlone,.*,Built,,/);
  const north = await site.ok(['Get-TSMediaInfo', '-Path', join(site.dir, 'north.iso')]);
  t.is(north.Variables.A, '1');
  t.is(north.Variables.B, '2');
  await site.ok(['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd', '-NoAutoRun', '-Variable', 'A=1,B=2',
    '-Package', `${site.ids.office},${site.ids.scripts}`, '-Path', join(site.dir, 'north-single.iso')]);
  t.true((await readFile(join(site.dir, 'north.iso'))).equals(await readFile(join(site.dir, 'north-single.iso'))));
  // "" in a quoted CSV field is one quote, as the label shows (it is part of the media id)
  await site.ok(['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd', '-MediaLabel', 'Branch "South"', '-Path', join(site.dir, 'south-single.iso')]);
  t.true((await readFile(join(site.dir, 'south.iso'))).equals(await readFile(join(site.dir, 'south-single.iso'))));
});

test('a bad entry is a usage error naming the entry and the parameter, and nothing is built', async (t) => {
  const site = await sampleSite(t);
  const good = { Cmdlet: 'New-CMCaptureMedia', BootImage: 'WinPE x64', MediaType: 'CdDvd', Path: join(site.dir, 'good.iso') };
  const cases: Array<[string, string, string, RegExp]> = [
    ['value', 'json', JSON.stringify([good, { Entry: 'floppy', Cmdlet: 'New-CMCaptureMedia', BootImage: 'WinPE x64', MediaType: 'Floppy', Path: join(site.dir, 'b.iso') }]),
      /^Invoke-TSMediaBuild: .*bad-value\.json entry 2 \(floppy\): Cannot bind -MediaType: 'Floppy' is not one of CdDvd, Usb\.$/m],
    ['unknown', 'csv', `Cmdlet,BootImage,MediaType,Path,Pakage\nNew-CMCaptureMedia,WinPE x64,CdDvd,${good.Path},\nNew-CMStandaloneMedia,,CdDvd,x.iso,PS100001\n`,
      /bad-unknown\.csv entry 2: New-CMStandaloneMedia has no parameter -Pakage\. Did you mean -Package\?/],
    ['missing', 'json', JSON.stringify([good, { Kind: 'StandAlone', MediaType: 'CdDvd', Path: join(site.dir, 'c.iso') }]),
      /entry 2: Missing mandatory parameter -TaskSequence for New-CMStandaloneMedia\./],
    ['cmdlet', 'json', JSON.stringify([good, { Cmdlet: 'New-CMPackage', Path: 'x' }]), /entry 2: 'New-CMPackage' is not a media cmdlet/],
    ['duplicate', 'json', JSON.stringify([good, { ...good, Entry: 'twin' }]), /entry 2 \(twin\): writes .*good\.iso, as entry 1 does/],
    ['common', 'json', JSON.stringify([good, { ...good, Path: join(site.dir, 'd.iso'), WhatIf: true }]), /entry 2: -WhatIf applies to the whole run/],
    ['list', 'csv', `Cmdlet,BootImage,MediaType,Path\nNew-CMCaptureMedia,"WinPE x64,other",CdDvd,${good.Path}\n`, /entry 1: Cannot bind -BootImage: it takes one value, not the list/],
    ['syntax', 'json', '[{"Cmdlet": ', /bad-syntax\.json is not valid JSON/],
  ];
  for (const [name, ext, text, message] of cases) {
    const manifest = join(site.dir, `bad-${name}.${ext}`);
    await writeFile(manifest, text);
    const r = await site.run(['Invoke-TSMediaBuild', '-Manifest', manifest, '-ContinueOnError']);
    t.is(r.code, 2, `${name}: ${r.stderr}`);
    t.regex(r.stderr, message, name);
    t.is(r.stdout, '', name);
    t.false(existsSync(good.Path), `${name}: nothing built`);
  }
  t.deepEqual(await site.ok(['Get-TSMedia']), []);
});
