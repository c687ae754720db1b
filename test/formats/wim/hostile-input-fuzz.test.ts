import test from 'ava';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsmediaError } from '../../../lib/errors.js';
import { applyImage } from '../../../lib/formats/wim/apply.js';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import { decodeMetadata, walkTree } from '../../../lib/formats/wim/metadata.js';
import { decodeXmlBytes } from '../../../lib/formats/wim/xml.js';
import { openWim, readFileFromWim } from '../../../lib/formats/wim/reader.js';
import { closePool } from '../../../lib/pool/pool.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeTree, prng } from './tree-fixture.js';

test.after.always(closePool);
const now = new Date('2026-01-01T00:00:00Z');

/** Everything a reader does with a file; only typed errors may come out. */
function readEverything(path: string): void {
  const w = openWim(path);
  try {
    w.verifyIntegrity();
    for (const img of w.images) {
      const root = w.image(img.index).root;
      for (const { node } of walkTree(root)) {
        for (const h of [node.dataHash, node.reparseHash]) if (h) w.readBlob(h);
      }
      readFileFromWim(w, img.index, 'hello.txt');
    }
  } finally {
    w.close();
  }
}

/** Applies every image of `path` into `sandbox`/target-N: what went wrong, and how many applied. */
async function applyInSandbox(path: string, sandbox: string): Promise<{ failure?: string; applied: number }> {
  mkdirSync(sandbox);
  let applied = 0;
  try {
    let w;
    try { w = openWim(path); } catch (e) { return e instanceof TsmediaError ? { applied } : { failure: `open: ${(e as Error).name}: ${(e as Error).message}`, applied }; }
    try {
      for (const img of w.images) {
        try {
          await applyImage(w, img.index, join(sandbox, `target-${img.index}`));
          applied++;
        } catch (e) {
          if (!(e instanceof TsmediaError)) return { failure: `apply: ${(e as Error).name}: ${(e as Error).message}`, applied };
        }
      }
    } finally {
      w.close();
    }
    const stray = readdirSync(sandbox).filter((n) => !/^target-\d+$/.test(n));
    return stray.length ? { failure: `apply wrote outside its target: ${stray.join(', ')}`, applied } : { applied };
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
}

function expectTyped(t: import('ava').ExecutionContext, f: () => void, what: string): void {
  try { f(); } catch (e) {
    if (!(e instanceof TsmediaError)) t.fail(`${what}: ${(e as Error).name}: ${(e as Error).message}`);
  }
}

for (const kind of ['none', 'xpress', 'lzx'] as const) {
  test(`fuzz: byte flips and truncations of a ${kind} WIM give typed errors, never crashes, hangs or writes outside the target`, async (t) => {
    t.timeout(60_000);
    const dir = await tempDir(t, 'tsm-wim-');
    const src = join(dir, 'src');
    makeTree(src);
    const wim = join(dir, 'good.wim');
    await captureWim(wim, [{ source: src, name: 'a' }], { compression: kind, now, integrity: true });
    const good = readFileSync(wim);
    t.notThrows(() => readEverything(wim));
    const bad = join(dir, 'bad.wim');
    const r = prng({ none: 1, xpress: 2, lzx: 3 }[kind], 4 * 400);
    let caught = 0;
    let applied = 0;
    for (let i = 0; i < 400; i++) {
      const b = Buffer.from(good);
      const rnd = r.readUInt32LE(i * 4);
      if (i % 10 === 9) {
        writeFileSync(bad, b.subarray(0, rnd % b.length));
      } else {
        // flips concentrated on the structures: header, and the tail (metadata, tables, XML)
        const pos = i % 3 === 0 ? rnd % 208 : b.length - 1 - (rnd % Math.min(b.length, 20_000));
        b[pos] = (b[pos] ?? 0) ^ (1 << (rnd >>> 29));
        writeFileSync(bad, b);
      }
      try { readEverything(bad); } catch (e) {
        caught++;
        if (!(e instanceof TsmediaError)) { t.fail(`iteration ${i}: ${(e as Error).name}: ${(e as Error).message}`); return; }
      }
      // every 16th: apply every image too; only typed errors, and nothing beside the target
      if (i % 16 === 4) {
        const r = await applyInSandbox(bad, join(dir, 'sandbox'));
        if (r.failure) { t.fail(`iteration ${i}: ${r.failure}`); return; }
        applied += r.applied;
      }
    }
    t.true(caught > 100, `only ${caught} of 400 corruptions were detected`);
    t.true(applied > 1, `only ${applied} of the corrupted WIMs applied at all`);
    t.deepEqual(readdirSync(dir).sort(), ['bad.wim', 'good.wim', 'src']);
  });
}

test('fuzz: mutated metadata and XML decode to a tree or a FormatError', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'src'));
  const wimPath = join(dir, 'm.wim');
  await captureWim(wimPath, [{ source: join(dir, 'src') }], { compression: 'none', now });
  const w = openWim(wimPath);
  const meta = w.image(1);
  w.close();
  const { encodeMetadata } = await import('../../../lib/formats/wim/metadata.js');
  const good = Buffer.from(encodeMetadata(meta));
  const r = prng(9, 3000 * 4);
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.from(good);
    const rnd = r.readUInt32LE(i * 4);
    for (let k = 0; k < 1 + (rnd & 3); k++) {
      const pos = (rnd * (k + 7)) % b.length;
      b[pos] = (rnd >>> (k * 3)) & 0xff;
    }
    expectTyped(t, () => decodeMetadata(i % 50 === 0 ? b.subarray(0, rnd % b.length) : b), `metadata iteration ${i}`);
  }
  const xml = Buffer.from('\ufeff<WIM><IMAGE INDEX="1"><NAME>x &amp; y</NAME><CREATIONTIME><HIGHPART>0x1</HIGHPART></CREATIONTIME></IMAGE><TOTALBYTES>5</TOTALBYTES></WIM>', 'utf16le');
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(xml);
    const rnd = r.readUInt32LE((i % 3000) * 4);
    b[(rnd + i * 31) % b.length] = rnd & 0xff;
    expectTyped(t, () => decodeXmlBytes(i % 20 === 0 ? b.subarray(0, (rnd % b.length) & ~1) : b), `xml iteration ${i}`);
  }
  t.pass();
});

test('hostile sizes: a resource claiming petabytes is refused before any allocation', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'src'));
  const wimPath = join(dir, 'h.wim');
  await captureWim(wimPath, [{ source: join(dir, 'src') }], { compression: 'none', now });
  const good = readFileSync(wimPath);
  // XML original size (header 0x48 + 16) -> 2^50
  const b = Buffer.from(good);
  b.writeBigUInt64LE(2n ** 50n, 0x48 + 16);
  writeFileSync(wimPath, b);
  t.throws(() => openWim(wimPath), { instanceOf: TsmediaError, message: /uncompressed but|outside the file|more than/ });
  // blob table offset far beyond the end
  const c = Buffer.from(good);
  c.writeBigUInt64LE(2n ** 40n, 0x30 + 8);
  writeFileSync(wimPath, c);
  t.throws(() => openWim(wimPath), { instanceOf: TsmediaError, message: /outside the file/ });
});

for (const kind of ['none', 'xpress'] as const) {
  test(`apply of a ${kind} WIM with a corrupted stream fails with a FormatError`, async (t) => {
    const { FormatError } = await import('../../../lib/errors.js');
    const dir = await tempDir(t, 'tsm-wim-');
    makeTree(join(dir, 'src'));
    const wim = join(dir, 'w.wim');
    await captureWim(wim, [{ source: join(dir, 'src') }], { compression: kind, now });
    const b = readFileSync(wim);
    // text-200k.txt's data: compressed chunks in the XPRESS WIM, raw bytes in the other
    const w0 = openWim(wim);
    const node = w0.image(1).root.children?.find((c) => c.name === 'dir')?.children?.find((c) => c.name === 'text-200k.txt');
    const at = node?.dataHash ? w0.stored(node.dataHash).reshdr.offset + 5000 : 0;
    w0.close();
    t.true(at > 208);
    b[at] = (b[at] ?? 0) ^ 0x55;
    writeFileSync(wim, b);
    const w = openWim(wim);
    try {
      await t.throwsAsync(applyImage(w, 1, join(dir, 'out')), { instanceOf: FormatError });
    } finally {
      w.close();
    }
  });
}
