// The numbered migrations, in order. Schema version N means migrations 1..N have run.
//
// Only writers that create or upgrade a catalog need their SQL, so it loads then: every other
// command (most are readers) starts without five more modules (10-15 ms here).
export const SCHEMA_VERSION = 5;

let loading: Promise<readonly string[]> | undefined;

/** The migrations' SQL, migration 1 first (one import of each, however many callers ask). */
export function loadMigrations(): Promise<readonly string[]> {
  loading ??= (async () => [
    (await import('./0001-initial.js')).default,
    (await import('./0002-media.js')).default,
    (await import('./0003-cache-queries.js')).default,
    (await import('./0004-media-download-costs.js')).default,
    (await import('./0005-media-status.js')).default,
  ])();
  return loading;
}
