// The numbered migrations, in order. Schema version N means migrations 1..N have run.
import initial from './0001-initial.js';
import media from './0002-media.js';
import cacheQueries from './0003-cache-queries.js';
import mediaDownloadCosts from './0004-media-download-costs.js';

export const migrations: readonly string[] = [initial, media, cacheQueries, mediaDownloadCosts];
export const SCHEMA_VERSION = migrations.length;
