// The catalog: one SQLite file (sql.js) in the tsmedia home. Readers load a snapshot (the file is
// only ever replaced whole, so any snapshot is consistent); writers take the inter-process lock,
// reload, change the database in one transaction, and replace the file atomically.
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TsmediaError } from '../errors.js';
import { migrations, SCHEMA_VERSION } from '../../db/migrations/index.js';
import { writeFileAtomic } from './atomic-write.js';
import { loadSqlJs, SqlDatabase } from './database.js';
import { withLock } from './lock.js';

export const CATALOG_FILE = 'catalog.sqlite';
export const DEFAULT_SITE = { code: 'PS1', name: 'Primary Site 1' } as const;

export function catalogPath(home: string): string {
  return join(home, CATALOG_FILE);
}

interface Snapshot { db: SqlDatabase; key: string }
// The last snapshot per home: a script of many cmdlets in one process loads the file once, and
// reloads only when another process replaced it (its identity changed).
const snapshots = new Map<string, Snapshot>();

async function fileKey(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function load(path: string): Promise<SqlDatabase> {
  const SQL = await loadSqlJs();
  const bytes = await readFile(path);
  let db: SqlDatabase;
  try {
    db = new SqlDatabase(new SQL.Database(bytes));
    db.get('SELECT count(*) FROM sqlite_master');
  } catch (err) {
    throw new TsmediaError('ECATALOG_CORRUPT', `The catalog ${path} is not a readable SQLite database (${(err as Error).message}). Restore it from a backup or move it away to start a new one.`);
  }
  db.run('PRAGMA foreign_keys = ON');
  return db;
}

function schemaVersion(db: SqlDatabase): number {
  return Number(db.get<{ user_version: number }>('PRAGMA user_version')?.user_version ?? 0);
}

function checkNotNewer(db: SqlDatabase, path: string): void {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) {
    throw new TsmediaError('ECATALOG_NEWER', `The catalog ${path} has schema version ${version}, newer than this tsmedia understands (${SCHEMA_VERSION}). Upgrade tsmedia.`, { version, supported: SCHEMA_VERSION });
  }
}

/** Runs the migrations the database lacks, and seeds a new catalog with the primary site PS1. */
function migrate(db: SqlDatabase, now: Date): boolean {
  const from = schemaVersion(db);
  if (from >= SCHEMA_VERSION) return false;
  db.transaction(() => {
    for (let v = from; v < SCHEMA_VERSION; v++) db.db.exec(migrations[v]!);
    if (from === 0) {
      db.run(`INSERT INTO sites (code, name, type, created) VALUES (?, ?, 'Primary', ?)`, [DEFAULT_SITE.code, DEFAULT_SITE.name, now.toISOString()]);
    }
    db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
  return true;
}

async function snapshot(home: string): Promise<SqlDatabase | undefined> {
  const path = catalogPath(home);
  const key = await fileKey(path);
  if (key === undefined) return undefined;
  const cached = snapshots.get(home);
  if (cached && cached.key === key) return cached.db;
  const db = await load(path);
  checkNotNewer(db, path);
  cached?.db.close();
  snapshots.set(home, { db, key });
  return db;
}

/**
 * Reads the catalog. A missing or older catalog is first created or migrated (under the lock), so
 * readers always see the current schema.
 */
export async function readCatalog<T>(home: string, now: Date, fn: (db: SqlDatabase) => T): Promise<T> {
  let db = await snapshot(home);
  if (!db || schemaVersion(db) < SCHEMA_VERSION) {
    await writeCatalog(home, now, () => undefined);
    db = await snapshot(home);
    if (!db) throw new TsmediaError('ECATALOG_MISSING', `The catalog ${catalogPath(home)} disappeared while it was being opened.`);
  }
  return fn(db);
}

/**
 * Changes the catalog: lock, reload, run fn in one transaction, replace the file atomically. If fn
 * throws, nothing is written. fn may be async only before it touches the database: the
 * transaction is synchronous so no other work interleaves with it.
 */
export async function writeCatalog<T>(home: string, now: Date, fn: (db: SqlDatabase) => T): Promise<T> {
  await mkdir(home, { recursive: true });
  const path = catalogPath(home);
  return withLock(path, async () => {
    await removeStaleTemporaryFiles(home);
    const key = await fileKey(path);
    let db: SqlDatabase;
    const cached = snapshots.get(home);
    if (key !== undefined && cached && cached.key === key) {
      db = cached.db;
    } else if (key !== undefined) {
      db = await load(path);
      checkNotNewer(db, path);
    } else {
      const SQL = await loadSqlJs();
      db = new SqlDatabase(new SQL.Database());
      db.run('PRAGMA foreign_keys = ON');
    }
    if (cached && cached.db !== db) {
      cached.db.close();
      snapshots.delete(home);
    }
    let out: T;
    try {
      migrate(db, now);
      out = db.transaction(() => fn(db));
      await writeFileAtomic(path, db.export());
    } catch (err) {
      // The in-memory database may differ from the file now: never reuse it.
      snapshots.delete(home);
      db.close();
      throw err;
    }
    const newKey = await fileKey(path);
    if (newKey) snapshots.set(home, { db, key: newKey });
    return out;
  });
}

/** Temporary catalogs left by a writer that was killed mid-save (only writers make them, under the lock). */
async function removeStaleTemporaryFiles(home: string): Promise<void> {
  for (const name of await readdir(home)) {
    if (name.startsWith(`.${CATALOG_FILE}.tmp-`)) await rm(join(home, name), { force: true });
  }
}

/** Forgets cached snapshots (tests that swap catalogs under the same home). */
export function forgetCatalogSnapshots(): void {
  for (const s of snapshots.values()) s.db.close();
  snapshots.clear();
}
