// Cmdlets made for the shell tests: every parameter type, aliases, positions, sets, validateSet,
// and cmdlets that exercise -WhatIf, errors, verbose output, progress, the pool and the signal.
import { FormatError, NotFoundError } from '../../lib/errors.js';
import { runTask } from '../../lib/pool/pool.js';
import type { CmdletSpec } from '../../lib/shell/types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Returns what it was given, so tests can see the bound values. */
export const newTestPackage: CmdletSpec<any> = {
  name: 'New-TestPackage',
  aliases: ['ntp'],
  synopsis: 'Creates a test package.',
  description: 'A cmdlet for binder tests.',
  parameters: [
    { name: 'Name', type: 'string', mandatory: true, position: 0, aliases: ['n'], help: 'The name.' },
    { name: 'NameFilter', type: 'string', help: 'A filter (shares a prefix with -Name).' },
    { name: 'Path', type: 'string', position: 1, aliases: ['OutputPath'], help: 'Where.' },
    { name: 'Package', type: 'string', array: true, aliases: ['PackageId'], help: 'Package IDs.' },
    { name: 'Password', type: 'secure', help: 'A secret.' },
    { name: 'Index', type: 'int', help: 'An image index.' },
    { name: 'Count', type: 'int', array: true, help: 'Counts.' },
    { name: 'Since', type: 'datetime', help: 'A date.' },
    { name: 'MediaSize', type: 'size', help: 'A size.' },
    { name: 'Variable', type: 'hashtable', help: 'Variables.' },
    { name: 'MediaType', type: 'string', validateSet: ['CdDvd', 'Usb'], help: 'The media type.' },
    { name: 'Force', type: 'switch', help: 'Overwrite.' },
  ],
  examples: [{ code: "New-TestPackage -Name Tools -Path 'C:\\src'", remarks: 'Makes a package.' }],
  run: (params) => Promise.resolve({ ...params }),
};

/** Two parameter sets with a shared position 0, and a switch in every set. */
export const getTestItem: CmdletSpec<any> = {
  name: 'Get-TestItem',
  synopsis: 'Gets test items by name or by ID.',
  defaultParameterSet: 'ByName',
  parameters: [
    { name: 'Name', type: 'string', mandatory: ['ByName'], position: 0, parameterSets: ['ByName'], help: 'The name.' },
    { name: 'Id', type: 'int', mandatory: ['ById'], position: 0, parameterSets: ['ById'], help: 'The ID.' },
    { name: 'Tag', type: 'string', parameterSets: ['ByName'], help: 'A tag (by name only).' },
    { name: 'Detailed', type: 'switch', help: 'More.' },
  ],
  run: (params) => Promise.resolve({ ...params }),
};

/** Objects for the formatters, with a default view. */
export const getTestRow: CmdletSpec<any> = {
  name: 'Get-TestRow',
  synopsis: 'Returns rows.',
  parameters: [
    { name: 'Count', type: 'int', position: 0, help: 'How many rows.' },
    { name: 'One', type: 'switch', help: 'Return one object, not an array.' },
  ],
  defaultView: ['PackageID', 'Name', 'Size'],
  run: (params) => {
    const rows = Array.from({ length: (params.Count as number | undefined) ?? 2 }, (_, i) => ({
      PackageID: `PS10000${i + 1}`, Name: `Package ${i + 1}`, Size: (i + 1) * 1000, Version: i + 1,
      Created: new Date(Date.UTC(2026, 0, i + 1)), Tags: ['a', 'b'],
    }));
    return Promise.resolve(params.One ? rows[0] : rows);
  },
};

/** Changes "things" only when shouldProcess allows, and reports what it did. */
export const removeTestThing: CmdletSpec<any> = {
  name: 'Remove-TestThing',
  synopsis: 'Removes things (guarded by -WhatIf).',
  parameters: [{ name: 'Name', type: 'string', array: true, mandatory: true, position: 0, help: 'Things.' }],
  run: (params, ctx) => {
    const removed: { Name: string; Removed: boolean }[] = [];
    for (const name of params.Name as string[]) {
      ctx.verbose(`looking at ${name}`);
      if (ctx.shouldProcess(name, 'Remove thing')) removed.push({ Name: name, Removed: true });
    }
    return Promise.resolve(removed);
  },
};

/** Fails the way it is told: format, not found, an unexpected TypeError, or not at all. */
export const invokeTestFailure: CmdletSpec<any> = {
  name: 'Invoke-TestFailure',
  synopsis: 'Fails on purpose.',
  parameters: [
    { name: 'Kind', type: 'string', position: 0, validateSet: ['Format', 'NotFound', 'Internal', 'None'], help: 'How to fail.' },
  ],
  run: (params, ctx) => {
    ctx.warn('about to fail');
    switch (params.Kind) {
      case 'Format': throw new FormatError('wim', 'the header is truncated at offset 12.');
      case 'NotFound': throw new NotFoundError('package', "No package 'PS100099' in the catalog.");
      case 'Internal': { const o: any = undefined; return Promise.resolve(o.boom); }
      default: return Promise.resolve({ Ok: true });
    }
  },
};

/** Reports the context: clock, home, secret, whether progress draws. */
export const getTestContext: CmdletSpec<any> = {
  name: 'Get-TestContext',
  synopsis: 'Shows the context.',
  parameters: [
    { name: 'Secret', type: 'switch', help: 'Ask for a secret.' },
    { name: 'Progress', type: 'int', help: 'Tick a progress bar this many times.' },
  ],
  run: async (params, ctx) => {
    if (typeof params.Progress === 'number') {
      const p = ctx.progress('Copying', params.Progress * 100);
      for (let i = 0; i < params.Progress; i++) {
        p.tick(100, `file ${i}`);
        if (i === 0) ctx.verbose('first tick');
        await new Promise((r) => setTimeout(r, 15));
      }
      p.done();
    }
    const secret = params.Secret ? await ctx.readSecret('Password: ') : undefined;
    return { Now: ctx.now(), Home: ctx.home, WhatIf: ctx.whatIf, Secret: secret ?? null };
  },
};

/** Hashes a file in the shared pool: the shell must close the pool afterwards. */
export const getTestHash: CmdletSpec<any> = {
  name: 'Get-TestHash',
  synopsis: 'Hashes a file in the worker pool.',
  parameters: [{ name: 'Path', type: 'string', mandatory: true, position: 0, help: 'The file.' }],
  run: async (params) => {
    const r = await runTask<{ size: number; sha256: string }>('hashFile', { path: params.Path });
    return { Size: r.size, Sha256: r.sha256 };
  },
};

/** Waits until the signal aborts (or 5 s). */
export const waitTestSignal: CmdletSpec<any> = {
  name: 'Wait-TestSignal',
  synopsis: 'Waits for cancellation.',
  parameters: [],
  run: (_params, ctx) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ Aborted: false }), 5000);
    ctx.signal.addEventListener('abort', () => { clearTimeout(timer); reject(new Error('aborted')); }, { once: true });
  }),
};

export const testCmdlets: CmdletSpec<any>[] = [
  newTestPackage, getTestItem, getTestRow, removeTestThing, invokeTestFailure, getTestContext, getTestHash, waitTestSignal,
];
