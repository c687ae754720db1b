// Where tsmedia keeps its catalog and content library.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** $TSMEDIA_HOME, else $XDG_DATA_HOME/tsmedia, else ~/.local/share/tsmedia. */
export function resolveHome(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const own = env['TSMEDIA_HOME'];
  if (own) return resolve(own);
  const xdg = env['XDG_DATA_HOME'];
  if (xdg) return resolve(xdg, 'tsmedia');
  return join(env['HOME'] || homedir(), '.local', 'share', 'tsmedia');
}
