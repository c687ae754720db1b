// ECMA-119 identifiers for the primary tree (level 2/3 names, 7.5 and 7.6): d-characters only
// (A-Z 0-9 _), files "NAME.EXT;1" with NAME+EXT <= 30, directories <= 31. Other characters map
// to '_' and lowercase to uppercase, as libisofs does; clashes after mapping are made unique per
// directory with a "~N" tail. Joliet and UDF keep the original names, so this tree only serves
// readers that know nothing else.

export const MAX_FILE_ID = 30;   // NAME + EXT (7.5.1 at level 2)
export const MAX_DIR_ID = 31;    // 7.6.3 at level 2

function dChars(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** A d-character field of at most max characters (volume id: 32, volume set id: 128). */
export function isoVolumeId(label: string, max = 32): string {
  return dChars(label).slice(0, max);
}

function splitFile(name: string): { base: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return { base: dChars(name), ext: '' };
  return { base: dChars(name.slice(0, dot)), ext: dChars(name.slice(dot + 1)) };
}

function fit(base: string, ext: string, tail: string, isDir: boolean): string {
  if (isDir) return base.slice(0, MAX_DIR_ID - tail.length) + tail;
  const e = ext.slice(0, Math.min(ext.length, 8));
  const b = base.slice(0, Math.max(1, MAX_FILE_ID - e.length - tail.length)) + tail;
  return `${b}.${e}`;
}

/**
 * Maps the names of one directory's children to unique ISO 9660 identifiers (without ";1").
 * `entries` are in a stable order; the result is parallel to it.
 */
export function isoNamesForDirectory(entries: readonly { name: string; isDir: boolean }[]): string[] {
  const used = new Set<string>();
  const out: string[] = [];
  for (const e of entries) {
    const { base, ext } = e.isDir ? { base: dChars(e.name), ext: '' } : splitFile(e.name);
    let id = fit(base || '_', ext, '', e.isDir);
    for (let n = 1; used.has(id); n++) id = fit(base || '_', ext, `~${n}`, e.isDir);
    used.add(id);
    out.push(id);
  }
  return out;
}
