// The catalog: one SQLite file (sql.js) in the tsmedia home. Readers load a snapshot (the file is
// only ever replaced whole, so any snapshot is consistent); writers take the inter-process lock,
// reload, change the database in one transaction, and replace the file atomically.
import { closeSync, fstatSync, openSync, type Stats } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TsmediaError } from '../errors.js';
import { loadMigrations, SCHEMA_VERSION } from '../../db/migrations/index.js';
import { writeFileAtomic } from './atomic-write.js';
import { loadSqlJs, SqlDatabase } from './database.js';
import { FileBackedBytes } from './file-backed-bytes.js';
import { withLock } from './lock.js';

export const CATALOG_FILE = 'catalog.sqlite';
export const DEFAULT_SITE = { code: 'PS1', name: 'Primary Site 1' } as const;

export function catalogPath(home: string): string {
  return join(home, CATALOG_FILE);
}

// A reader's snapshot reads pages from the file on demand (file-backed-bytes.ts); a writer's is
// the whole database in memory, which it changes and saves, and which later readers may reuse.
interface Snapshot { db: SqlDatabase; key: string; users: number; retired: boolean; fileBacked: boolean }
// The last snapshot per home: a script of many cmdlets in one process loads the file once, and
// reloads only when another process replaced it (its identity changed). A snapshot still in use
// by an async reader is retired, not closed, when a newer one replaces it.
const snapshots = new Map<string, Snapshot>();

function retire(home: string, s: Snapshot | undefined): void {
  if (!s) return;
  if (snapshots.get(home) === s) snapshots.delete(home);
  s.retired = true;
  if (s.users === 0) s.db.close();
}

function statKey(s: Stats): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}

async function fileKey(path: string): Promise<string | undefined> {
  try {
    return statKey(await stat(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function open(path: string, bytes: Uint8Array | FileBackedBytes, onClose?: () => void): Promise<SqlDatabase> {
  const SQL = await loadSqlJs();
  let db: SqlDatabase;
  try {
    // sql.js's MEMFS takes any object with subarray() and slice() as the file's contents
    db = new SqlDatabase(new SQL.Database(bytes as Uint8Array), onClose);
  } catch (err) {
    onClose?.();
    throw corrupt(path, err);
  }
  try {
    db.get('SELECT count(*) FROM sqlite_master');
  } catch (err) {
    db.close();
    throw corrupt(path, err);
  }
  db.run('PRAGMA foreign_keys = ON');
  return db;
}

function corrupt(path: string, err: unknown): TsmediaError {
  return new TsmediaError('ECATALOG_CORRUPT', `The catalog ${path} is not a readable SQLite database (${(err as Error).message}). Restore it from a backup or move it away to start a new one.`);
}

/** The whole catalog in memory, for a writer. */
async function load(path: string): Promise<SqlDatabase> {
  return open(path, await readFile(path));
}

/** A read-only snapshot that reads the pages a query needs, and the identity of the file it reads. */
async function loadFileBacked(path: string): Promise<{ db: SqlDatabase; key: string } | undefined> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const bytes = new FileBackedBytes(fd, stats.size);
  const db = await open(path, bytes, () => bytes.close());
  // SQLite keeps the pages it read (up to 32 MiB): a script of many cmdlets reads each page once.
  // query_only: a reader that tries to write gets SQLite's clean refusal.
  db.run('PRAGMA cache_size = -32768');
  db.run('PRAGMA query_only = ON');
  return { db, key: statKey(stats) };
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
async function migrate(db: SqlDatabase, now: Date): Promise<boolean> {
  const from = schemaVersion(db);
  if (from >= SCHEMA_VERSION) return false;
  const migrations = await loadMigrations();
  db.transaction(() => {
    for (let v = from; v < SCHEMA_VERSION; v++) db.db.exec(migrations[v]!);
    if (from === 0) {
      db.run(`INSERT INTO sites (code, name, type, created) VALUES (?, ?, 'Primary', ?)`, [DEFAULT_SITE.code, DEFAULT_SITE.name, now.toISOString()]);
    }
    db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
  return true;
}

/**
 * The current snapshot of a home, held for the caller (users + 1) until release(); loaded when the
 * file changed. The hold is taken in the same synchronous step as the look-up or the load, so no
 * writer can retire and close the snapshot in between.
 */
async function acquire(home: string): Promise<Snapshot | undefined> {
  const path = catalogPath(home);
  const key = await fileKey(path);
  if (key === undefined) return undefined;
  let snap = snapshots.get(home);
  if (!snap || snap.key !== key) {
    const loaded = await loadFileBacked(path);
    if (!loaded) return undefined;
    try {
      checkNotNewer(loaded.db, path);
    } catch (err) {
      loaded.db.close();
      throw err;
    }
    snap = { db: loaded.db, key: loaded.key, users: 0, retired: false, fileBacked: true };
    retire(home, snapshots.get(home));
    snapshots.set(home, snap);
  }
  snap.users++;
  return snap;
}

function release(s: Snapshot): void {
  s.users--;
  if (s.retired && s.users === 0) s.db.close();
}

/**
 * Reads the catalog. A missing or older catalog is first created or migrated (under the lock), so
 * readers always see the current schema. fn may be async: the snapshot stays open until it ends.
 */
export async function readCatalog<T>(home: string, now: Date, fn: (db: SqlDatabase) => T): Promise<Awaited<T>> {
  let snap = await acquire(home);
  if (!snap || schemaVersion(snap.db) < SCHEMA_VERSION) {
    if (snap) release(snap);
    await writeCatalog(home, now, () => undefined);
    snap = await acquire(home);
    if (!snap) throw new TsmediaError('ECATALOG_MISSING', `The catalog ${catalogPath(home)} disappeared while it was being opened.`);
  }
  try {
    return await fn(snap.db);
  } finally {
    release(snap);
  }
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
    const cached = snapshots.get(home);
    // Reuse the cached database only when it is whole in memory and nobody reads it: a change must
    // not show to a reader before it is saved, and a failed change must not leave it half-applied.
    let db: SqlDatabase;
    if (key !== undefined && cached && cached.key === key && cached.users === 0 && !cached.fileBacked) {
      db = cached.db;
      snapshots.delete(home);
    } else if (key !== undefined) {
      db = await load(path);
      checkNotNewer(db, path);
    } else {
      const SQL = await loadSqlJs();
      db = new SqlDatabase(new SQL.Database());
      db.run('PRAGMA foreign_keys = ON');
    }
    let out: T;
    try {
      await migrate(db, now);
      out = db.transaction(() => fn(db));
      await writeFileAtomic(path, db.export());
    } catch (err) {
      db.close();
      throw err;
    }
    retire(home, snapshots.get(home));
    const newKey = await fileKey(path);
    if (newKey) snapshots.set(home, { db, key: newKey, users: 0, retired: false, fileBacked: false });
    else db.close();
    return out;
  });
}

/** Temporary catalogs left by a writer that was killed mid-save (only writers make them, under the lock). */
async function removeStaleTemporaryFiles(home: string): Promise<void> {
  for (const name of await readdir(home)) {
    if (name.startsWith(`.${CATALOG_FILE}.tmp-`)) await rm(join(home, name), { force: true });
  }
}

/** Forgets the cached snapshot of a home (tests that change a catalog file behind tsmedia's back). */
export function forgetCatalogSnapshot(home: string): void {
  retire(home, snapshots.get(home));
}
