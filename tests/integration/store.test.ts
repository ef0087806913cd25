/**
 * The store against real databases: SQLite (a temp file) always, PostgreSQL when
 * MUSTER_TEST_POSTGRES_URL is set. Every test opens a store on a database of its own.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  DEFAULT_SETTINGS,
  type IncidentChanges,
  type IncidentRecord,
  type IncidentState,
  type TimelineEvent,
} from '../../domain/incident';
import { applyChanges, applyNote, newIncident, normalizeDeclaration, validateChanges } from '../../domain/rules';
import { InvalidCursorError, openStore, type IncidentStore } from '../../store';
import { createTestDatabase, POSTGRES_URL_ENV, testPostgresUrl } from '../support/postgres';

jest.setTimeout(60_000);

interface Backend {
  name: string;
  /** A fresh, empty database and a way to remove it. */
  database(label: string): Promise<{ url: string; remove(): Promise<void> }>;
}

const sqlite: Backend = {
  name: 'SQLite',
  async database() {
    const dir = await mkdtemp(join(tmpdir(), 'muster-store-'));
    // A folder that does not exist yet: openStore creates it.
    return { url: `sqlite:${join(dir, 'data', 'muster.db')}`, remove: () => rm(dir, { recursive: true, force: true }) };
  },
};

const postgresUrl = testPostgresUrl();
const backends: Backend[] = [sqlite];
if (postgresUrl) {
  backends.push({
    name: 'PostgreSQL',
    async database(label) {
      const db = await createTestDatabase(postgresUrl, label);
      return { url: db.url, remove: db.drop };
    },
  });
} else {
  describe('store on PostgreSQL', () => {
    test.skip(`set ${POSTGRES_URL_ENV} (e.g. postgres://muster:muster@127.0.0.1:5432/muster_test) to run the store suite on PostgreSQL`, () => {});
  });
}

const T0 = Date.parse('2025-03-01T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function split(state: IncidentState): [IncidentRecord, TimelineEvent[]] {
  const { timeline, ...record } = state;
  return [record, timeline];
}

/** A hand-made incident; `number` decides the id unless `prefix` says otherwise. */
function incident(number: number, overrides: Partial<IncidentState> = {}, prefix = 'INC'): IncidentState {
  return {
    id: `${prefix}-${number}`,
    number,
    title: `Incident ${number}`,
    description: '',
    type: 'Operational',
    severity: 'Medium',
    priority: 'Medium',
    status: 'Active',
    visibility: 'Open',
    tags: [],
    reporter: { email: 'reporter@example.com' },
    commander: { email: 'commander@example.com' },
    participants: [],
    timeline: [{ seq: 1, at: at(number), actor: 'reporter@example.com', kind: 'declared', text: `declared ${prefix}-${number}` }],
    resources: {},
    declaredAt: at(number),
    updatedAt: at(number),
    version: 1,
    ...overrides,
  };
}

/** A realistic life through the domain rules, snapshotting the state after every change. */
function lifeOfAnIncident(): IncidentState[] {
  const declaration = normalizeDeclaration(
    {
      title: 'Checkout 50% errors in EU',
      description: 'Payments fail with 502 — since 09:00',
      severity: 'High',
      priority: 'High',
      tags: ['payments', 'eu-west'],
      reporter: { email: 'ana@example.com', name: 'Ana Álvarez' },
      commander: { email: 'bo@example.com' },
    },
    DEFAULT_SETTINGS,
  );
  const state = newIncident('INC-7', 7, declaration, at(0));
  const snapshots = [structuredClone(state)];
  const change = (changes: IncidentChanges, minute: number) => {
    const { normalized, diff } = validateChanges(state, changes, DEFAULT_SETTINGS);
    applyChanges(state, normalized, diff, 'ana@example.com', at(minute));
    snapshots.push(structuredClone(state));
  };
  state.resources = { channel: { status: 'ready', url: 'https://slack.example/c/inc-7', externalId: 'C07' }, ticket: { status: 'failed', error: 'Jira 503' } };
  change({ description: '' }, 1); // from text to '' (an empty "to" must come back as '')
  change({ commander: { email: 'cy@example.com', name: 'Cy' } }, 2);
  applyNote(state, { text: 'Rolled back deploy 1234 "quotes" and \\ backslash', actor: 'cy@example.com' }, at(3));
  snapshots.push(structuredClone(state));
  change({ status: 'Stable' }, 4);
  change({ status: 'Closed' }, 5);
  change({ status: 'Active' }, 6); // reopened: closedAt goes away again
  return snapshots;
}

describe.each(backends)('store on $name', (backend) => {
  const cleanups: Array<() => Promise<void>> = [];

  async function freshStore(label: string): Promise<{ store: IncidentStore; url: string }> {
    const db = await backend.database(label);
    const store = await openStore({ url: db.url });
    cleanups.push(async () => {
      await store.close();
      await db.remove();
    });
    return { store, url: db.url };
  }

  async function record(store: IncidentStore, state: IncidentState): Promise<boolean> {
    const [rec, timeline] = split(state);
    return (await store.recordIncident(rec, timeline)).applied;
  }

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  test('round trip is exact, including absent optional fields and every version of a real incident', async () => {
    const { store } = await freshStore('roundtrip');
    const rich = incident(1, {
      title: 'Ünïcødé 🚒 title with \'quotes\' and % and _',
      description: 'line one\nline two',
      severity: 'Critical',
      priority: 'High',
      status: 'Closed',
      visibility: 'Restricted',
      tags: ['db', 'eu-west', 'ünï'],
      reporter: { email: 'ana@example.com', name: 'Ana' },
      commander: { email: 'bo@example.com', name: 'Bo' },
      participants: [
        { email: 'ana@example.com', name: 'Ana', roles: ['Reporter', 'Scribe'], joinedAt: at(1) },
        { email: 'bo@example.com', roles: ['Commander'], joinedAt: at(2) },
      ],
      resources: { channel: { status: 'ready', url: 'https://x', externalId: 'C1' }, folder: { status: 'pending' } },
      // Different ISO spellings must come back as given.
      declaredAt: '2025-03-01T09:00:00Z',
      updatedAt: '2025-03-01T09:30:00.123456Z',
      stableAt: '2025-03-01T09:10:00.000Z',
      closedAt: '2025-03-01T09:30:00.000Z',
      version: 9,
      timeline: [
        { seq: 1, at: at(1), actor: 'ana@example.com', kind: 'declared', text: 'declared' },
        { seq: 2, at: at(2), actor: 'ana@example.com', kind: 'changed', text: 'changed', field: 'description', from: 'x', to: '' },
        { seq: 3, at: at(3), actor: 'muster', kind: 'status', text: 'closed', field: 'status', from: 'Stable', to: 'Closed' },
      ],
    });
    expect(await record(store, rich)).toBe(true);
    expect(await store.getIncident(rich.id)).toStrictEqual(rich);

    const bare = incident(2);
    await record(store, bare);
    const loaded = await store.getIncident(bare.id);
    expect(loaded).toStrictEqual(bare);
    for (const key of ['stableAt', 'closedAt'] as const) expect(loaded).not.toHaveProperty(key);
    expect(loaded!.reporter).not.toHaveProperty('name');
    expect(await store.getIncident('INC-404')).toBeNull();

    // Each newer version replaces the row; the reopen at the end must clear closedAt.
    const life = lifeOfAnIncident();
    for (const snapshot of life) {
      expect(await record(store, snapshot)).toBe(true);
      expect(await store.getIncident(snapshot.id)).toStrictEqual(snapshot);
    }
    expect(life[life.length - 1]).not.toHaveProperty('closedAt');
    expect(life.some((s) => s.closedAt !== undefined)).toBe(true);
  });

  test('version guard: a late, older write is refused, but its timeline events are still kept', async () => {
    const { store } = await freshStore('version');
    const v3 = incident(5, {
      version: 3,
      status: 'Stable',
      stableAt: at(9),
      timeline: [{ seq: 3, at: at(9), actor: 'bo@example.com', kind: 'status', text: 'stable', field: 'status', from: 'Active', to: 'Stable' }],
    });
    const v2 = incident(5, {
      version: 2,
      title: 'older title',
      timeline: [
        { seq: 1, at: at(5), actor: 'reporter@example.com', kind: 'declared', text: 'declared' },
        { seq: 2, at: at(6), actor: 'bo@example.com', kind: 'note', text: 'looking' },
      ],
    });
    expect(await record(store, v3)).toBe(true);
    expect(await record(store, v2)).toBe(false);
    expect(await record(store, v2)).toBe(false); // retried: still nothing, no duplicate events

    const stored = await store.getIncident('INC-5');
    expect(stored).toStrictEqual({ ...v3, timeline: [...v2.timeline, ...v3.timeline] });

    // Equal versions are not "newer" either: the row stays as first written.
    expect(await record(store, { ...v3, title: 'same version, other title' })).toBe(false);
    expect((await store.getIncident('INC-5'))!.title).toBe(v3.title);

    // Racing writers: whichever lands last, the highest version wins.
    const versions = [4, 7, 6, 5].map((version) => incident(5, { version, title: `v${version}`, timeline: [] }));
    const results = await Promise.all(versions.map((state) => record(store, state)));
    expect(results).toContain(true);
    expect((await store.getIncident('INC-5'))!).toMatchObject({ version: 7, title: 'v7' });
  });

  test('retrying the same write is a no-op', async () => {
    const { store } = await freshStore('retry');
    const state = lifeOfAnIncident()[3]!;
    expect(await record(store, state)).toBe(true);
    for (let i = 0; i < 3; i++) expect(await record(store, state)).toBe(false);
    expect(await store.getIncident(state.id)).toStrictEqual(state);
    expect(await store.listTimeline(state.id)).toHaveLength(state.timeline.length);
    expect((await store.listIncidents({})).items).toHaveLength(1);
  });

  describe('listIncidents', () => {
    const seed: IncidentState[] = [
      incident(1, { title: 'Database failover', status: 'Closed', closedAt: at(60), severity: 'High', priority: 'High', tags: ['db'], commander: { email: 'ana@example.com' } }),
      incident(2, { title: 'Login errors', status: 'Active', severity: 'Low', priority: 'Low', type: 'Security', tags: ['auth', 'eu'] }),
      incident(3, { title: 'DATABASE disk full', status: 'Stable', stableAt: at(61), severity: 'Critical', priority: 'High', tags: ['db', 'eu'], commander: { email: 'ana@example.com', name: 'Ana' } }),
      incident(4, { title: 'CDN 50% cache misses', status: 'Active', severity: 'Medium', priority: 'Medium', tags: ['cdn'], type: 'Data' }),
      incident(5, { title: 'Queue backlog_growth', status: 'Active', severity: 'High', priority: 'Medium', tags: ['queue', 'db'], commander: { email: 'cy@example.com' } }),
      incident(6, { title: 'Payments 500s', status: 'Closed', closedAt: at(62), severity: 'Critical', priority: 'High', tags: [], type: 'Data' }),
    ];

    async function seeded(): Promise<IncidentStore> {
      const { store } = await freshStore('list');
      for (const state of seed) await record(store, state);
      return store;
    }

    const ids = async (store: IncidentStore, filter: Parameters<IncidentStore['listIncidents']>[0]) =>
      (await store.listIncidents(filter)).items.map((item) => item.id);

    test('each filter alone, newest first', async () => {
      const store = await seeded();
      expect(await ids(store, {})).toEqual(['INC-6', 'INC-5', 'INC-4', 'INC-3', 'INC-2', 'INC-1']);
      expect(await ids(store, { status: ['Active'] })).toEqual(['INC-5', 'INC-4', 'INC-2']);
      expect(await ids(store, { status: ['Stable', 'Closed'] })).toEqual(['INC-6', 'INC-3', 'INC-1']);
      expect(await ids(store, { severity: ['Critical'] })).toEqual(['INC-6', 'INC-3']);
      expect(await ids(store, { priority: ['Low', 'Medium'] })).toEqual(['INC-5', 'INC-4', 'INC-2']);
      expect(await ids(store, { type: ['Data', 'Security'] })).toEqual(['INC-6', 'INC-4', 'INC-2']);
      expect(await ids(store, { commander: 'ANA@Example.com' })).toEqual(['INC-3', 'INC-1']);
      expect(await ids(store, { commander: 'ana@example' })).toEqual([]); // exact, not a substring
      expect(await ids(store, { tag: 'db' })).toEqual(['INC-5', 'INC-3', 'INC-1']);
      expect(await ids(store, { tag: 'd' })).toEqual([]); // a whole tag, not a substring
      expect(await ids(store, { q: 'database' })).toEqual(['INC-3', 'INC-1']);
      expect(await ids(store, { q: 'BACKLOG_' })).toEqual(['INC-5']);
      // LIKE wildcards in the search are literal characters.
      expect(await ids(store, { q: '50%' })).toEqual(['INC-4']);
      expect(await ids(store, { q: '_' })).toEqual(['INC-5']);
      expect(await ids(store, { q: '%' })).toEqual(['INC-4']);
      expect(await ids(store, { status: [] })).toHaveLength(seed.length); // an empty list does not filter
    });

    test('filters combine with AND and return full records', async () => {
      const store = await seeded();
      expect(await ids(store, { tag: 'db', status: ['Active', 'Stable'] })).toEqual(['INC-5', 'INC-3']);
      expect(await ids(store, { tag: 'db', commander: 'ana@example.com', severity: ['Critical'] })).toEqual(['INC-3']);
      expect(await ids(store, { q: 'data', priority: ['High'], status: ['Closed'] })).toEqual(['INC-1']);
      expect(await ids(store, { type: ['Data'], tag: 'db' })).toEqual([]);
      const [first] = (await store.listIncidents({ tag: 'eu', severity: ['Critical'] })).items;
      const [expected] = split(seed[2]!);
      expect(first).toStrictEqual(expected);
    });
  });

  test('pagination walks every page once, newest first, with no gaps or duplicates', async () => {
    const { store } = await freshStore('pages');
    const all: IncidentState[] = [];
    // Two prefixes with overlapping numbers: the cursor must break ties on id.
    for (let n = 1; n <= 23; n++) all.push(incident(n, { status: n % 3 === 0 ? 'Closed' : 'Active' }));
    for (const n of [5, 12, 23, 30]) all.push(incident(n, {}, 'SEC'));
    for (const state of all) await record(store, state);

    const walk = async (filter: Parameters<IncidentStore['listIncidents']>[0], limit: number) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listIncidents(filter, { limit, cursor });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== undefined);
      return { seen, pages };
    };
    const newestFirst = (states: IncidentState[]) =>
      [...states].sort((a, b) => b.number - a.number || (a.id < b.id ? 1 : -1)).map((s) => s.id);

    const everything = await walk({}, 5);
    expect(everything.seen).toEqual(newestFirst(all));
    expect(new Set(everything.seen).size).toBe(all.length);
    expect(everything.pages).toBe(Math.ceil(all.length / 5));

    const exact = await walk({}, all.length); // a full last page has no next cursor
    expect(exact.pages).toBe(1);

    const closed = await walk({ status: ['Closed'] }, 2);
    expect(closed.seen).toEqual(newestFirst(all.filter((s) => s.status === 'Closed')));

    // Rows added ahead of the cursor do not shift the pages after it (keyset, not offset).
    const first = await store.listIncidents({}, { limit: 10 });
    await record(store, incident(99));
    const second = await store.listIncidents({}, { limit: 10, cursor: first.nextCursor });
    expect(second.items.map((i) => i.id)).toEqual(newestFirst(all).slice(10, 20));

    expect((await store.listIncidents({})).items).toHaveLength(all.length + 1); // default limit 50
    expect((await store.listIncidents({}, { limit: 0 })).items).toHaveLength(1);
    await expect(store.listIncidents({}, { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  test('the page size is capped at 200', async () => {
    const { store } = await freshStore('cap');
    for (let n = 1; n <= 205; n++) {
      const [rec] = split(incident(n));
      await store.recordIncident(rec, []);
    }
    const page = await store.listIncidents({}, { limit: 1000 });
    expect(page.items).toHaveLength(200);
    expect(page.nextCursor).toBeDefined();
    expect((await store.listIncidents({}, { limit: 1000, cursor: page.nextCursor })).items.map((i) => i.number)).toEqual([5, 4, 3, 2, 1]);
  });

  test('highestIncidentNumber is per prefix', async () => {
    const { store } = await freshStore('highest');
    expect(await store.highestIncidentNumber('INC')).toBe(0);
    for (const n of [3, 10, 7]) await record(store, incident(n));
    await record(store, incident(12, {}, 'SEC'));
    await record(store, incident(9_999_999_999, {}, 'BIG')); // ids allow 10 digits
    expect(await store.highestIncidentNumber('INC')).toBe(10);
    expect(await store.highestIncidentNumber('SEC')).toBe(12);
    expect(await store.highestIncidentNumber('BIG')).toBe(9_999_999_999);
    expect(await store.highestIncidentNumber('IN')).toBe(0);
    expect(await store.getIncident('BIG-9999999999')).toMatchObject({ number: 9_999_999_999 });
  });

  test('listTimeline pages by seq', async () => {
    const { store } = await freshStore('timeline');
    const timeline: TimelineEvent[] = [1, 2, 3, 4, 5].map((seq) => ({ seq, at: at(seq), actor: 'ana@example.com', kind: 'note', text: `note ${seq}` }));
    // Written out of order and in two parts: reads still come back by seq.
    const state = incident(8, { timeline: [timeline[4]!, timeline[0]!, timeline[2]!] });
    await record(store, state);
    await store.recordIncident(split(state)[0], [timeline[3]!, timeline[1]!]);
    expect(await store.listTimeline('INC-8')).toEqual(timeline);
    expect(await store.listTimeline('INC-8', { afterSeq: 2 })).toEqual(timeline.slice(2));
    expect(await store.listTimeline('INC-8', { afterSeq: 2, limit: 2 })).toEqual(timeline.slice(2, 4));
    expect(await store.listTimeline('INC-8', { afterSeq: 5 })).toEqual([]);
    expect(await store.listTimeline('INC-404')).toEqual([]);
    expect((await store.getIncident('INC-8'))!.timeline).toEqual(timeline);
  });

  test('opening again keeps the data; ping works; ids must match numbers', async () => {
    const { store, url } = await freshStore('reopen');
    await store.ping();
    const state = incident(4);
    await record(store, state);
    await expect(store.recordIncident({ ...split(state)[0], number: 5 }, [])).rejects.toThrow(/does not match/);
    const again = await openStore({ url });
    try {
      expect(await again.getIncident('INC-4')).toStrictEqual(state);
    } finally {
      await again.close();
    }
  });
});

describe('two stores on one SQLite file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'muster-store-shared-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('opened concurrently in one process, both read and write', async () => {
    const url = `sqlite:${join(dir, 'muster.db')}`;
    const [a, b] = await Promise.all([openStore({ url }), openStore({ url })]);
    try {
      // Interleaved writes from both stores, including a race on one incident.
      const writes = [];
      for (let n = 1; n <= 20; n++) writes.push(record2(n % 2 ? a : b, incident(n)));
      writes.push(record2(a, incident(1, { version: 3, title: 'from a' })), record2(b, incident(1, { version: 2, title: 'from b' })));
      await Promise.all(writes);
      for (const store of [a, b]) {
        expect(await store.highestIncidentNumber('INC')).toBe(20);
        expect((await store.listIncidents({}, { limit: 200 })).items).toHaveLength(20);
        expect(await store.getIncident('INC-1')).toMatchObject({ version: 3, title: 'from a' });
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('opened concurrently by two processes, both read and write', async () => {
    const file = join(dir, 'shared', 'muster.db');
    // Each child opens the same (new) file at the same moment, so both try to create the
    // tables; then writes 25 incidents under its own prefix and reads the other's rows.
    const startAt = String(Date.now() + 3000);
    const stop = new AbortController(); // if one child fails, do not leave the other running
    const child = (mine: string, theirs: string) =>
      promisify(execFile)(
        process.execPath,
        ['--require', 'tsx/cjs', '-e', CHILD_SCRIPT, file, mine, theirs, startAt],
        { cwd: resolve(__dirname, '../..'), timeout: 50_000, signal: stop.signal },
      ).catch((err: unknown) => {
        stop.abort();
        throw err;
      });
    const results = await Promise.all([child('AAA', 'BBB'), child('BBB', 'AAA')]);
    expect(results.map((r) => r.stdout.trim())).toEqual(['AAA=25 BBB=25', 'BBB=25 AAA=25']);

    const store = await openStore({ url: `sqlite:${file}` });
    try {
      expect(await store.highestIncidentNumber('AAA')).toBe(25);
      expect(await store.highestIncidentNumber('BBB')).toBe(25);
    } finally {
      await store.close();
    }
  });

  async function record2(store: IncidentStore, state: IncidentState): Promise<void> {
    const [rec, timeline] = split(state);
    await store.recordIncident(rec, timeline);
  }
});

/** Run with `node --require tsx/cjs -e CHILD_SCRIPT <file> <myPrefix> <theirPrefix> <startAtMs>` from the repo root. */
const CHILD_SCRIPT = `
const { openStore } = require('./store');
const [file, mine, theirs, startAt] = process.argv.slice(1);
(async () => {
  await new Promise((r) => setTimeout(r, Number(startAt) - Date.now()));
  const store = await openStore({ url: 'sqlite:' + file });
  for (let n = 1; n <= 25; n++) {
    const t = new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString();
    await store.recordIncident({
      id: mine + '-' + n, number: n, title: mine + ' ' + n, description: '', type: 'Operational', severity: 'Low',
      priority: 'Low', status: 'Active', visibility: 'Open', tags: [], reporter: { email: 'r@example.com' },
      commander: { email: 'c@example.com' }, participants: [], resources: {}, declaredAt: t, updatedAt: t, version: 1,
    }, [{ seq: 1, at: t, actor: 'r@example.com', kind: 'declared', text: 'declared' }]);
  }
  const deadline = Date.now() + 30000;
  while ((await store.highestIncidentNumber(theirs)) < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  console.log(mine + '=' + (await store.highestIncidentNumber(mine)) + ' ' + theirs + '=' + (await store.highestIncidentNumber(theirs)));
  await store.close();
})().catch((err) => { console.error(err); process.exit(1); });
`;
