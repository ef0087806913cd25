/**
 * Status transitions end to end on the dev server with the sandbox: Stable makes the review
 * document and meeting, Closed renounces roles, archives, resolves and asks for feedback,
 * feedback comes back through the API, and a reopen restores roles and the channel.
 */
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import { IncidentRejectedError } from '../../client';
import { BUILT_IN_CONFIG, musterConfigSchema } from '../../config/muster-config';
import type { IncidentState } from '../../domain/incident';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let app: FastifyInstance;
let base: string;

const config = musterConfigSchema.parse({
  ...BUILT_IN_CONFIG,
  incidentTypes: [
    { name: 'Operational', default: true, templates: { reviewDocument: 'tmpl-review-doc' } },
    { name: 'Security', excludeFromReview: true },
  ],
});

beforeAll(async () => {
  h = await startHarness({ sandbox: true, config, settings: { incidentTypes: ['Operational', 'Security'], defaultType: 'Operational' } });
  app = await buildApi({ client: h.client, store: h.store });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

interface SlackState {
  channels: Array<{ id: string; name: string; is_archived: boolean; is_im: boolean; members: string[] }>;
  messages: Array<{ channel: string; text: string; blocks?: Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }> }>;
  bookmarks: Array<{ channel_id: string; title: string; link: string }>;
}
interface GoogleState {
  files: Array<{ id: string; name: string; parents?: string[] }>;
  documents: Record<string, string>;
  events: Record<string, Array<{ id: string; summary: string; start: { dateTime: string }; attendees?: Array<{ email: string }>; hangoutLink?: string }>>;
}
interface JiraState {
  issues: Array<{ key: string; statusCategory: string; remoteLinks: Array<{ url: string; title: string }> }>;
}
const slack = () => h.sandbox!.state().slack as SlackState;
const google = () => h.sandbox!.state().google as GoogleState;
const jira = () => h.sandbox!.state().jira as JiraState;

const ASSEMBLED = ['ticket', 'channel', 'folder', 'document', 'conference'];

async function declareAssembled(title: string, type?: string): Promise<IncidentState> {
  const { incident } = await h.client.declare({ title, type, priority: 'High', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } });
  await eventually(async () => {
    const state = await h.client.get(incident.id);
    return state.assembledAt && ASSEMBLED.every((kind) => state.resources[kind]?.status === 'ready') ? state : undefined;
  }, { timeoutMs: 45_000 });
  return h.client.changeRole(incident.id, { action: 'assign', role: 'Liaison', person: { email: 'liam@example.com' } }, 'ic@example.com');
}

async function settled(id: string, check: (state: IncidentState) => boolean): Promise<IncidentState> {
  return eventually(async () => {
    const state = await h.client.get(id);
    return check(state) ? state : undefined;
  }, { timeoutMs: 45_000 });
}

async function call(method: string, path: string, actor: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-muster-actor': actor },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const imOf = (userId: string) => slack().channels.find((c) => c.is_im && c.members.includes(userId));
const directMessages = (userId: string) => slack().messages.filter((m) => m.channel === imOf(userId)?.id);

describe('an incident going Stable, Closed and back', () => {
  let incident: IncidentState;
  beforeAll(async () => {
    incident = await declareAssembled('Checkout latency');
  });

  test('Stable: the review document in the folder, posted, bookmarked and on the ticket; a meeting with the participants', async () => {
    const updated = await h.client.update(incident.id, { status: 'Stable' }, 'ic@example.com');
    expect(updated.stableAt).toBeDefined();
    const state = await settled(incident.id, (s) => s.resources.reviewDocument?.status === 'ready' && s.resources.reviewMeeting?.status === 'ready');
    const review = state.resources.reviewDocument!;

    const file = google().files.find((f) => f.id === review.externalId)!;
    expect(file.name).toBe(`${incident.id}: Checkout latency (post-incident review)`);
    expect(file.parents).toEqual([state.resources.folder!.externalId]);
    expect(google().documents[file.id]).toContain(`Review of ${incident.id}: Checkout latency\nCommander: ic@example.com`);

    const channelId = state.resources.channel!.externalId!;
    expect(slack().messages.filter((m) => m.channel === channelId && m.text.includes(review.url!))).toHaveLength(1);
    expect(slack().bookmarks.filter((b) => b.channel_id === channelId && b.link === review.url)).toEqual([
      expect.objectContaining({ title: 'Post-incident review document' }),
    ]);
    const ticket = jira().issues.find((i) => i.key === state.resources.ticket!.externalId)!;
    expect(ticket.remoteLinks).toContainEqual(expect.objectContaining({ url: review.url, title: 'Post-incident review document' }));

    const meeting = Object.values(google().events).flat().find((e) => e.id === state.resources.reviewMeeting!.externalId)!;
    expect(meeting.summary).toBe(`Post-incident review: ${incident.id}: Checkout latency`);
    expect(meeting.attendees!.map((a) => a.email).sort()).toEqual(['ic@example.com', 'liam@example.com', 'rita@example.com']);
    expect(Date.parse(meeting.start.dateTime)).toBeGreaterThan(Date.parse(state.stableAt!));
    expect(meeting.hangoutLink).toBe(state.resources.reviewMeeting!.url);
    expect(slack().messages.filter((m) => m.channel === channelId && m.text.includes(meeting.hangoutLink!))).toHaveLength(1);
  });

  test('Closed: roles renounced (and remembered), channel archived, ticket resolved, commander and participants asked', async () => {
    const closed = await h.client.update(incident.id, { status: 'Closed' }, 'ic@example.com');
    expect(closed.participants.map((p) => [p.email, p.roles, p.previousRoles, !!p.renouncedAt])).toEqual([
      ['rita@example.com', [], ['Reporter'], true],
      ['ic@example.com', [], ['Commander'], true],
      ['liam@example.com', [], ['Liaison'], true],
    ]);
    const state = await settled(incident.id, (s) => s.timeline.some((e) => e.kind === 'feedback' && e.text === 'Asked 3 participants for feedback'));

    await eventually(() => slack().channels.find((c) => c.id === state.resources.channel!.externalId)!.is_archived);
    await eventually(() => jira().issues.find((i) => i.key === state.resources.ticket!.externalId)!.statusCategory === 'done');

    for (const user of ['U00000IC0', 'U0000RITA', 'U0000LIAM']) {
      const requests = directMessages(user).filter((m) => m.blocks?.some((b) => b.elements?.some((e) => e.action_id === 'muster_feedback')));
      expect([user, requests.length]).toEqual([user, 1]);
      const button = requests[0]!.blocks!.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'muster_feedback')!;
      expect(button.value).toBe(incident.id);
    }
    expect(directMessages('U00000IC0').filter((m) => m.text.includes('As its commander, please check that its details are right'))).toHaveLength(1);
  });

  test('feedback through the API: stored, shown on the incident, anonymous without the person, once per person', async () => {
    const first = await call('POST', `/incidents/${incident.id}/feedback`, 'rita@example.com', { rating: 3, text: 'Slow to page the DBA' });
    expect(first.status).toBe(200);
    const anonymous = await call('POST', `/incidents/${incident.id}/feedback`, 'liam@example.com', { rating: 2, text: 'Too many cooks', anonymous: true });
    expect(anonymous.status).toBe(200);
    const again = await call('POST', `/incidents/${incident.id}/feedback`, 'rita@example.com', { rating: 5 });
    expect(again.status).toBe(200);

    const shown = await call('GET', `/incidents/${incident.id}`, 'ic@example.com');
    expect(shown.body.feedback).toEqual([
      { rating: 2, text: 'Too many cooks', anonymous: true, submittedAt: expect.any(String) },
      { person: { email: 'rita@example.com' }, rating: 5, anonymous: false, submittedAt: expect.any(String) },
    ]);
    expect(JSON.stringify(shown.body)).not.toContain('liam@example.com","rating');
    expect(shown.body.timeline.filter((e: { kind: string }) => e.kind === 'feedback').map((e: { text: string }) => e.text)).toEqual([
      'Asked 3 participants for feedback',
      'rita@example.com gave feedback: 3/5',
      'Someone (anonymous) gave feedback: 2/5',
      'rita@example.com changed their feedback: 5/5',
    ]);

    const stored = await h.store.listFeedback({ incidentId: incident.id });
    expect(stored.map((f) => [f.person.email, f.rating, f.anonymous])).toEqual([
      ['liam@example.com', 2, true],
      ['rita@example.com', 5, false],
    ]);
    // The stored record carries it too, so an incident resumed after its retention keeps it.
    const record = await h.store.getIncident(incident.id);
    expect(record!.feedback!.map((f) => [f.person.email, f.rating, f.anonymous])).toEqual([
      ['liam@example.com', 2, true],
      ['rita@example.com', 5, false],
    ]);
  });

  test.each([
    ['rating above 5', { rating: 6 }, 'rating'],
    ['rating below 1', { rating: 0 }, 'rating'],
    ['a fractional rating', { rating: 2.5 }, 'rating'],
    ['no rating', {}, 'rating'],
    ['text over 4000 characters', { rating: 3, text: 'x'.repeat(4001) }, 'text'],
    ['anonymous not a boolean', { rating: 3, anonymous: 'yes' }, 'anonymous'],
    ['an unknown field', { rating: 3, mood: 'sad' }, 'mood'],
  ])('400 for %s names the field', async (_label, body, field) => {
    const response = await call('POST', `/incidents/${incident.id}/feedback`, 'rita@example.com', body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_field', field });
  });

  test('the client refuses bad feedback before the workflow sees it, and 404 for an unknown incident', async () => {
    await expect(h.client.submitFeedback(incident.id, { person: { email: 'rita@example.com' }, rating: 9 })).rejects.toMatchObject({ constructor: IncidentRejectedError, field: 'rating' });
    const missing = await call('POST', `/incidents/${h.prefix}-999/feedback`, 'rita@example.com', { rating: 3 });
    expect(missing.status).toBe(404);
  });

  test('reopening restores the roles and unarchives the channel', async () => {
    const reopened = await h.client.update(incident.id, { status: 'Active' }, 'ic@example.com');
    expect(reopened.participants.map((p) => [p.email, p.roles, p.previousRoles, p.renouncedAt])).toEqual([
      ['rita@example.com', ['Reporter'], undefined, undefined],
      ['ic@example.com', ['Commander'], undefined, undefined],
      ['liam@example.com', ['Liaison'], undefined, undefined],
    ]);
    await eventually(() => !slack().channels.find((c) => c.id === reopened.resources.channel!.externalId)!.is_archived);
    // Roles are back in force: the commander can hand over again.
    const handed = await h.client.changeRole(incident.id, { action: 'assign', role: 'Commander', person: { email: 'sam@example.com' } }, 'ic@example.com');
    expect(handed.commander.email).toBe('sam@example.com');
  });
});

test('a type excluded from review gets no review document or meeting', async () => {
  const incident = await declareAssembled('Leaked key', 'Security');
  await h.client.update(incident.id, { status: 'Stable' }, 'ic@example.com');
  await h.client.update(incident.id, { status: 'Closed' }, 'ic@example.com');
  const state = await settled(incident.id, (s) => s.timeline.some((e) => e.text === 'Asked 3 participants for feedback'));
  expect(state.resources.reviewDocument).toBeUndefined();
  expect(state.resources.reviewMeeting).toBeUndefined();
  expect(google().files.filter((f) => f.name.startsWith(`${incident.id}:`) && f.name.includes('review'))).toHaveLength(0);
});
