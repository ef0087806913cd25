/**
 * Closed is not the end: the workflow waits out its retention, completes, and a later change
 * resumes the incident from its stored record.
 */
import { incidentWorkflowId } from '../../workflows/definitions';
import { eventually, recorded, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ settings: { closedRetentionMs: 1_500 } });
});
afterAll(async () => {
  await h?.close();
});

const executionStatus = async (id: string) => (await h.client.temporal.workflow.getHandle(incidentWorkflowId(id)).describe()).status.name;

test('a closed incident completes after retention and a reopen resumes it from the store', async () => {
  const { incident } = await h.client.declare({ title: 'Disk full', reporter: { email: 'rita@example.com' } });
  await h.client.update(incident.id, { status: 'Stable' }, 'ic@example.com');
  // While Active or Stable there is no retention clock.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(await executionStatus(incident.id)).toBe('RUNNING');

  await h.client.update(incident.id, { status: 'Closed' }, 'ic@example.com');
  await eventually(async () => (await executionStatus(incident.id)) === 'COMPLETED');
  const closed = await h.client.get(incident.id);
  expect(closed.status).toBe('Closed');
  expect((await h.store.getIncident(incident.id))?.version).toBe(closed.version);

  // A note on a long-closed incident is kept; the incident stays closed and ends again.
  await h.client.addTimelineEvent(incident.id, { text: 'Root cause: log rotation', actor: 'ic@example.com' });
  await eventually(async () => (await h.store.getIncident(incident.id))?.timeline.some((e) => e.text === 'Root cause: log rotation'));
  await eventually(async () => (await executionStatus(incident.id)) === 'COMPLETED');

  const reopened = await h.client.update(incident.id, { status: 'Active', severity: 'High' }, 'ic@example.com');
  expect(reopened).toMatchObject({ id: incident.id, number: incident.number, status: 'Active', severity: 'High' });
  expect(reopened.timeline.map((e) => e.kind)).toEqual(['declared', 'status', 'status', 'role', 'resumed', 'note', 'resumed', 'status', 'changed', 'role']);
  expect(await executionStatus(incident.id)).toBe('RUNNING');
  const record = await recorded(h, reopened);
  expect(record.timeline).toEqual(reopened.timeline);
});

test('a change a closed incident cannot take is refused without restarting it', async () => {
  const { incident } = await h.client.declare({ title: 'Cert expiry', reporter: { email: 'rita@example.com' } });
  await h.client.update(incident.id, { status: 'Closed' }, 'ic@example.com');
  await eventually(async () => (await executionStatus(incident.id)) === 'COMPLETED');
  await expect(h.client.update(incident.id, { priority: 'High' }, 'ic@example.com')).rejects.toMatchObject({
    code: 'invalid_transition',
    message: `${incident.id} is Closed; reopen it (status Active or Stable) before changing its priority`,
  });
  expect(await executionStatus(incident.id)).toBe('COMPLETED');
});
