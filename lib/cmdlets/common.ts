// Parameters and helpers shared by cmdlet modules.
import type { ParameterSpec, CmdletContext } from '../shell/types.js';

export const DEFAULT_SITE_CODE = 'PS1';

export const siteCodeParameter: ParameterSpec = {
  name: 'SiteCode', type: 'string',
  help: 'The site that owns the new object (default: $TSMEDIA_SITE_CODE, else PS1).',
};

export function siteCodeOf(params: { SiteCode?: string }, ctx: CmdletContext): string {
  return (params.SiteCode ?? ctx.env['TSMEDIA_SITE_CODE'] ?? DEFAULT_SITE_CODE).toUpperCase();
}

/** Wires an import's progress to the shell's progress display. */
export function importProgress(ctx: CmdletContext, activity: string): { onTotal(bytes: number): void; onProgress(bytes: number): void; onWarning(message: string): void; signal: AbortSignal; done(): void } {
  let bar: ReturnType<CmdletContext['progress']> | undefined;
  return {
    onWarning(message) { ctx.warn(message); },
    onTotal(bytes) { bar = ctx.progress(activity, bytes); },
    onProgress(bytes) { bar?.tick(bytes); },
    signal: ctx.signal,
    done() { bar?.done(); },
  };
}
