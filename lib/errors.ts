// Typed errors. Every failure a user can meet carries a stable code, a message that says what is
// wrong and what to do, and structured data; toJSON lets errors cross worker boundaries.

/** Process exit codes: 1 for a failed operation, 2 for a command line that cannot be bound. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class TsmediaError extends Error {
  readonly code: string;
  readonly data: Record<string, unknown>;
  exitCode: number = EXIT_FAILURE;
  /** The cmdlet that raised it, set by the shell. */
  caller?: string;

  constructor(code: string, message: string, data: Record<string, unknown> = {}) {
    super(message);
    this.name = 'TsmediaError';
    this.code = code;
    this.data = data;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, data: this.data };
  }

  /** Rebuilds an error that crossed a worker or comlink boundary as plain data. */
  static fromJSON(json: { code?: unknown; message?: unknown; data?: unknown; name?: unknown }): TsmediaError {
    const data = (json.data && typeof json.data === 'object' ? json.data : {}) as Record<string, unknown>;
    const err = json.name === 'UsageError'
      ? new UsageError(String(json.code ?? 'EUSAGE'), String(json.message ?? ''), data)
      : new TsmediaError(String(json.code ?? 'EUNKNOWN'), String(json.message ?? ''), data);
    return err;
  }
}

/** A command line that cannot be bound: unknown cmdlet or parameter, wrong value type. Exit 2. */
export class UsageError extends TsmediaError {
  constructor(code: string, message: string, data: Record<string, unknown> = {}) {
    super(code, message, data);
    this.name = 'UsageError';
    this.exitCode = EXIT_USAGE;
  }
}

/** Input bytes that break a format's rules: a corrupt, truncated or hostile WIM, ISO or image. */
export class FormatError extends TsmediaError {
  constructor(format: string, message: string, data: Record<string, unknown> = {}) {
    super(`E${format.toUpperCase()}_FORMAT`, `${format}: ${message}`, { format, ...data });
    this.name = 'FormatError';
  }
}

/** Something asked for is not there: a package ID, an image index, a path inside a WIM. */
export class NotFoundError extends TsmediaError {
  constructor(what: string, message: string, data: Record<string, unknown> = {}) {
    super('ENOTFOUND', message, { what, ...data });
    this.name = 'NotFoundError';
  }
}

/** A request that breaks a media rule (HTTPS at a CAS, content over the media size, ...). */
export class RuleError extends TsmediaError {
  constructor(code: string, message: string, data: Record<string, unknown> = {}) {
    super(code, message, data);
    this.name = 'RuleError';
  }
}

/**
 * A command that failed but has output worth showing first (a bulk run's rows, some Built, some
 * Failed): the shell formats `output` as the cmdlet's result, then writes the error line and
 * exits non-zero.
 */
export class PartialFailure extends TsmediaError {
  constructor(code: string, message: string, readonly output: unknown, data: Record<string, unknown> = {}) {
    super(code, message, data);
    this.name = 'PartialFailure';
  }
}

export function isTsmediaError(err: unknown): err is TsmediaError {
  return err instanceof TsmediaError;
}
