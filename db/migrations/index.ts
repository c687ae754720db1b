// The numbered migrations, in order. Schema version N means migrations 1..N have run.
import initial from './0001-initial.js';
import media from './0002-media.js';
import cacheQueries from './0003-cache-queries.js';
import mediaDownloadCosts from './0004-media-download-costs.js';
import mediaStatus from './0005-media-status.js';

export const migrations: readonly string[] = [initial, media, cacheQueries, mediaDownloadCosts, mediaStatus];
export const SCHEMA_VERSION = migrations.length;
