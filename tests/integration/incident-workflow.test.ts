/**
 * The incident workflow on a real Temporal dev server with a real SQLite store: declare,
 * query, transitions, refusals, search attributes, store records, idempotency, retention.
 */
import { IncidentNotFoundError, IncidentRejectedError } from '../../client';
import type { IncidentState } from '../../domain/incident';
import { incidentWorkflowId } from '../../workflows/definitions';
import { eventually, recorded, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const reporter = { email: 'rita@example.com', name: 'Rita' };

async function declare(title = 'DB latency', extra: object = {}): Promise<IncidentState> {
  const { incident } = await h.client.declare({ title, priority: 'High', reporter, ...extra });
  return incident;
}

const stored = (state: IncidentState) => recorded(h, state);

test('declare gives a short human id and the live state', async () => {
  const incident = await declare();
  expect(incident.id).toMatch(new RegExp(`^${h.prefix}-\\d+$`));
  expect(incident).toMatchObject({
    title: 'DB latency',
    status: 'Active',
    priority: 'High',
    severity: 'Undetermined',
    visibility: 'Open',
    reporter: { email: 'rita@example.com' },
    commander: { email: 'rita@example.com' },
    version: 1,
  });
  expect(incident.timeline).toEqual([expect.objectContaining({ seq: 1, kind: 'declared', actor: 'rita@example.com' })]);
  expect(await h.client.get(incident.id)).toEqual(incident);
  expect(await stored(incident)).toEqual(incident);
});

test('ids count up within a prefix', async () => {
  const a = await declare('first');
  const b = await declare('second');
  expect(b.number).toBe(a.number + 1);
  expect(b.id).toBe(`${h.prefix}-${a.number + 1}`);
});

test('the same idempotency key returns the same incident, even concurrently', async () => {
  const key = `key-${Date.now()}`;
  const results = await Promise.all(
    [1, 2, 3].map(() => h.client.declare({ title: 'Checkout errors', reporter }, { idempotencyKey: key })),
  );
  const ids = new Set(results.map((r) => r.incident.id));
  expect(ids.size).toBe(1);
  expect(results.filter((r) => r.created)).toHaveLength(1);
  const again = await h.client.declare({ title: 'Checkout errors', reporter }, { idempotencyKey: key });
  expect(again).toMatchObject({ created: false, incident: { id: results[0]!.incident.id } });
});

test('each transition is recorded in state, timeline and store', async () => {
  const incident = await declare();
  const stable = await h.client.update(incident.id, { status: 'Stable' }, 'ic@example.com');
  expect(stable).toMatchObject({ status: 'Stable', version: 2 });
  expect(stable.stableAt).toBeDefined();
  expect(await stored(stable)).toMatchObject({ status: 'Stable', stableAt: stable.stableAt });

  const active = await h.client.update(incident.id, { status: 'Active' }, 'ic@example.com');
  expect(active.status).toBe('Active');
  const closed = await h.client.update(incident.id, { status: 'Closed' }, 'ic@example.com');
  expect(closed.closedAt).toBeDefined();
  const reopened = await h.client.update(incident.id, { status: 'Stable' }, 'ic@example.com');
  expect(reopened.closedAt).toBeUndefined();

  expect(reopened.timeline.map((e) => [e.kind, e.from, e.to, e.actor])).toEqual([
    ['declared', undefined, undefined, 'rita@example.com'],
    ['status', 'Active', 'Stable', 'ic@example.com'],
    ['status', 'Stable', 'Active', 'ic@example.com'],
    ['status', 'Active', 'Closed', 'ic@example.com'],
    // Closing renounces the roles; reopening restores them.
    ['role', undefined, undefined, 'ic@example.com'],
    ['status', 'Closed', 'Stable', 'ic@example.com'],
    ['role', undefined, undefined, 'ic@example.com'],
  ]);
  const record = await stored(reopened);
  expect(record.timeline).toEqual(reopened.timeline);
});

test('field changes, commander hand-over and notes', async () => {
  const incident = await declare();
  const changed = await h.client.update(
    incident.id,
    { severity: 'Critical', priority: 'Medium', title: 'DB down', commander: { email: 'ic@example.com' } },
    'rita@example.com',
  );
  expect(changed).toMatchObject({ severity: 'Critical', priority: 'Medium', title: 'DB down', commander: { email: 'ic@example.com' } });
  expect(changed.participants.map((p) => [p.email, p.roles])).toEqual([
    ['rita@example.com', ['Reporter']],
    ['ic@example.com', ['Commander']],
  ]);
  await h.client.addTimelineEvent(incident.id, { text: 'Failed over to the replica', actor: 'ic@example.com' });
  const withNote = await eventually(async () => {
    const state = await h.client.get(incident.id);
    return state.timeline.some((e) => e.kind === 'note') ? state : undefined;
  });
  expect(withNote.timeline.at(-1)).toMatchObject({ kind: 'note', text: 'Failed over to the replica', actor: 'ic@example.com' });
  expect((await stored(withNote)).timeline.at(-1)).toMatchObject({ kind: 'note' });
});

test('refused changes say why and change nothing', async () => {
  const incident = await declare();
  await expect(h.client.update(incident.id, { status: 'Active' }, 'ic@example.com')).rejects.toMatchObject({
    name: 'IncidentRejectedError',
    code: 'invalid_transition',
    field: 'status',
    message: `${incident.id} is already Active`,
  });
  await expect(h.client.update(incident.id, { severity: 'Sev0' as never }, 'ic@example.com')).rejects.toMatchObject({
    code: 'invalid_field',
    field: 'severity',
  });
  await h.client.update(incident.id, { status: 'Closed' }, 'ic@example.com');
  const err = await h.client.update(incident.id, { priority: 'Low' }, 'ic@example.com').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(IncidentRejectedError);
  expect((err as Error).message).toBe(`${incident.id} is Closed; reopen it (status Active or Stable) before changing its priority`);
  const state = await h.client.get(incident.id);
  expect(state.priority).toBe('High');
  expect(state.version).toBe(2);
});

test('unknown incidents are not found', async () => {
  await expect(h.client.get(`${h.prefix}-999999`)).rejects.toBeInstanceOf(IncidentNotFoundError);
  await expect(h.client.update(`${h.prefix}-999999`, { status: 'Stable' }, 'x')).rejects.toBeInstanceOf(IncidentNotFoundError);
  await expect(h.client.get('not an id')).rejects.toBeInstanceOf(IncidentNotFoundError);
});

test('search attributes let visibility queries find incidents by status, severity, commander', async () => {
  const incident = await declare('Visible', { severity: 'High', commander: { email: 'vis@example.com' } });
  const query = (q: string) =>
    eventually(async () => {
      const ids: string[] = [];
      for await (const wf of h.client.temporal.workflow.list({ query: `${q} AND TaskQueue = "${h.temporal.taskQueue}"` })) ids.push(wf.workflowId);
      return ids.includes(incidentWorkflowId(incident.id)) ? ids : undefined;
    });
  await query('IncidentStatus = "Active"');
  await query('IncidentSeverity = "High" AND IncidentCommander = "vis@example.com"');
  await h.client.update(incident.id, { status: 'Stable' }, 'ic@example.com');
  await query('IncidentStatus = "Stable"');

  const listed = await eventually(async () => {
    const items = await h.client.list({ status: ['Stable'], commander: 'vis@example.com' });
    return items.find((i) => i.id === incident.id);
  });
  expect(listed).toMatchObject({ title: 'Visible', severity: 'High', priority: 'High', commander: 'vis@example.com' });
});
