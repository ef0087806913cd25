/**
 * Reports and reminders over the REST API on the dev server, with the real Slack and Google SDKs
 * talking to the sandbox: the report reaches the incident channel, the executive report becomes
 * a document from the type's template in the incident folder, and a reminder is a channel
 * message with snooze buttons.
 */
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import { BUILT_IN_CONFIG, musterConfigSchema } from '../../config/muster-config';
import type { IncidentState } from '../../domain/incident';
import { eventually, recorded, startHarness, type Harness } from '../support/harness';

interface SlackState {
  channels: Array<{ id: string; name: string }>;
  messages: Array<{ channel: string; text: string; blocks?: Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }> }>;
}
interface GoogleState {
  files: Array<{ id: string; name: string; parents?: string[] }>;
  documents: Record<string, { text: string } | string>;
}

let h: Harness;
let app: FastifyInstance;
let base: string;
const slack = () => h.sandbox!.state().slack as SlackState;
const google = () => h.sandbox!.state().google as GoogleState;

beforeAll(async () => {
  const config = musterConfigSchema.parse({
    ...BUILT_IN_CONFIG,
    incidentTypes: [
      { name: 'Operational', default: true, templates: { incidentDocument: 'tmpl-incident-doc', executiveReport: 'tmpl-executive-report' } },
      { name: 'Other' },
    ],
  });
  // High incidents are reminded every 3 s, so a test sees a reminder without waiting hours.
  h = await startHarness({
    sandbox: true,
    config,
    settings: { incidentTypes: ['Operational', 'Other'], reportReminders: { High: { tactical: 3_000, executive: null } } },
  });
  app = await buildApi({ client: h.client, store: h.store });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-muster-actor': 'ic@example.com' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function assembled(priority: string): Promise<IncidentState> {
  const { body } = await call('POST', '/incidents', { title: 'Checkout errors', priority, commander: { email: 'ic@example.com' } });
  return eventually(async () => {
    const state = await h.client.get(body.id);
    return state.assembledAt && state.resources.channel?.status === 'ready' ? state : undefined;
  }, { timeoutMs: 45_000 });
}

const channelMessages = (incident: IncidentState) => slack().messages.filter((m) => m.channel === incident.resources.channel!.externalId);

test('a tactical report is kept, stored, in the timeline and posted to the channel', async () => {
  const incident = await assembled('Medium');
  const posted = await call('POST', `/incidents/${incident.id}/reports`, { kind: 'tactical', conditions: 'Errors at 5%', actions: 'Rolling back', needs: 'A DBA' });
  expect(posted.status).toBe(201);
  expect(posted.body).toMatchObject({ kind: 'tactical', conditions: 'Errors at 5%', author: 'ic@example.com' });
  expect(channelMessages(incident).some((m) => m.text.includes('*Tactical report*') && m.text.includes('*Needs:* A DBA'))).toBe(true);

  const live = (await call('GET', `/incidents/${incident.id}`)).body as IncidentState;
  expect(live.reports?.tactical).toMatchObject({ conditions: 'Errors at 5%', actions: 'Rolling back' });
  const stored = await recorded(h, live);
  expect(stored.reports?.tactical?.needs).toBe('A DBA');
  expect(stored.timeline.filter((e) => e.kind === 'report').map((e) => e.field)).toEqual(['tactical']);
});

test('an executive report is also written as a document from the template in the incident folder', async () => {
  const incident = await assembled('Medium');
  const posted = await call('POST', `/incidents/${incident.id}/reports`, {
    kind: 'executive',
    currentStatus: 'Mitigated',
    overview: 'A bad deploy broke checkout for 20 minutes',
    nextSteps: 'Review on Monday',
  });
  expect(posted.status).toBe(201);
  expect(posted.body.documentUrl).toEqual(expect.any(String));
  const folderId = incident.resources.folder!.externalId!;
  const file = google().files.find((f) => f.parents?.includes(folderId) && f.name.startsWith(`${incident.id}: executive report`));
  expect(file).toBeDefined();
  const document = google().documents[file!.id]!;
  const text = typeof document === 'string' ? document : document.text;
  expect(text).toContain(`Executive report for ${incident.id}: Checkout errors`);
  expect(text).toContain('A bad deploy broke checkout for 20 minutes');
  expect(channelMessages(incident).some((m) => m.text.includes('*Executive report*') && m.text.includes(posted.body.documentUrl))).toBe(true);
});

test('bad reports: 400 naming the field; a Closed incident refuses with 409', async () => {
  const { body: incident } = await call('POST', '/incidents', { title: 'Quiet one', type: 'Other' });
  const missing = await call('POST', `/incidents/${incident.id}/reports`, { kind: 'tactical', conditions: 'x', actions: 'y' });
  expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_field', field: 'needs' } });
  const wrongKind = await call('POST', `/incidents/${incident.id}/reports`, { kind: 'weekly' });
  expect(wrongKind).toMatchObject({ status: 400, body: { field: 'kind' } });
  await call('PATCH', `/incidents/${incident.id}`, { status: 'Closed' });
  const closed = await call('POST', `/incidents/${incident.id}/reports`, { kind: 'tactical', conditions: 'x', actions: 'y', needs: 'z' });
  expect(closed).toMatchObject({ status: 409, body: { error: 'invalid_transition' } });
});

test('a reminder is a channel message to the commander with snooze buttons; snooze is validated', async () => {
  const incident = await assembled('High');
  const reminder = await eventually(() => channelMessages(incident).find((m) => m.text.startsWith('Reminder for ic@example.com: please post a tactical report')), { timeoutMs: 20_000 });
  const buttons = reminder.blocks!.flatMap((b) => b.elements ?? []);
  expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
    ['muster_snooze', `${incident.id}:tactical:30`],
    ['muster_snooze', `${incident.id}:tactical:60`],
    ['muster_snooze', `${incident.id}:tactical:120`],
  ]);
  const bad = await call('POST', `/incidents/${incident.id}/reminders/snooze`, { kind: 'tactical', minutes: 45 });
  expect(bad).toMatchObject({ status: 400, body: { field: 'minutes' } });
  const snoozed = await call('POST', `/incidents/${incident.id}/reminders/snooze`, { kind: 'tactical', minutes: 30 });
  expect(snoozed.status).toBe(200);
  const count = channelMessages(incident).filter((m) => m.text.startsWith('Reminder for')).length;
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  // Snoozed for half an hour: no more reminders in the meantime.
  expect(channelMessages(incident).filter((m) => m.text.startsWith('Reminder for')).length).toBe(count);
  const executive = await call('POST', `/incidents/${incident.id}/reminders/snooze`, { kind: 'executive', minutes: 30 });
  expect(executive).toMatchObject({ status: 409, body: { field: 'kind' } });
  await call('PATCH', `/incidents/${incident.id}`, { status: 'Closed' });
});
