// Parameters and helpers shared by cmdlet modules.
import { UsageError } from '../errors.js';
import { processPasswordDeps, resolveMediaPassword, stripOneNewline } from '../media/password-source.js';
import type { ParameterSpec, CmdletContext } from '../shell/types.js';
import { readInputFile } from './read-input-file.js';

export const DEFAULT_SITE_CODE = 'PS1';

export const siteCodeParameter: ParameterSpec = {
  name: 'SiteCode', type: 'string',
  help: 'The site that owns the new object (default: $TSMEDIA_SITE_CODE, else PS1).',
};

export function siteCodeOf(params: { SiteCode?: string }, ctx: CmdletContext): string {
  return (params.SiteCode ?? ctx.env['TSMEDIA_SITE_CODE'] ?? DEFAULT_SITE_CODE).toUpperCase();
}

/** Wires an import's progress to the shell's progress display (the total comes once the source is listed). */
export function importProgress(ctx: CmdletContext, activity: string): { onTotal(bytes: number): void; onProgress(bytes: number): void; onWarning(message: string): void; signal: AbortSignal; done(): void } {
  const bar = ctx.progress(activity);
  return {
    onWarning(message) { ctx.warn(message); },
    onTotal(bytes) { bar.setTotal(bytes); },
    onProgress(bytes) { bar.tick(bytes); },
    signal: ctx.signal,
    done() { bar.done(); },
  };
}

/** The media password parameters every cmdlet that opens or makes media takes. */
export interface MediaPasswordParams { MediaPassword?: string; MediaPasswordFile?: string; MediaPasswordPrompt?: boolean }

/**
 * The media password from -MediaPassword, -MediaPasswordFile, $TSMEDIA_MEDIA_PASSWORD or the
 * prompt (lib/media/password-source.ts); null when none is given. `useEnvironment: false` ignores
 * the environment (a reader that only wants a password the user named).
 */
export async function mediaPasswordOf(p: MediaPasswordParams, ctx: CmdletContext, useEnvironment = true): Promise<string | null> {
  const { password } = await resolveMediaPassword(
    { ...(p.MediaPassword !== undefined ? { mediaPassword: p.MediaPassword } : {}), ...(p.MediaPasswordFile !== undefined ? { mediaPasswordFile: p.MediaPasswordFile } : {}), prompt: p.MediaPasswordPrompt === true },
    { ...processPasswordDeps((m) => ctx.warn(m)), env: useEnvironment ? ctx.env : {} },
  );
  return password;
}

/** The certificate password parameters that go with -CertificatePath. */
export interface CertificatePasswordParams { CertificatePassword?: string; CertificatePasswordFile?: string }

/** A PFX's password: -CertificatePassword (warned), -CertificatePasswordFile, else the terminal. */
export async function certificatePasswordOf(p: CertificatePasswordParams, ctx: CmdletContext): Promise<string> {
  if (p.CertificatePassword !== undefined && p.CertificatePasswordFile !== undefined) {
    throw new UsageError('EPASSWORD_SOURCES', 'Give -CertificatePassword or -CertificatePasswordFile, not both.');
  }
  if (p.CertificatePassword !== undefined) {
    ctx.warn('-CertificatePassword puts the password on the command line, where other users can read it in the process list; use -CertificatePasswordFile.');
    return p.CertificatePassword;
  }
  if (p.CertificatePasswordFile !== undefined) {
    const text = (await readInputFile(p.CertificatePasswordFile, 64 * 1024, 'EPASSWORD_FILE', 'the password file')).toString('utf8');
    return stripOneNewline(text.replace(/^\uFEFF/, ''));
  }
  const typed = await ctx.readSecret('Certificate password: ');
  if (typed === undefined) throw new UsageError('EPASSWORD_REQUIRED', '-CertificatePath needs the PFX password: give -CertificatePasswordFile (or -CertificatePassword).');
  return typed;
}
