// An interrupted build (SIGINT/SIGTERM through the cmdlet's signal) ends with a typed error.
import { TsmediaError } from '../../errors.js';

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TsmediaError('EABORTED', 'the ISO build was interrupted; no image was written');
}
