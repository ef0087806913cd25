/**
 * PostgreSQL for tests. Set MUSTER_TEST_POSTGRES_URL to a role that may create databases
 * (see store/POSTGRES_CI.md); each caller gets its own new database, dropped afterwards, so
 * test files and repeated runs never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { knex } from '@mikro-orm/knex';

export const POSTGRES_URL_ENV = 'MUSTER_TEST_POSTGRES_URL';

/** The admin connection URL, or undefined when PostgreSQL tests should be skipped. */
export function testPostgresUrl(): string | undefined {
  const url = process.env[POSTGRES_URL_ENV]?.trim();
  return url ? url : undefined;
}

export interface TestDatabase {
  url: string;
  /** Drops the database, even if a connection was left open. */
  drop(): Promise<void>;
}

/** Creates an empty database named after `label` plus a random suffix, next to the admin one. */
export async function createTestDatabase(adminUrl: string, label = 'test'): Promise<TestDatabase> {
  const safeLabel = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30);
  const name = `muster_${safeLabel}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (db) => db.raw('create database ??', [name]));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(adminUrl, (db) => db.raw('drop database if exists ?? with (force)', [name])),
  };
}

async function admin(adminUrl: string, work: (db: ReturnType<typeof knex>) => Promise<unknown>): Promise<void> {
  const db = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    await work(db);
  } finally {
    await db.destroy();
  }
}
