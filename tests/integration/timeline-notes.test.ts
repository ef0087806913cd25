/**
 * The addTimelineNote update through the MusterClient on the dev server: the note is in the
 * workflow's state when the call returns; an actor who is neither commander nor scribe is
 * refused (when asked) and nothing changes; `once` imports a message once; an incident whose
 * workflow has ended is resumed for the note, or left alone when the note is refused.
 */
import { IncidentNotFoundError, IncidentRejectedError } from '../../client';
import type { IncidentState } from '../../domain/incident';
import { incidentWorkflowId } from '../../workflows/definitions';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ settings: { closedRetentionMs: 1_500 } });
});
afterAll(async () => {
  await h?.close();
});

const declare = async (title: string): Promise<IncidentState> =>
  (await h.client.declare({ title, reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } })).incident;
const executionStatus = async (id: string) => (await h.client.temporal.workflow.getHandle(incidentWorkflowId(id)).describe()).status.name;
const notes = (state: IncidentState, text: string) => state.timeline.filter((e) => e.kind === 'note' && e.text === text);

test('the commander adds a note and it is in the state when the call returns', async () => {
  const incident = await declare('Replica lag');
  const { event, added } = await h.client.addTimelineNote(incident.id, { text: ' Failed over to the replica ', actor: 'IC@example.com', requireDirector: true });
  expect(added).toBe(true);
  expect(event).toMatchObject({ kind: 'note', text: 'Failed over to the replica', actor: 'IC@example.com' });
  const after = await h.client.get(incident.id);
  expect(after.timeline.at(-1)).toEqual(event);
  expect(after.version).toBeGreaterThan(incident.version);
});

test('someone who is neither commander nor scribe is refused and the timeline is unchanged; a scribe may', async () => {
  const incident = await declare('Queue backlog');
  const before = await h.client.get(incident.id);
  const refusal = await h.client.addTimelineNote(incident.id, { text: 'Scaled consumers', actor: 'sam@example.com', requireDirector: true }).catch((err: unknown) => err);
  expect(refusal).toBeInstanceOf(IncidentRejectedError);
  expect(refusal).toMatchObject({ code: 'not_allowed', field: 'actor', message: `only the commander (ic@example.com) or the scribe of ${incident.id} can add to the timeline` });
  const unchanged = await h.client.get(incident.id);
  expect(notes(unchanged, 'Scaled consumers')).toHaveLength(0);
  expect(unchanged.timeline.length).toBe(before.timeline.length);

  // Without requireDirector anyone may add a note, as with the addTimelineEvent signal.
  expect((await h.client.addTimelineNote(incident.id, { text: 'Seen from the edge too', actor: 'sam@example.com' })).added).toBe(true);

  await h.client.changeRole(incident.id, { action: 'assign', role: 'Scribe', person: { email: 'sam@example.com' } }, 'ic@example.com');
  const { event } = await h.client.addTimelineNote(incident.id, { text: 'Scaled consumers', actor: 'sam@example.com', requireDirector: true });
  expect(event.actor).toBe('sam@example.com');
  expect(notes(await h.client.get(incident.id), 'Scaled consumers')).toEqual([event]);
});

test('addTask with requireDirector refuses others and adds nothing', async () => {
  const incident = await declare('Cache stampede');
  await expect(h.client.addTask(incident.id, { description: 'Add jitter', actor: 'dana@example.com', requireDirector: true })).rejects.toMatchObject({
    code: 'not_allowed',
    message: `only the commander (ic@example.com) or the scribe of ${incident.id} can add tasks`,
  });
  expect(await h.client.listTasks(incident.id)).toEqual([]);
  expect(await h.client.addTask(incident.id, { description: 'Add jitter', actor: 'ic@example.com', requireDirector: true })).toMatchObject({ id: 'T1', owner: 'ic@example.com' });
});

test('`once` with a time adds a note only once; concurrent notes are all kept', async () => {
  const incident = await declare('Disk pressure');
  const note = { text: 'dana: disk at 95%', actor: 'ic@example.com', at: '2026-12-03T09:59:00.000Z', once: true };
  const [first, second] = await Promise.all([h.client.addTimelineNote(incident.id, note), h.client.addTimelineNote(incident.id, { ...note, actor: 'sam@example.com' })]);
  expect([first.added, second.added].sort()).toEqual([false, true]);
  expect(first.event).toEqual(second.event);
  expect(first.event.at).toBe(note.at);

  const texts = Array.from({ length: 10 }, (_, i) => `parallel ${i}`);
  await Promise.all(texts.map((text) => h.client.addTimelineNote(incident.id, { text, actor: 'ic@example.com', requireDirector: true })));
  const after = await h.client.get(incident.id);
  expect(notes(after, 'dana: disk at 95%')).toHaveLength(1);
  for (const text of texts) expect(notes(after, text)).toHaveLength(1);
  const seqs = after.timeline.map((e) => e.seq);
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
});

test('bad notes and unknown incidents are refused before reaching a workflow', async () => {
  await expect(h.client.addTimelineNote('INC-1', { text: ' ', actor: 'ic@example.com' })).rejects.toMatchObject({ code: 'invalid_field', field: 'text' });
  await expect(h.client.addTimelineNote(`${h.prefix}-999`, { text: 'x', actor: 'ic@example.com' })).rejects.toBeInstanceOf(IncidentNotFoundError);
});

test('an ended incident is resumed for an allowed note and left ended for a refused one', async () => {
  const incident = await declare('Cert expiry');
  await h.client.update(incident.id, { status: 'Closed' }, 'ic@example.com');
  await eventually(async () => (await executionStatus(incident.id)) === 'COMPLETED');

  await expect(h.client.addTimelineNote(incident.id, { text: 'Renewed by hand', actor: 'dana@example.com', requireDirector: true })).rejects.toMatchObject({ code: 'not_allowed' });
  expect(await executionStatus(incident.id)).toBe('COMPLETED');

  const { event, added } = await h.client.addTimelineNote(incident.id, { text: 'Root cause: expired cert', actor: 'ic@example.com', requireDirector: true });
  expect(added).toBe(true);
  expect(event.text).toBe('Root cause: expired cert');
  const resumed = await h.client.get(incident.id);
  expect(resumed.status).toBe('Closed');
  expect(resumed.timeline.slice(-2).map((e) => e.kind)).toEqual(['resumed', 'note']);
  await eventually(async () => (await h.store.getIncident(incident.id))?.timeline.some((e) => e.text === 'Root cause: expired cert'));
  await eventually(async () => (await executionStatus(incident.id)) === 'COMPLETED');
});
