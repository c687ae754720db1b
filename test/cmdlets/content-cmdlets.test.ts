import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closePool } from '../../lib/pool/pool.js';
import { tempDir } from '../helpers/tmp.js';
import { tsmedia } from '../helpers/tsmedia.js';
import { writeTree, fakeWimHeader } from '../helpers/sample-tree.js';

test.after.always(closePool);

test('New-, Get-, Update- and revisions of content through the command line', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, { 'office/setup.exe': 'setup', 'office/data/a.cab': 'cab', 'drivers/x.inf': 'inf', 'boot.wim': fakeWimHeader(1) });

  const created = await tsmedia(home, ['New-CMPackage', '-Name', 'Office 365', '-Path', join(src, 'office'), '-OutputFormat', 'Json']);
  t.is(created.code, 0, created.stderr);
  const pkg = created.json();
  t.like(pkg, { Id: 'PS100001', Name: 'Office 365', Type: 'Package', SourceVersion: 1, FileCount: 2, SizeBytes: 8, SourcePath: join(src, 'office') });

  // positional Name and Path, a parameter prefix, and the other kinds
  t.is((await tsmedia(home, ['New-CMDriverPackage', 'Drivers', join(src, 'drivers')])).code, 0);
  t.is((await tsmedia(home, ['New-CMApplication', '-Na', '7-Zip', '-ContentLocation', join(src, 'drivers')])).code, 0);
  t.is((await tsmedia(home, ['New-CMBootImage', '-Name', 'WinPE', '-Path', join(src, 'boot.wim')])).code, 0);

  const listed = await tsmedia(home, ['Get-CMPackage', '-Name', 'Off*', '-OutputFormat', 'Json']);
  t.deepEqual(listed.json().map((p: { Id: string }) => p.Id), ['PS100001']);
  t.deepEqual((await tsmedia(home, ['Get-CMPackage', '-Name', 'nothing*', '-OutputFormat', 'Json'])).json(), []);
  t.deepEqual((await tsmedia(home, ['Get-CMDriverPackage', '-Id', 'PS100002', '-OutputFormat', 'Json'])).json().map((p: { Name: string }) => p.Name), ['Drivers']);
  const table = await tsmedia(home, ['Get-CMPackage']);
  t.regex(table.stdout, /Id\s+Name\s+Type\s+SourceVersion/);
  t.regex(table.stdout, /PS100001\s+Office 365\s+Package\s+1/);

  // unchanged source: says so, version stays
  const same = await tsmedia(home, ['Update-CMContent', '-Id', 'PS100001', '-OutputFormat', 'Json']);
  t.is(same.code, 0);
  t.like(same.json(), { SourceVersion: 1, Changed: false });
  t.regex(same.stderr, /nothing changed/);

  await writeFile(join(src, 'office', 'setup.exe'), 'setup v2');
  await writeFile(join(src, 'office', 'new.txt'), 'new');
  const changed = await tsmedia(home, ['Update-CMDistributionPoint', '-PackageId', 'PS100001', '-OutputFormat', 'Json']);
  t.like(changed.json(), { SourceVersion: 2, Changed: true, FileCount: 3 });

  const revs = (await tsmedia(home, ['Get-CMContentRevision', '-Id', 'PS100001', '-OutputFormat', 'Json'])).json();
  t.deepEqual(revs.map((r: any) => [r.SourceVersion, r.FilesAdded, r.FilesChanged, r.FilesRemoved]), [[1, 2, 0, 0], [2, 1, 1, 0]]);
  const csv = await tsmedia(home, ['Get-CMContentRevision', 'PS100001', '-Version', '1', '-OutputFormat', 'Csv']);
  t.is(csv.stdout.trim().split('\n').length, 2, 'a header and one revision after version 1');
});

test('task sequences: references with current versions, removal refused while referenced, -WhatIf changes nothing', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, { 'p/a.txt': 'a', 'boot.wim': fakeWimHeader(1), 'os.wim': fakeWimHeader(3) });
  await tsmedia(home, ['New-CMBootImage', '-Name', 'WinPE', '-Path', join(src, 'boot.wim')]);
  await tsmedia(home, ['New-CMOperatingSystemImage', '-Name', 'Win11', '-Path', join(src, 'os.wim')]);
  await tsmedia(home, ['New-CMPackage', '-Name', 'P', '-Path', join(src, 'p')]);

  const ts = await tsmedia(home, ['New-CMTaskSequence', '-Name', 'Deploy', '-BootImageId', 'PS100001', '-OperatingSystemImageId', 'PS100002', '-PackageId', 'PS100003', '-OutputFormat', 'Json']);
  t.is(ts.code, 0, ts.stderr);
  t.like(ts.json(), { Id: 'PS100004', Name: 'Deploy', ReferenceCount: 3 });
  const refs = (await tsmedia(home, ['Get-CMTaskSequenceReference', '-TaskSequenceId', 'Deploy', '-OutputFormat', 'Json'])).json();
  t.deepEqual(refs.map((r: any) => [r.Id, r.Type, r.SourceVersion]), [['PS100001', 'BootImage', 1], ['PS100002', 'OperatingSystemImage', 1], ['PS100003', 'Package', 1]]);

  const wrongType = await tsmedia(home, ['New-CMTaskSequence', '-Name', 'Bad', '-BootImageId', 'PS100003']);
  t.is(wrongType.code, 1);
  t.regex(wrongType.stderr, /PS100003 is a package, not a boot image/);
  t.is(wrongType.stderr.trim().split('\n').length, 1, 'one error line');

  const refused = await tsmedia(home, ['Remove-CMPackage', '-Id', 'PS100003']);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /used by task sequence PS100004/);

  const whatIf = await tsmedia(home, ['Remove-CMPackage', '-Id', 'PS100003', '-Force', '-WhatIf']);
  t.is(whatIf.code, 0);
  t.regex(whatIf.stdout, /What if: Performing the operation "Remove-CMPackage" on target "PS100003"/);
  t.is((await tsmedia(home, ['Get-CMPackage', '-OutputFormat', 'Json'])).json().length, 1, 'still there after -WhatIf');

  const forced = await tsmedia(home, ['Remove-CMPackage', '-Id', 'PS100003', '-Force']);
  t.is(forced.code, 0);
  t.regex(forced.stderr, /removed from task sequence PS100004/);
  t.is((await tsmedia(home, ['Get-CMTaskSequenceReference', 'PS100004', '-OutputFormat', 'Json'])).json().length, 2);
});

test('bad input is one clear error line and a non-zero exit', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, { 'notes.txt': 'x' });
  const cases: [string[], number, RegExp][] = [
    [['New-CMPackage', '-Name', 'X', '-Path', join(src, 'missing')], 1, /does not exist/],
    [['New-CMPackage', '-Name', 'X', '-Path', join(src, 'notes.txt')], 1, /is a file; give the folder/],
    [['New-CMOperatingSystemImage', '-Name', 'X', '-Path', join(src, 'notes.txt')], 1, /is not a WIM file/],
    [['New-CMPackage', '-Name', 'X'], 2, /Path/],
    [['New-CMBootImage', '-Name', 'X', '-Path', join(src, 'notes.txt'), '-Index', 'one'], 2, /not an integer/],
    [['Get-CMPackage', '-Id', 'PS1FFFFF', '-Bogus'], 2, /Bogus/],
    [['Update-CMContent', '-Id', 'PS1FFFFF'], 1, /No content with ID 'PS1FFFFF'/],
  ];
  for (const [argv, code, message] of cases) {
    const r = await tsmedia(home, argv);
    t.is(r.code, code, argv.join(' '));
    t.regex(r.stderr, message, argv.join(' '));
    t.is(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('every kind has Get- (by -Id, by -Name with wildcards) and Remove- forms; task sequences take drivers and applications', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, { 'app/setup.msi': 'msi', 'drv/x.inf': 'inf', 'boot.wim': fakeWimHeader(1), 'os.wim': fakeWimHeader(2) });
  const made: Record<string, string> = {};
  for (const [kind, argv] of [
    ['BootImage', ['New-CMBootImage', '-Name', 'WinPE x64', '-Path', join(src, 'boot.wim')]],
    ['OperatingSystemImage', ['New-CMOperatingSystemImage', '-Name', 'Windows 11', '-Path', join(src, 'os.wim')]],
    ['DriverPackage', ['New-CMDriverPackage', '-Name', 'Latitude', '-Path', join(src, 'drv')]],
    ['Application', ['New-CMApplication', '-Name', '7-Zip', '-ContentLocation', join(src, 'app')]],
  ] as const) {
    const r = await tsmedia(home, [...argv, '-OutputFormat', 'Json']);
    t.is(r.code, 0, r.stderr);
    t.like(r.json(), { Type: kind, SourceVersion: 1 });
    made[kind] = r.json().Id;
  }
  const ids = async (argv: string[]): Promise<string[]> => (await tsmedia(home, [...argv, '-OutputFormat', 'Json'])).json().map((o: { Id: string }) => o.Id);
  t.deepEqual(await ids(['Get-CMBootImage', '-Name', 'WinPE*']), [made['BootImage']]);
  t.deepEqual(await ids(['Get-CMOperatingSystemImage', '-Name', '*11']), [made['OperatingSystemImage']]);
  t.deepEqual(await ids(['Get-CMApplication', '-Id', made['Application']!]), [made['Application']]);
  t.deepEqual(await ids(['Get-CMApplication', '-Id', made['DriverPackage']!]), [], 'a driver package is not an application');
  t.deepEqual(await ids(['Get-CMDriverPackage', '-Name', 'Lat*']), [made['DriverPackage']]);

  const ts = await tsmedia(home, ['New-CMTaskSequence', '-Name', 'Deploy', '-BootImageId', made['BootImage']!, '-OperatingSystemImageId', made['OperatingSystemImage']!,
    '-DriverPackageId', made['DriverPackage']!, '-ApplicationId', made['Application']!, '-OutputFormat', 'Json']);
  t.is(ts.code, 0, ts.stderr);
  t.like(ts.json(), { ReferenceCount: 4 });
  t.deepEqual(await ids(['Get-CMTaskSequence', '-Name', 'Dep*']), [ts.json().Id]);
  const refs = (await tsmedia(home, ['Get-CMTaskSequenceReference', '-TaskSequenceId', ts.json().Id, '-OutputFormat', 'Json'])).json();
  t.deepEqual(refs.map((r: { Id: string }) => r.Id).sort(), Object.values(made).sort());

  for (const [kind, noun] of [['Application', 'CMApplication'], ['DriverPackage', 'CMDriverPackage'], ['OperatingSystemImage', 'CMOperatingSystemImage']] as const) {
    const refused = await tsmedia(home, [`Remove-${noun}`, '-Id', made[kind]!]);
    t.is(refused.code, 1, `Remove-${noun} while referenced`);
    t.regex(refused.stderr, /used by task sequence/);
    t.is((await tsmedia(home, [`Remove-${noun}`, '-Id', made[kind]!, '-Force'])).code, 0);
    t.deepEqual(await ids([`Get-${noun}`]), [], `${noun} removed`);
  }
  // a task sequence cannot lose its boot image, even with -Force; once it is gone, the image goes
  const boot = await tsmedia(home, ['Remove-CMBootImage', '-Id', made['BootImage']!, '-Force']);
  t.is(boot.code, 1);
  t.regex(boot.stderr, /is the boot image of task sequence/);
  t.is((await tsmedia(home, ['Remove-CMTaskSequence', '-Id', ts.json().Id])).code, 0);
  t.is((await tsmedia(home, ['Remove-CMBootImage', '-Id', made['BootImage']!])).code, 0);
  t.deepEqual(await ids(['Get-CMBootImage']), []);
});
