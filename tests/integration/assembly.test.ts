/**
 * Incident assembly end to end: the real workflow on a real Temporal server, the real vendor
 * SDKs talking HTTP to the sandbox. Vendor calls are asserted from the sandbox's request log.
 */
import type { IncidentState } from '../../domain/incident';
import type { LoggedRequest } from '../../sandbox/core';
import type { Sandbox } from '../../sandbox/server';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let sandbox: Sandbox;
beforeAll(async () => {
  h = await startHarness({ sandbox: true });
  sandbox = h.sandbox!;
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => sandbox.faults.clear());

const KINDS = ['ticket', 'tacticalGroup', 'notificationsGroup', 'channel', 'folder', 'conference', 'document'];

interface SlackState {
  channels: Array<{ id: string; name: string; is_archived: boolean; topic: { value: string }; purpose: { value: string }; members: string[] }>;
  messages: Array<{ channel: string; text: string; ephemeral_to?: string }>;
  bookmarks: Array<{ channel_id: string; title: string; link: string }>;
}
interface JiraState {
  issues: Array<{ key: string; summary: string; labels: string[]; statusCategory: string; remoteLinks: Array<{ url: string; title: string }>; description: string }>;
}
interface GoogleState {
  files: Array<{ id: string; name: string; mimeType: string; parents?: string[] }>;
  documents: Record<string, string>;
  groups: Array<{ email: string; members: Array<{ email: string }> }> | Record<string, { email: string; members: unknown }>;
}

const slack = () => sandbox.state().slack as SlackState;
const jira = () => sandbox.state().jira as JiraState;
const google = () => sandbox.state().google as GoogleState;

async function declareAndAssemble(title: string, settled: (i: IncidentState) => boolean = allReady): Promise<IncidentState> {
  const { incident } = await h.client.declare({ title, priority: 'High', severity: 'High', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } });
  return eventually(async () => {
    const state = await h.client.get(incident.id);
    return settled(state) ? state : undefined;
  }, { timeoutMs: 45_000 });
}

function allReady(incident: IncidentState): boolean {
  return KINDS.every((kind) => incident.resources[kind]?.status === 'ready') && incident.assembledAt !== undefined;
}

function essentialsPosted(incident: IncidentState): boolean {
  const channel = slack().channels.find((c) => c.name === incident.id.toLowerCase());
  return !!channel && slack().messages.some((m) => m.channel === channel.id && m.text.includes(`*${incident.id}:`));
}

/** Successful calls that create something, per route, for one incident's requests. */
function successes(log: LoggedRequest[], route: string): LoggedRequest[] {
  return log.filter((entry) => entry.route === route && entry.status < 300 && !entry.fault && (entry.vendor !== 'slack' || (entry.response as { ok?: boolean }).ok));
}

test('declaring makes every resource once, ties them together and tells the channel', async () => {
  sandbox.log.clear();
  const incident = await declareAndAssemble('Checkout latency');
  const log = sandbox.log.entries;

  for (const [route, count] of [
    ['conversations.create', 1],
    ['POST /rest/api/3/issue', 1],
    ['POST /admin/directory/v1/groups', 2],
    ['POST /drive/v3/files/:fileId/copy', 1],
    ['POST /calendar/v3/calendars/:calendarId/events', 1],
  ] as const) {
    expect([route, successes(log, route).length]).toEqual([route, count]);
  }
  const folders = google().files.filter((f) => f.mimeType === 'application/vnd.google-apps.folder' && f.name.startsWith(incident.id));
  expect(folders).toHaveLength(1);

  const channel = slack().channels.find((c) => c.name === incident.id.toLowerCase())!;
  expect(channel.topic.value).toContain('| :hourglass: Active | :fire: Operational | :warning: High | :rotating_light: High');
  expect(channel.purpose.value).toBe(`Checkout latency (${incident.id})`);
  expect(channel.members).toEqual(expect.arrayContaining(['U00000IC0', 'U0000RITA']));
  expect(incident.resources.channel).toMatchObject({ status: 'ready', externalId: channel.id });

  // Bookmarks for everything a responder opens, the essentials, a welcome for each.
  const bookmarks = slack().bookmarks.filter((b) => b.channel_id === channel.id).map((b) => b.link).sort();
  expect(bookmarks).toEqual([incident.resources.conference!.url, incident.resources.document!.url, incident.resources.folder!.url, incident.resources.ticket!.url].sort());
  const messages = slack().messages.filter((m) => m.channel === channel.id);
  const essentials = messages.filter((m) => !m.ephemeral_to && m.text.includes(`*${incident.id}: Checkout latency*`));
  expect(essentials).toHaveLength(1);
  expect(essentials[0]!.text).toContain(incident.resources.ticket!.url!);
  // Welcomes come from the notifier once assembly is done.
  await eventually(() => {
    const welcomed = slack().messages.filter((m) => m.channel === channel.id && m.ephemeral_to).map((m) => m.ephemeral_to).sort();
    return JSON.stringify(welcomed) === JSON.stringify(['U00000IC0', 'U0000RITA']);
  });

  // The ticket carries every link, the document is filled in.
  const ticket = jira().issues.find((i) => i.key === incident.resources.ticket!.externalId)!;
  expect(ticket.labels).toContain(`muster-${incident.id}`);
  expect(ticket.remoteLinks.map((l) => l.url).sort()).toEqual(
    [incident.resources.channel!.url, incident.resources.conference!.url, incident.resources.document!.url, incident.resources.folder!.url, 'mailto:' + incident.resources.tacticalGroup!.externalId, 'mailto:' + incident.resources.notificationsGroup!.externalId].sort(),
  );
  const text = google().documents[incident.resources.document!.externalId!]!;
  expect(text).toContain(`Checkout latency\nIncident ${incident.id} · High priority · High severity`);
  expect(text).toContain(`Channel: ${incident.resources.channel!.url}`);
  expect(text).not.toContain('{{');

  // The timeline says when each became ready and when assembly was done; the store has it all.
  expect(incident.timeline.filter((e) => e.kind === 'resource' && e.field).map((e) => e.field).sort()).toEqual([...KINDS].sort());
  expect(incident.timeline.at(-1)!.text).toMatch(/^Assembled in \d+\.\d s: 7 of 7 resources ready$/);
  expect(essentialsPosted(incident)).toBe(true);
  await eventually(async () => (await h.store.getIncident(incident.id))?.resources.document?.status === 'ready');
});

test('a vendor failing three times with 503 still gives exactly one channel', async () => {
  sandbox.faults.add({ vendor: 'slack', route: 'conversations.create', mode: 'fail', status: 503, times: 3 });
  sandbox.log.clear();
  const incident = await declareAndAssemble('Flaky Slack');
  const creates = sandbox.log.find({ route: 'conversations.create' });
  expect(creates.filter((e) => e.fault)).toHaveLength(3);
  expect(slack().channels.filter((c) => c.name === incident.id.toLowerCase())).toHaveLength(1);
  expect(incident.resources.channel!.attempts).toBe(1);
});

test('a 429 waits for Retry-After before the next attempt', async () => {
  sandbox.faults.add({ vendor: 'jira', route: 'POST /rest/api/3/issue', mode: 'rateLimit', retryAfterSeconds: 2, times: 1 });
  sandbox.log.clear();
  const incident = await declareAndAssemble('Rate limited Jira');
  const creates = sandbox.log.find({ route: 'POST /rest/api/3/issue' });
  expect(creates.map((e) => e.status)).toEqual([429, 201]);
  expect(Date.parse(creates[1]!.at) - Date.parse(creates[0]!.at)).toBeGreaterThanOrEqual(2_000);
  expect(jira().issues.filter((i) => i.labels.includes(`muster-${incident.id}`))).toHaveLength(1);
});

test('a permanent failure stops that step only, is reported, and can be retried', async () => {
  const fault = sandbox.faults.add({ vendor: 'google', route: 'POST /drive/v3/files', mode: 'permanent', status: 403 });
  const incident = await declareAndAssemble('Drive says no', (i) => i.resources.folder?.status === 'failed' && i.resources.document?.error !== undefined && i.resources.channel?.status === 'ready' && essentialsPosted(i));
  expect(incident.resources.folder!.error).toContain('403');
  expect(incident.resources.document).toMatchObject({ status: 'pending', error: 'waiting for Drive folder, which failed' });
  for (const kind of ['ticket', 'tacticalGroup', 'notificationsGroup', 'channel', 'conference']) expect(incident.resources[kind]!.status).toBe('ready');

  const channelId = incident.resources.channel!.externalId!;
  const told = await eventually(() => slack().messages.find((m) => m.channel === channelId && m.text.includes('Drive folder for') && m.text.includes('could not be made')));
  expect(told.text).toContain(`muster resources retry ${incident.id} folder`);

  await expect(h.client.retryResource(incident.id, 'channel', 'ic@example.com')).rejects.toMatchObject({ code: 'invalid_transition', message: 'Slack channel cannot be retried: it is ready; only failed resources can' });
  await expect(h.client.retryResource(incident.id, 'fax', 'ic@example.com')).rejects.toMatchObject({ code: 'invalid_field', field: 'resource' });

  sandbox.faults.clear();
  expect(fault.id).toBeDefined();
  await h.client.retryResource(incident.id, 'folder', 'ic@example.com');
  const fixed = await eventually(async () => {
    const state = await h.client.get(incident.id);
    return state.resources.document?.status === 'ready' ? state : undefined;
  }, { timeoutMs: 30_000 });
  expect(fixed.resources.folder).toMatchObject({ status: 'ready', attempts: 2 });
  await eventually(() => slack().messages.find((m) => m.channel === channelId && m.text.startsWith('Incident document is ready')));
  await eventually(() => slack().messages.find((m) => m.channel === channelId && m.text.startsWith('Drive folder is ready')));
  expect(slack().bookmarks.filter((b) => b.channel_id === channelId).map((b) => b.link)).toContain(fixed.resources.document!.url);
});

test('changes keep the topic and ticket in sync; closing archives, reopening unarchives', async () => {
  const incident = await declareAndAssemble('Sync me');
  const channelId = incident.resources.channel!.externalId!;
  const ticketKey = incident.resources.ticket!.externalId!;
  await h.client.update(incident.id, { title: 'Sync me harder', severity: 'Critical' }, 'ic@example.com');
  await eventually(() => slack().channels.find((c) => c.id === channelId && c.topic.value.includes(':warning: Critical')));
  await eventually(() => jira().issues.find((i) => i.key === ticketKey && i.summary === `${incident.id}: Sync me harder`));
  await eventually(() => google().files.find((f) => f.id === incident.resources.document!.externalId && f.name === `${incident.id}: Sync me harder`));
  await eventually(() => google().files.find((f) => f.id === incident.resources.folder!.externalId && f.name === `${incident.id}: Sync me harder`));

  await h.client.update(incident.id, { status: 'Closed' }, 'ic@example.com');
  await eventually(() => slack().channels.find((c) => c.id === channelId && c.is_archived));
  await eventually(() => jira().issues.find((i) => i.key === ticketKey && i.statusCategory === 'done'));

  await h.client.update(incident.id, { status: 'Active' }, 'ic@example.com');
  await eventually(() => slack().channels.find((c) => c.id === channelId && !c.is_archived && c.topic.value.includes(':hourglass: Active')));
  await eventually(() => jira().issues.find((i) => i.key === ticketKey && i.statusCategory !== 'done'));
});

test('when the channel itself fails, the commander hears of it by email', async () => {
  sandbox.faults.add({ vendor: 'slack', route: 'conversations.create', mode: 'permanent', status: 403 });
  const incident = await declareAndAssemble('No Slack today', (i) => i.resources.channel?.status === 'failed' && i.resources.document?.status === 'ready');
  expect(incident.resources.channel!.error).toContain('access_denied');
  const mail = await eventually(() =>
    (sandbox.state().google as { messages: Array<{ to: string[] | string; subject: string; body?: string; text?: string }> }).messages.find((m) =>
      m.subject === `${incident.id}: Slack channel failed`,
    ),
  );
  expect(JSON.stringify(mail.to)).toContain('ic@example.com');
});

test('people given a role are invited to the channel and the tactical group', async () => {
  const incident = await declareAndAssemble('More hands');
  await h.client.changeRole(incident.id, { action: 'assign', role: 'Liaison', person: { email: 'liam@example.com' } }, 'ic@example.com');
  const channelId = incident.resources.channel!.externalId!;
  await eventually(() => slack().channels.find((c) => c.id === channelId && c.members.includes('U0000LIAM')));
  const group = incident.resources.tacticalGroup!.externalId!;
  const groups = () => google().groups as Array<{ email: string; members: Array<{ email: string }> }>;
  await eventually(() => groups().find((g) => g.email === group && g.members.some((m) => m.email === 'liam@example.com')));
});
