// A thin typed layer over sql.js: load the wasm once, run statements, map rows.
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type initSqlJs from 'sql.js';
import type { Database, SqlValue, BindParams } from 'sql.js';

let sqlModule: Promise<initSqlJs.SqlJsStatic> | undefined;

export function loadSqlJs(): Promise<initSqlJs.SqlJsStatic> {
  // A tsmedia process is short. V8's optimizing tier recompiles sql.js's hot functions (the VDBE
  // loop is huge) at a cost above what most catalog queries take, so sql.js gets the baseline
  // compiler only: cold queries 2-3x less CPU, long warm ones about 1.2x more (bench/cache-queries).
  if (!sqlModule) setFlagsFromString('--liftoff-only');
  // sql.js is CommonJS: require() loads it in 8 ms, where import (the ESM loader scans its 47 KB
  // for exports first) took 16-25 ms of every catalog command's start; and only when first used.
  sqlModule ??= (createRequire(import.meta.url)('sql.js') as typeof initSqlJs)();
  return sqlModule;
}

export type Row = Record<string, SqlValue>;

export class SqlDatabase {
  /** onClose: releases what the database was opened from (a file-backed snapshot's descriptor). */
  constructor(readonly db: Database, private readonly onClose?: () => void) {}

  run(sql: string, params: BindParams = []): void {
    this.db.run(sql, params);
  }

  all<T = Row>(sql: string, params: BindParams = []): T[] {
    const stmt = this.db.prepare(sql);
    try {
      stmt.bind(params);
      const rows: T[] = [];
      // getAsObject() looks the column names up again for every row; taking them once and
      // building plain objects from get() is about twice as fast on large results.
      let names: string[] | undefined;
      while (stmt.step()) {
        names ??= stmt.getColumnNames();
        const values = stmt.get();
        const row: Record<string, SqlValue> = {};
        for (let i = 0; i < names.length; i++) row[names[i]!] = values[i]!;
        rows.push(row as T);
      }
      return rows;
    } finally {
      stmt.free();
    }
  }

  get<T = Row>(sql: string, params: BindParams = []): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  /** Runs fn with a prepared statement, freed afterwards (for bulk inserts). */
  withStatement<T>(sql: string, fn: (run: (params: BindParams) => void) => T): T {
    const stmt = this.db.prepare(sql);
    try {
      return fn((params) => { stmt.run(params); });
    } finally {
      stmt.free();
    }
  }

  /**
   * Inserts many rows with multi-row INSERT statements: each call into sql.js costs far more than
   * a row, so 200 rows per statement are about four times faster than one.
   * `verb` is 'INSERT' or 'INSERT OR IGNORE'.
   */
  insertMany(verb: 'INSERT' | 'INSERT OR IGNORE', table: string, columns: readonly string[], rows: readonly SqlValue[][]): void {
    const ROWS_PER_STATEMENT = 200;
    const tuple = `(${columns.map(() => '?').join(',')})`;
    const sql = (n: number): string => `${verb} INTO ${table} (${columns.join(',')}) VALUES ${Array(n).fill(tuple).join(',')}`;
    const full = rows.length - (rows.length % ROWS_PER_STATEMENT);
    if (full > 0) {
      this.withStatement(sql(ROWS_PER_STATEMENT), (run) => {
        for (let i = 0; i < full; i += ROWS_PER_STATEMENT) run(rows.slice(i, i + ROWS_PER_STATEMENT).flat());
      });
    }
    if (rows.length > full) this.run(sql(rows.length - full), rows.slice(full).flat());
  }

  transaction<T>(fn: () => T): T {
    this.db.run('BEGIN');
    try {
      const out = fn();
      this.db.run('COMMIT');
      return out;
    } catch (err) {
      this.db.run('ROLLBACK');
      throw err;
    }
  }

  export(): Uint8Array {
    return this.db.export();
  }

  close(): void {
    try {
      this.db.close();
    } finally {
      this.onClose?.();
    }
  }
}
