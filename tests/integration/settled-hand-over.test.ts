/**
 * A settled incident hands over to a fresh run every few reminders, so a worker that evicted it
 * from its cache replays a short history. Nothing may be lost or done twice on the way: the
 * reminders keep their schedule, the store keeps every event, and the resources, rules, ticket
 * labels, teams and page that the first run saw to are not touched again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { parseMusterConfig } from '../../config/muster-config';
import type { IncidentState } from '../../domain/incident';
import { incidentWorkflowId } from '../../workflows/definitions';
import { eventually, recorded, startHarness, testEnv, type Harness } from '../support/harness';

const config = parseMusterConfig(readFileSync(join(__dirname, '../../config/muster.example.yaml'), 'utf8'), 'muster.example.yaml');
// Not 1 s: the dev server fires timers on a one-second tick, so the hand-over's own short timer
// would fall due with every reminder, and a hand-over rightly waits until the reminder is sent.
const CADENCE_MS = 2_000;

let h: Harness;
let connection: Connection;
let temporal: Client;
beforeAll(async () => {
  h = await startHarness({
    sandbox: true,
    config,
    settings: { incidentTypes: config.incidentTypes.map((t) => t.name), reportReminders: { High: { tactical: CADENCE_MS, executive: null } } },
  });
  connection = await Connection.connect({ address: testEnv().address });
  temporal = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await h?.close();
});

async function runsOf(id: string): Promise<string[]> {
  const statuses: string[] = [];
  for await (const run of temporal.workflow.list({ query: `WorkflowId = "${incidentWorkflowId(id)}"` })) statuses.push(run.status.name);
  return statuses;
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
type Marker = NonNullable<HistoryEvent['markerRecordedEventAttributes']>;

/** Each finished run of the incident, newest first: whether it took over from another, and its markers. */
async function finishedRuns(id: string): Promise<Array<{ takenOver: boolean; markers: Marker[] }>> {
  const runs = [];
  for await (const run of temporal.workflow.list({ query: `WorkflowId = "${incidentWorkflowId(id)}" AND ExecutionStatus != "Running"` })) {
    const events = (await temporal.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events ?? [];
    runs.push({
      takenOver: Boolean(events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId),
      markers: events.flatMap((event) => event.markerRecordedEventAttributes ?? []),
    });
  }
  return runs;
}

/** The local activities a run recorded, by type. */
function localActivities(markers: Marker[]): string[] {
  return markers.flatMap((marker) => {
    const data = marker.markerName === 'core_local_activity' ? marker.details?.data?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type] : [];
  });
}

/**
 * Requests the sandbox served, by route, leaving out reminders: their posts, and the channel
 * history each send reads first (so that a retried send finds its message and posts once).
 */
function vendorCalls(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of h.sandbox!.log.entries) {
    if ((entry.route === 'chat.postMessage' && reminderKey(entry.body)) || entry.route === 'conversations.history') continue;
    counts[entry.route] = (counts[entry.route] ?? 0) + 1;
  }
  return counts;
}

function reminderKey(body: unknown): string | undefined {
  const raw = (body as { metadata?: unknown }).metadata;
  const metadata = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { event_payload?: { dedupe_key?: string } } | undefined;
  const key = metadata?.event_payload?.dedupe_key;
  return key?.startsWith('reminder:') ? key : undefined;
}

const reminderPosts = () => h.sandbox!.log.entries.filter((e) => e.route === 'chat.postMessage').flatMap((e) => reminderKey(e.body) ?? []);
const reminders = (incident: IncidentState) => incident.timeline.filter((e) => e.kind === 'reminder');

test('a settled incident hands over every few reminders and nothing is lost or done again', async () => {
  const { incident: declared } = await h.client.declare({ title: 'Primary database failover', priority: 'High', tags: ['database'], reporter: { email: 'rita@example.com' } });
  const engaged = (i: IncidentState) =>
    i.assembledAt !== undefined && i.timeline.some((e) => e.kind === 'engagement' && e.field === 'page') && i.timeline.some((e) => e.kind === 'engagement' && e.field === 'team');
  const settled = await eventually(async () => {
    const incident = await h.client.get(declared.id);
    return engaged(incident) && (await runsOf(declared.id)).includes('CONTINUED_AS_NEW') ? incident : undefined;
  }, { timeoutMs: 60_000 });
  expect(Object.values(settled.resources).every((r) => r.status === 'ready')).toBe(true);
  const before = vendorCalls();

  // Several more hand-overs, each a few reminders apart.
  const runs = await eventually(async () => {
    const statuses = await runsOf(declared.id);
    return statuses.filter((s) => s === 'CONTINUED_AS_NEW').length >= 3 ? statuses : undefined;
  }, { timeoutMs: 60_000 });
  expect(runs[0]).toBe('RUNNING');
  const later = await h.client.get(declared.id);

  // Nothing was made, synced, resolved, labelled, added or paged again: only reminders went out.
  expect(vendorCalls()).toEqual(before);
  expect(later.participants).toEqual(settled.participants);
  expect(later.resources).toEqual(settled.resources);
  // Each reminder went out once (its due time is in the message's dedupe key), on the grid.
  const keys = reminderPosts();
  expect(new Set(keys).size).toBe(keys.length);
  expect(reminders(later).length).toBeGreaterThanOrEqual(reminders(settled).length + 6);
  const dues = keys.map((k) => Date.parse(k.split(':tactical:')[1]!)).sort((a, b) => a - b);
  for (let i = 1; i < dues.length; i++) expect((dues[i]! - dues[0]!) % CADENCE_MS).toBe(0);
  // The timeline is whole, in the workflow and in the store.
  expect(later.timeline.map((e) => e.seq)).toEqual(later.timeline.map((_, i) => i + 1));
  expect((await recorded(h, later)).timeline).toEqual(later.timeline);
  // A reminder is one local activity, which writes the incident through as well: a run that did
  // nothing but remind has no store write of its own.
  const finished = await finishedRuns(declared.id);
  const remindingRun = finished.map((run) => localActivities(run.markers)).find((types) => types.filter((t) => t === 'sendReminder').length >= 6);
  expect(remindingRun).toBeDefined();
  expect(remindingRun!.filter((t) => t === 'recordIncident')).toEqual([]);
  // The search attributes came over with the runs.
  const found: string[] = [];
  for await (const run of temporal.workflow.list({ query: `WorkflowId = "${incidentWorkflowId(declared.id)}" AND IncidentStatus = "Active" AND ExecutionStatus = "Running"` })) found.push(run.runId);
  expect(found).toHaveLength(1);

  // A taken-over run knows the patches from its input: no markers, no configuration loaded
  // until someone engages an on-call, and then the service is still checked.
  const takenOver = finished.filter((run) => run.takenOver);
  expect(takenOver.length).toBeGreaterThanOrEqual(2);
  expect(takenOver.flatMap((run) => localActivities(run.markers))).not.toContain('engagementSettings');
  expect(takenOver.flatMap((run) => run.markers.filter((m) => m.markerName === 'core_patch').map((m) => JSON.stringify(m.details)))).toEqual([]);
  await expect(h.client.engageOncall(declared.id, { service: 'Payroll on-call', actor: 'ic@example.com' })).rejects.toMatchObject({ code: 'invalid_field', field: 'service' });
  const engaged2 = await h.client.engageOncall(declared.id, { service: 'PSVCDB1', role: 'Observer', actor: 'ic@example.com' });
  expect(engaged2.participants.find((p) => p.email === 'dana@example.com')?.roles).toEqual(['Observer']);

  // A change after the hand-overs still reaches the resources, and Stable stops the reminders.
  const stable = await h.client.update(declared.id, { status: 'Stable' }, 'ic@example.com');
  expect(stable.status).toBe('Stable');
  const channelId = stable.resources.channel!.externalId!;
  await eventually(() => {
    const channel = (h.sandbox!.state().slack as { channels: Array<{ id: string; topic: { value: string } }> }).channels.find((c) => c.id === channelId);
    return channel?.topic.value.includes('Stable');
  }, { timeoutMs: 30_000 });
  const remindedWhenStable = reminders(await h.client.get(declared.id)).length;
  await new Promise((resolve) => setTimeout(resolve, 3 * CADENCE_MS));
  expect(reminders(await h.client.get(declared.id))).toHaveLength(remindedWhenStable);
}, 180_000);
