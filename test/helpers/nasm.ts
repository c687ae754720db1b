// Assembles a test boot program from source with nasm (flat binary).
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './run.js';

export async function assemble(source: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'tsm-nasm-'));
  try {
    await writeFile(join(dir, 'p.asm'), source);
    const r = await run('nasm', ['-f', 'bin', '-o', join(dir, 'p.bin'), join(dir, 'p.asm')]);
    if (r.code !== 0) throw new Error(`nasm failed: ${r.stderr}`);
    return await readFile(join(dir, 'p.bin'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
