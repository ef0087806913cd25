import { resolve } from 'node:path';
import type { IncidentRecord, TimelineEvent } from '../../domain/incident';
import { parseStoreUrl } from '../../store';
import { fromIncidentRow, fromTimelineRow, incidentPrefix, toIncidentRow, toTimelineRow } from '../../store/mapping';

describe('parseStoreUrl', () => {
  test.each([
    ['sqlite:data/muster.db', resolve('data/muster.db')],
    ['sqlite:///var/lib/muster/muster.db', '/var/lib/muster/muster.db'],
    ['sqlite://data/muster.db', resolve('data/muster.db')],
    ['/tmp/muster.db', '/tmp/muster.db'],
    ['muster.db', resolve('muster.db')],
    [':memory:', ':memory:'],
    ['sqlite::memory:', ':memory:'],
  ])('%s is the SQLite file %s', (url, file) => {
    expect(parseStoreUrl(url)).toEqual({ kind: 'sqlite', file });
  });

  test.each(['postgres://u:p@db:5432/muster', 'postgresql://u:p@db/muster', 'POSTGRES://u@db/muster'])('%s is PostgreSQL', (url) => {
    expect(parseStoreUrl(url)).toEqual({ kind: 'postgres', url });
  });

  test('an empty SQLite path is refused', () => {
    expect(() => parseStoreUrl('sqlite:')).toThrow(/no SQLite file/);
  });
});

describe('row mapping', () => {
  const record: IncidentRecord = {
    id: 'SEC-12',
    number: 12,
    title: 't',
    description: '',
    type: 'Security',
    severity: 'Low',
    priority: 'Low',
    status: 'Active',
    visibility: 'Restricted',
    tags: [],
    reporter: { email: 'a@example.com' },
    commander: { email: 'b@example.com', name: 'B' },
    participants: [],
    resources: {},
    declaredAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    stableAt: '2025-01-01T00:01:00.000Z',
    version: 2,
  };

  test('a record survives the trip to a row and back, absent fields staying absent', () => {
    const row = toIncidentRow(record);
    expect(row).toMatchObject({ prefix: 'SEC', reporterName: null, commanderName: 'B', closedAt: null });
    const back = fromIncidentRow(row);
    expect(back).toStrictEqual(record);
    expect(back).not.toHaveProperty('closedAt');
  });

  test('timeline events keep empty strings and drop NULLs', () => {
    const events: TimelineEvent[] = [
      { seq: 1, at: 'x', actor: 'a', kind: 'declared', text: 'd' },
      { seq: 2, at: 'y', actor: 'a', kind: 'changed', text: 'c', field: 'description', from: 'old', to: '' },
    ];
    for (const event of events) expect(fromTimelineRow(toTimelineRow('SEC-12', event))).toStrictEqual(event);
    expect(toTimelineRow('SEC-12', events[0]!)).toMatchObject({ incidentId: 'SEC-12', field: null, fromValue: null, toValue: null });
  });

  test('the prefix is what comes before the last dash', () => {
    expect(incidentPrefix('INC-42')).toBe('INC');
    expect(incidentPrefix('A-B-7')).toBe('A-B');
  });
});
