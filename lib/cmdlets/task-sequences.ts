// Task sequence cmdlets.
import { readCatalog, writeCatalog } from '../catalog/catalog.js';
import { createTaskSequence, findTaskSequences, removeTaskSequence, resolveTaskSequence, taskSequenceReferences } from '../catalog/task-sequences.js';
import type { CmdletSpec } from '../shell/types.js';
import { siteCodeOf, siteCodeParameter } from './common.js';

interface NewTsParams {
  Name: string; BootImageId: string; OperatingSystemImageId?: string; SiteCode?: string;
  DriverPackageId?: string[]; PackageId?: string[]; ApplicationId?: string[];
}

const newTaskSequence: CmdletSpec<NewTsParams> = {
  name: 'New-CMTaskSequence',
  synopsis: 'Creates a task sequence from a boot image and the content it installs.',
  parameters: [
    { name: 'Name', type: 'string', mandatory: true, position: 0, help: 'The task sequence\'s name.' },
    { name: 'BootImageId', type: 'string', mandatory: true, help: 'The boot image it runs in.' },
    { name: 'OperatingSystemImageId', type: 'string', help: 'The OS image it applies.' },
    { name: 'DriverPackageId', type: 'string', array: true, help: 'Driver packages, comma-separated.' },
    { name: 'PackageId', type: 'string', array: true, help: 'Packages, comma-separated.' },
    { name: 'ApplicationId', type: 'string', array: true, help: 'Applications, comma-separated.' },
    siteCodeParameter,
  ],
  examples: [{ code: 'tsmedia New-CMTaskSequence -Name "Win11 Deploy" -BootImageId PS100001 -OperatingSystemImageId PS100002 -PackageId PS100003,PS100004', remarks: 'A deployment sequence with two packages.' }],
  async run(p, ctx) {
    if (!ctx.shouldProcess(`task sequence '${p.Name}'`, 'New-CMTaskSequence')) return undefined;
    const now = ctx.now();
    return writeCatalog(ctx.home, now, (db) => createTaskSequence(db, {
      name: p.Name, siteCode: siteCodeOf(p, ctx), bootImageId: p.BootImageId,
      ...(p.OperatingSystemImageId ? { operatingSystemImageId: p.OperatingSystemImageId } : {}),
      ...(p.DriverPackageId ? { driverPackageIds: p.DriverPackageId } : {}),
      ...(p.PackageId ? { packageIds: p.PackageId } : {}),
      ...(p.ApplicationId ? { applicationIds: p.ApplicationId } : {}),
    }, now));
  },
};

const getTaskSequences: CmdletSpec<{ Id?: string; Name?: string }> = {
  name: 'Get-CMTaskSequence',
  synopsis: 'Lists task sequences, by ID or name (wildcards * and ?).',
  parameters: [
    { name: 'Name', type: 'string', position: 0, parameterSets: ['SearchByName'], help: 'Name or wildcard pattern.' },
    { name: 'Id', type: 'string', aliases: ['TaskSequencePackageId'], parameterSets: ['SearchById'], help: 'ID or wildcard pattern.' },
  ],
  defaultParameterSet: 'SearchByName',
  async run(p, ctx) {
    return readCatalog(ctx.home, ctx.now(), (db) => findTaskSequences(db, { ...(p.Id ? { id: p.Id } : {}), ...(p.Name ? { name: p.Name } : {}) }));
  },
};

const getReferences: CmdletSpec<{ TaskSequenceId: string }> = {
  name: 'Get-CMTaskSequenceReference',
  synopsis: 'Lists every content item a task sequence needs, with its current SourceVersion and size.',
  parameters: [{ name: 'TaskSequenceId', type: 'string', mandatory: true, position: 0, aliases: ['Id'], help: 'The task sequence\'s ID or name.' }],
  defaultView: ['Id', 'Name', 'Type', 'SourceVersion', 'FileCount', 'SizeBytes'],
  async run(p, ctx) {
    return readCatalog(ctx.home, ctx.now(), (db) => taskSequenceReferences(db, resolveTaskSequence(db, p.TaskSequenceId).Id));
  },
};

const removeTs: CmdletSpec<{ Id: string }> = {
  name: 'Remove-CMTaskSequence',
  synopsis: 'Removes a task sequence (its content stays).',
  parameters: [{ name: 'Id', type: 'string', mandatory: true, position: 0, help: 'The task sequence\'s ID.' }],
  async run(p, ctx) {
    if (!ctx.shouldProcess(p.Id, 'Remove-CMTaskSequence')) return undefined;
    return writeCatalog(ctx.home, ctx.now(), (db) => removeTaskSequence(db, p.Id));
  },
};

export const taskSequenceCmdlets: CmdletSpec<any>[] = [newTaskSequence, getTaskSequences, getReferences, removeTs];
