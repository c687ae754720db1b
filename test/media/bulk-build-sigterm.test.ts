// SIGTERM to a real `tsmedia Invoke-TSMediaBuild` process mid-run: it exits 143, the media that
// were finished stay and are on record (whole, with their recorded size), the unfinished entries
// leave no output file, and no partial or staging file is left beside the outputs or in the
// temporary folder.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleSite } from './sample-site.js';

const BIN = fileURLToPath(new URL('../../bin/tsmedia.js', import.meta.url));

test('SIGTERM mid-run keeps finished media (recorded, whole) and leaves nothing of the others', async (t) => {
  const site = await sampleSite(t);
  const out = join(site.dir, 'out');
  const temp = join(site.dir, 'temp');
  await mkdir(out);
  await mkdir(temp);
  const n = 10;
  const files = Array.from({ length: n }, (_, k) => join(out, `branch-${k + 1}.img`));
  const manifest = join(site.dir, 'builds.json');
  await writeFile(manifest, JSON.stringify(files.map((Path, k) => ({
    Entry: `branch-${k + 1}`, Kind: 'StandAlone', TaskSequence: 'Deploy', MediaType: 'Usb', Path, TemporaryFolder: temp,
    Variable: { OSDComputerName: `BR${k + 1}` },
  }))));
  const child = spawn(process.execPath, [BIN, 'Invoke-TSMediaBuild', '-Manifest', manifest, '-ThrottleLimit', '2', '-OutputFormat', 'Json'], {
    env: { ...process.env, TSMEDIA_HOME: site.home, SOURCE_DATE_EPOCH: '1767225600' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // wait for the first finished medium, then stop the run while the next ones are being built
  const deadline = Date.now() + 60_000;
  while (!files.some((f) => existsSync(f))) {
    if (Date.now() > deadline || child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  t.true(child.exitCode === null, `still running when signalled: ${stderr}`);
  child.kill('SIGTERM');
  const code = await exited;
  t.is(code, 143, stderr);
  t.regex(stderr, /Invoke-TSMediaBuild: Stopped \(SIGTERM\)\./);

  const rows = JSON.parse(stdout) as Array<{ Entry: string; Status: string; Output: string; SizeBytes: number | null }>;
  const built = rows.filter((r) => r.Status === 'Built');
  const cancelled = rows.filter((r) => r.Status === 'Cancelled');
  t.true(built.length >= 1, 'at least one medium finished');
  t.true(cancelled.length >= 1, 'at least one was stopped');
  t.is(built.length + cancelled.length, n);

  // on disk: exactly the finished media, whole and on record; no partials, no staging left
  const recorded = await site.ok(['Get-TSMedia']);
  t.deepEqual(files.filter((f) => existsSync(f)).sort(), built.map((r) => r.Output).sort());
  t.deepEqual(recorded.map((m: any) => m.Path).sort(), built.map((r) => r.Output).sort());
  for (const m of recorded) t.is(statSync(m.Path).size, m.SizeBytes, `${m.Path} is whole`);
  for (const r of cancelled) t.false(existsSync(r.Output), `${r.Entry} left no output`);
  t.deepEqual(readdirSync(out).filter((f) => !/^branch-\d+\.img$/.test(f)), [], 'no partial files beside the outputs');
  t.deepEqual(readdirSync(temp), [], 'no staging left in the temporary folder');
});
