import test from 'ava';
import { bootPrograms } from '../helpers/boot-programs.js';

test('the test boot programs assemble: a 2 KiB El Torito image, a PE32+ EFI app, a bootmgr stand-in', async (t) => {
  const p = await bootPrograms();
  t.is(p.biosElToritoImage.length, 2048);
  const pe = p.uefiApp.readUInt32LE(0x3c);
  t.is(p.uefiApp.subarray(pe, pe + 4).toString('latin1'), 'PE\0\0');
  t.is(p.uefiApp.readUInt16LE(pe + 24), 0x20b, 'PE32+ optional header');
  t.is(p.uefiApp.readUInt16LE(pe + 24 + 68), 10, 'subsystem: EFI application');
  t.true(p.fakeBootmgr.length > 64 && p.fakeBootmgr.length < 1024);
});
