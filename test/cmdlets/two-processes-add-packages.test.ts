import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { writeTree } from '../helpers/sample-tree.js';
import { tsmedia } from '../helpers/tsmedia.js';

const BIN = fileURLToPath(new URL('../../bin/tsmedia.js', import.meta.url));

function script(home: string, file: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '-File', file], { env: { ...process.env, TSMEDIA_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

test('two tsmedia processes adding packages at the same moment both land', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, { 'content/a.txt': 'a' });
  const lines = (tag: string) => Array.from({ length: 8 }, (_, i) => `New-CMPackage -Name "${tag} ${i}" -Path "${src}/content"`).join('\n');
  await writeTree(src, { 'a.tsm': `# process A\n${lines('A')}\n`, 'b.tsm': `# process B\n${lines('B')}\n` });
  const [a, b] = await Promise.all([script(home, `${src}/a.tsm`), script(home, `${src}/b.tsm`)]);
  t.is(a.code, 0, a.stderr);
  t.is(b.code, 0, b.stderr);
  const all = (await tsmedia(home, ['Get-CMPackage', '-OutputFormat', 'Json'])).json();
  t.is(all.length, 16);
  t.is(new Set(all.map((p: { Id: string }) => p.Id)).size, 16);
});
