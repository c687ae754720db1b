// Writing to /dev/X needs -Force, a whole disk, and sysfs saying it is removable (fake sysfs here).
import test from 'ava';
import { join } from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { tempDir } from '../../helpers/tmp.js';
import { checkDeviceTarget, isDevicePath, writeUsbImage } from '../../../lib/formats/disk/usb-writer.js';
import { UsageError } from '../../../lib/errors.js';

async function fakeSys(t: import('ava').ExecutionContext): Promise<string> {
  const sys = await tempDir(t, 'tsm-sys-');
  for (const [name, removable] of [['tsmfakeusb', '1'], ['tsmfakessd', '0']] as const) {
    await mkdir(join(sys, 'block', name), { recursive: true });
    await writeFile(join(sys, 'block', name, 'removable'), `${removable}\n`);
    await writeFile(join(sys, 'block', name, 'size'), '15634432\n');
  }
  return sys;
}

test('refusals: no -Force, a fixed disk, a partition, a mounted disk, not a block device', async (t) => {
  const sysRoot = await fakeSys(t);
  const refuse = async (dev: string, force: boolean, why: RegExp): Promise<void> => {
    const err = await t.throwsAsync(checkDeviceTarget(dev, { force, sysRoot }));
    t.true(err instanceof UsageError, dev);
    t.regex(err?.message ?? '', why);
  };
  await refuse('/dev/tsmfakeusb', false, /add -Force/);
  await refuse('/dev/tsmfakessd', true, /not a removable disk/);
  await refuse('/dev/tsmfakeusb1', true, /not a whole disk/);
  const mountsPath = join(sysRoot, 'mounts');
  await writeFile(mountsPath, '/dev/sda1 / ext4 rw 0 0\n/dev/tsmfakeusb1 /media/stick vfat rw 0 0\n');
  const err = await t.throwsAsync(checkDeviceTarget('/dev/tsmfakeusb', { force: true, sysRoot, mountsPath }));
  t.regex(err?.message ?? '', /is mounted \(\/dev\/tsmfakeusb1 on \/media\/stick\): unmount it first/);
  // removable per sysfs, but /dev/tsmfakeusb is no block device on this machine: the last guard
  await refuse('/dev/tsmfakeusb', true, /not a block device/);
});

test('writeUsbImage checks the device before touching anything', async (t) => {
  const sysRoot = await fakeSys(t);
  const src = await tempDir(t, 'tsm-src-');
  const err = await t.throwsAsync(writeUsbImage({ sourcePath: src, outPath: '/dev/tsmfakessd', date: new Date(0), force: true, sysRoot }));
  t.regex(err?.message ?? '', /not a removable disk/);
  const err2 = await t.throwsAsync(writeUsbImage({ sourcePath: src, outPath: '/dev/tsmfakeusb', date: new Date(0), sysRoot }));
  t.regex(err2?.message ?? '', /add -Force/);
});

test('what counts as a drive: names in /dev and /dev/disk, block devices; not files under /dev/shm', async (t) => {
  t.true(await isDevicePath('/dev/sdz'));
  t.true(await isDevicePath('/dev/disk/by-id/usb-Some_Stick-0:0'));
  t.false(await isDevicePath('/dev/shm/usb.img'));
  t.false(await isDevicePath('/tmp/usb.img'));
});
