/**
 * The store: the durable, queryable record of incidents (DESIGN.md, "Data ownership").
 * The workflow owns live state; idempotent activities copy it here with a version number, and
 * lists, search and metrics read from here. SQLite by default, PostgreSQL for production; both
 * run the same queries.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { IsolationLevel, MikroORM, raw } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { FeedbackEntry, IncidentFilter, IncidentRecord, IncidentState, Page, TimelineEvent } from '../domain/incident';
import { formatIncidentId } from '../domain/rules';
import { ENTITIES, FeedbackEntity, IncidentEntity, TimelineEventEntity, type FeedbackRow, type IncidentRow } from './entities';
import { fromIncidentRow, fromTimelineRow, toIncidentRow, toTimelineRow } from './mapping';

export interface StoreOptions {
  /** 'sqlite:<path>', a bare file path or ':memory:'; or 'postgres://user:pass@host:port/db' ('postgresql://' too). */
  url: string;
  /** Log every SQL statement. */
  debug?: boolean;
}

export interface IncidentStore {
  /** Upserts the incident row only if incident.version > stored version (a late write never overwrites a newer one); inserts the given timeline events ignoring ones already stored (key: incidentId + seq). Returns whether the row was written. Idempotent: safe to retry. */
  recordIncident(incident: IncidentRecord, timeline: TimelineEvent[]): Promise<{ applied: boolean }>;
  /** The full IncidentState (record + all timeline events ordered by seq), or null. */
  getIncident(id: string): Promise<IncidentState | null>;
  /**
   * Newest first (number desc, then id desc). limit: default 50, max 200. List filters are
   * any-of (an empty list does not filter); all filters combine with AND.
   * Throws InvalidCursorError for a cursor this store did not hand out.
   */
  listIncidents(filter: IncidentFilter, page?: { limit?: number; cursor?: string }): Promise<Page<IncidentRecord>>;
  /** Events with seq > afterSeq (default 0), ordered by seq. limit: default 500, max 1000. */
  listTimeline(id: string, opts?: { afterSeq?: number; limit?: number }): Promise<TimelineEvent[]>;
  /** Highest incident number stored for ids with this prefix (e.g. 'INC'), 0 if none. */
  highestIncidentNumber(prefix: string): Promise<number>;
  /** Upserts one person's feedback on an incident (key: incident + email). Idempotent. */
  recordFeedback(incidentId: string, entry: FeedbackEntry): Promise<void>;
  /** Feedback, oldest first: of one incident, and/or submitted at or after `since` (ISO). */
  listFeedback(filter: { incidentId?: string; since?: string }): Promise<Array<FeedbackEntry & { incidentId: string }>>;
  /** Cheap liveness check for /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('invalid cursor: pass back the nextCursor of a previous page');
  }
}

const PAGE = { default: 50, max: 200 };
const TIMELINE_PAGE = { default: 500, max: 1000 };
/** Rows per multi-row INSERT: far below SQLite's bound-parameter limit (9 columns each). */
const INSERT_CHUNK = 500;
const SQLITE_BUSY_TIMEOUT_MS = 5000;

type Backend = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export function parseStoreUrl(url: string): Backend {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  let file = url.replace(/^sqlite:/i, '');
  // 'sqlite:///abs/path.db' and 'sqlite://rel.db' as well as 'sqlite:rel.db'.
  if (file.startsWith('//')) file = file.slice(2);
  if (file === '') throw new Error(`store url has no SQLite file: ${JSON.stringify(url)}`);
  return { kind: 'sqlite', file: file === ':memory:' ? file : resolve(file) };
}

/**
 * In one process, two stores on the same SQLite file must not write at the same time:
 * better-sqlite3 waits for a lock synchronously, blocking the event loop, so the connection
 * holding the lock could never finish its transaction. Writers in one process therefore take
 * turns here; across processes SQLite's busy timeout does the waiting.
 */
const fileLocks = new Map<string, Promise<unknown>>();

function withFileLock<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (file === undefined) return work();
  const previous = fileLocks.get(file) ?? Promise.resolve();
  const result = previous.then(work, work);
  const tail = result.catch(() => undefined);
  fileLocks.set(file, tail);
  void tail.then(() => {
    if (fileLocks.get(file) === tail) fileLocks.delete(file);
  });
  return result;
}

export async function openStore(opts: StoreOptions): Promise<IncidentStore> {
  const backend = parseStoreUrl(opts.url);
  const common = { entities: ENTITIES, debug: opts.debug ?? false, discovery: { disableDynamicFileAccess: true } };
  let orm: MikroORM<AbstractSqlDriver>;
  let lockFile: string | undefined;
  if (backend.kind === 'sqlite') {
    if (backend.file !== ':memory:') {
      mkdirSync(dirname(backend.file), { recursive: true });
      lockFile = backend.file;
    }
    orm = await MikroORM.init<AbstractSqlDriver>({
      ...common,
      driver: BetterSqliteDriver,
      dbName: backend.file,
      pool: {
        // Per connection: the busy timeout makes a second process wait for the write lock
        // instead of failing at once; WAL lets the API read while the worker writes.
        afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) => {
          conn.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
          enableWal(conn).then(
            () => done(null, conn),
            (err: Error) => done(err, conn),
          );
        },
      },
    });
  } else {
    orm = await MikroORM.init<AbstractSqlDriver>({ ...common, driver: PostgreSqlDriver, clientUrl: backend.url });
  }
  try {
    await withFileLock(lockFile, () => migrate(orm));
  } catch (err) {
    await orm.close(true);
    throw err;
  }
  return new SqlIncidentStore(orm, backend.kind, lockFile);
}

interface SqliteConnection {
  pragma(sql: string): unknown;
}

/**
 * Switching to WAL can fail with SQLITE_BUSY *without* consulting the busy timeout, e.g. while
 * another process is creating the same new file; so wait and try again ourselves.
 */
async function enableWal(conn: SqliteConnection): Promise<void> {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      conn.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 40));
    }
  }
}

/**
 * Creates missing tables and indexes. Another process may be doing the same right now: its
 * CREATE can land between our diff and our CREATE, so on failure we diff again (the second
 * diff sees its tables). `safe` never drops tables or columns this code does not know about.
 */
async function migrate(orm: MikroORM<AbstractSqlDriver>, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await orm.schema.updateSchema({ safe: true });
      return;
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
}

class SqlIncidentStore implements IncidentStore {
  constructor(
    private readonly orm: MikroORM<AbstractSqlDriver>,
    private readonly kind: Backend['kind'],
    private readonly lockFile: string | undefined,
  ) {}

  /** A fresh EntityManager per call: the global one is shared state. */
  private em(): SqlEntityManager {
    return this.orm.em.fork();
  }

  async recordIncident(incident: IncidentRecord, timeline: TimelineEvent[]): Promise<{ applied: boolean }> {
    const row = toIncidentRow(incident);
    if (formatIncidentId(row.prefix, row.number) !== incident.id) {
      throw new Error(`incident id ${incident.id} does not match its number ${incident.number}`);
    }
    const events = timeline.map((event) => toTimelineRow(incident.id, event));
    return withFileLock(this.lockFile, () =>
      this.em().transactional(async (em) => {
        // The version guard lives in SQL, so two racing writers cannot both win: the row is
        // updated only when the stored version is older. The row count says whether it was.
        const result = await em.createQueryBuilder(IncidentEntity)
          .insert(row)
          .onConflict('id')
          .merge()
          .where({ version: { $lt: raw('excluded.version') } })
          .execute('run');
        // Events are immutable once numbered, so a late write's events are still worth keeping.
        for (let i = 0; i < events.length; i += INSERT_CHUNK) {
          await em.createQueryBuilder(TimelineEventEntity)
            .insert(events.slice(i, i + INSERT_CHUNK))
            .onConflict(['incidentId', 'seq'])
            .ignore()
            .execute('run');
        }
        return { applied: result.affectedRows > 0 };
      }),
    );
  }

  async getIncident(id: string): Promise<IncidentState | null> {
    // One snapshot for record and timeline, so they belong together. SQLite transactions are
    // snapshots already (and knex warns if given an isolation level there).
    const options = this.kind === 'postgres' ? { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true } : {};
    return this.em().transactional(async (em) => {
      const row = await em.findOne(IncidentEntity, { id });
      if (!row) return null;
      const events = await em.find(TimelineEventEntity, { incidentId: id }, { orderBy: { seq: 'asc' } });
      // Feedback lives in its own table; an incident resumed from here keeps what it was given.
      const feedback = (await em.find(FeedbackEntity, { incidentId: id }, { orderBy: { submittedAt: 'asc', email: 'asc' } })).map(fromFeedbackRow);
      return { ...fromIncidentRow(row), timeline: events.map(fromTimelineRow), ...(feedback.length ? { feedback } : {}) };
    }, options);
  }

  async listIncidents(filter: IncidentFilter, page: { limit?: number; cursor?: string } = {}): Promise<Page<IncidentRecord>> {
    const limit = clamp(page.limit, PAGE);
    const query = this.em().createQueryBuilder(IncidentEntity, 'i').select('*');
    if (filter.status?.length) query.andWhere({ status: { $in: filter.status } });
    if (filter.severity?.length) query.andWhere({ severity: { $in: filter.severity } });
    if (filter.priority?.length) query.andWhere({ priority: { $in: filter.priority } });
    if (filter.type?.length) query.andWhere({ type: { $in: filter.type } });
    if (filter.commander) query.andWhere('lower(i.commander_email) = ?', [filter.commander.toLowerCase()]);
    if (filter.tag !== undefined) {
      query.andWhere(
        this.kind === 'postgres' ? 'i.tags @> ?::jsonb' : 'exists (select 1 from json_each(i.tags) where json_each.value = ?)',
        [this.kind === 'postgres' ? JSON.stringify([filter.tag]) : filter.tag],
      );
    }
    if (filter.q) query.andWhere(`lower(i.title) like ? escape '\\'`, [`%${escapeLike(filter.q.toLowerCase())}%`]);
    if (page.cursor !== undefined) {
      const after = decodeCursor(page.cursor);
      query.andWhere({ $or: [{ number: { $lt: after.number } }, { number: after.number, id: { $lt: after.id } }] });
    }
    // One row more than asked tells whether another page exists.
    const rows: IncidentRow[] = await query.orderBy({ number: 'desc', id: 'desc' }).limit(limit + 1).getResultList();
    const items = rows.slice(0, limit).map(fromIncidentRow);
    const last = items[items.length - 1];
    return rows.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  async listTimeline(id: string, opts: { afterSeq?: number; limit?: number } = {}): Promise<TimelineEvent[]> {
    const rows = await this.em().find(
      TimelineEventEntity,
      { incidentId: id, seq: { $gt: opts.afterSeq ?? 0 } },
      { orderBy: { seq: 'asc' }, limit: clamp(opts.limit, TIMELINE_PAGE) },
    );
    return rows.map(fromTimelineRow);
  }

  async highestIncidentNumber(prefix: string): Promise<number> {
    const result = await this.em().createQueryBuilder(IncidentEntity, 'i')
      .select(raw('max(i.number) as highest'))
      .where({ prefix })
      .execute<{ highest: number | string | null } | undefined>('get');
    // PostgreSQL returns bigint aggregates as strings.
    return Number(result?.highest ?? 0);
  }

  async recordFeedback(incidentId: string, entry: FeedbackEntry): Promise<void> {
    const row: FeedbackRow = {
      incidentId,
      email: entry.person.email,
      name: entry.person.name ?? null,
      rating: entry.rating,
      text: entry.text ?? null,
      anonymous: entry.anonymous,
      submittedAt: entry.submittedAt,
    };
    await withFileLock(this.lockFile, () =>
      this.em().createQueryBuilder(FeedbackEntity).insert(row).onConflict(['incidentId', 'email']).merge().execute('run'),
    );
  }

  async listFeedback(filter: { incidentId?: string; since?: string }): Promise<Array<FeedbackEntry & { incidentId: string }>> {
    const where: Record<string, unknown> = {};
    if (filter.incidentId) where.incidentId = filter.incidentId;
    if (filter.since) where.submittedAt = { $gte: filter.since };
    const rows = await this.em().find(FeedbackEntity, where, { orderBy: { submittedAt: 'asc', incidentId: 'asc', email: 'asc' } });
    return rows.map((row) => ({ incidentId: row.incidentId, ...fromFeedbackRow(row) }));
  }

  async ping(): Promise<void> {
    await this.em().getConnection().execute('select 1');
  }

  async close(): Promise<void> {
    await this.orm.close(true);
  }
}

function fromFeedbackRow(row: FeedbackRow): FeedbackEntry {
  return {
    person: row.name === null ? { email: row.email } : { email: row.email, name: row.name },
    rating: row.rating,
    ...(row.text === null ? {} : { text: row.text }),
    anonymous: !!row.anonymous,
    submittedAt: row.submittedAt,
  };
}

function clamp(value: number | undefined, bounds: { default: number; max: number }): number {
  if (value === undefined || !Number.isFinite(value)) return bounds.default;
  return Math.min(Math.max(Math.trunc(value), 1), bounds.max);
}

/** `\` escapes LIKE wildcards so a search for "50%" finds "50%", not "50 anything". */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The cursor is the sort key of the last item shown: (number, id), base64url-encoded JSON. */
function encodeCursor(last: IncidentRecord): string {
  return Buffer.from(JSON.stringify([last.number, last.id])).toString('base64url');
}

function decodeCursor(cursor: string): { number: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { number: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through: not JSON
  }
  throw new InvalidCursorError();
}
