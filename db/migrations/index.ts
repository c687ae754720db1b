// The numbered migrations, in order. Schema version N means migrations 1..N have run.
import initial from './0001-initial.js';

export const migrations: readonly string[] = [initial];
export const SCHEMA_VERSION = migrations.length;
