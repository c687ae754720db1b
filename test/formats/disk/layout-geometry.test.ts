// The plan's FAT32 geometry holds for every size: >= 65525 clusters, a FAT big enough for them,
// a data area aligned to the cluster (at least 4 KiB), nothing past the partition; auto sizes
// always fit the tree; sizes FAT32 cannot have are refused with the smallest size that works.
import test from 'ava';
import { planUsbImage, type SourceNode } from '../../../lib/formats/disk/layout.js';
import { MIN_FAT32_CLUSTERS, MAX_FAT32_CLUSTERS } from '../../../lib/formats/disk/fat-table.js';
import { UsageError } from '../../../lib/errors.js';

const MIB = 1048576;
const tree = (sizes: number[]): SourceNode => ({
  name: '', kind: 'dir', size: 0, ref: '',
  children: sizes.map((size, i) => ({ name: `file ${i}.bin`, kind: 'file', size, ref: `/src/${i}` })),
});

function checkGeometry(t: import('ava').ExecutionContext, p: ReturnType<typeof planUsbImage>, what: string): void {
  const g = p.bpb;
  const data = g.reservedSectors + g.numFats * g.fatSectors;
  t.is(data, p.dataStartSector, what);
  t.is(data % Math.max(8, g.sectorsPerCluster), 0, `${what}: data area aligned`);
  t.true((p.clusterCount + 2) * 4 <= g.fatSectors * 512, `${what}: FAT covers every cluster`);
  t.true(data + p.clusterCount * g.sectorsPerCluster <= g.totalSectors, `${what}: clusters inside the partition`);
  t.true(p.clusterCount >= MIN_FAT32_CLUSTERS && p.clusterCount <= MAX_FAT32_CLUSTERS, `${what}: ${p.clusterCount} clusters`);
  t.true(p.usedEnd - 2 <= p.clusterCount, `${what}: the tree fits`);
  t.is(p.imageBytes, (p.partition.startLba + p.partition.sectors) * 512);
}

test('explicit sizes from 34 MB to 2 TiB', (t) => {
  for (let mb = 34; mb * MIB < 2 ** 41; mb = Math.ceil(mb * 1.07)) {
    const p = planUsbImage(tree([1000, 0, 5000]), { date: new Date(0), sizeBytes: mb * MIB });
    t.is(p.imageBytes, mb * MIB);
    checkGeometry(t, p, `${mb} MB`);
  }
});

test('automatic sizes fit the tree and follow the usual cluster sizes', (t) => {
  let last = 0;
  for (let total = 0; total < 3e9; total = Math.floor(total * 1.09 + 54321)) {
    const p = planUsbImage(tree(Array.from({ length: 7 }, () => Math.floor(total / 7))), { date: new Date(0) });
    checkGeometry(t, p, `${total} bytes`);
    t.is(p.imageBytes % MIB, 0);
    t.true(p.imageBytes >= total, 'holds the data');
    t.true(p.clusterSize >= last, 'cluster size grows with the volume');
    last = p.clusterSize;
  }
  t.is(planUsbImage(tree([1]), { date: new Date(0) }).imageBytes, 34 * MIB, 'the smallest FAT32 image');
  t.is(last, 4096, 'a 3 GB volume has 4 KiB clusters');
});

test('too small or too large', (t) => {
  const small = t.throws(() => planUsbImage(tree([1]), { date: new Date(0), sizeBytes: 33 * MIB }));
  t.true(small instanceof UsageError);
  t.regex(small?.message ?? '', /at least 34/);
  t.notThrows(() => planUsbImage(tree([1]), { date: new Date(0), sizeBytes: 34 * MIB }));
  t.throws(() => planUsbImage(tree([1]), { date: new Date(0), sizeBytes: 2 ** 41 }), { message: /2 TiB/ });
});
