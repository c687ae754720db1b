// A thin typed layer over sql.js: load the wasm once, run statements, map rows.
import initSqlJs from 'sql.js';
import type { Database, SqlValue, BindParams } from 'sql.js';

let sqlModule: Promise<initSqlJs.SqlJsStatic> | undefined;

export function loadSqlJs(): Promise<initSqlJs.SqlJsStatic> {
  sqlModule ??= initSqlJs();
  return sqlModule;
}

export type Row = Record<string, SqlValue>;

export class SqlDatabase {
  constructor(readonly db: Database) {}

  run(sql: string, params: BindParams = []): void {
    this.db.run(sql, params);
  }

  all<T = Row>(sql: string, params: BindParams = []): T[] {
    const stmt = this.db.prepare(sql);
    try {
      stmt.bind(params);
      const rows: T[] = [];
      while (stmt.step()) rows.push(stmt.getAsObject() as T);
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
    this.db.close();
  }
}
