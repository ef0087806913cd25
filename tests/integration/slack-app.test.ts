/**
 * The Slack app end to end: signed requests POSTed over HTTP to the API server's
 * /slack/events, Bolt with the real Web API client talking to the sandbox Slack, the real
 * workflow on the real Temporal server. Replies are read from the sandbox (response_url
 * posts, views, ephemeral messages); incident state from the workflow.
 */
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import { mountSlackApp } from '../../api/slack/app';
import type { IncidentState } from '../../domain/incident';
import type { Sandbox } from '../../sandbox/server';
import { eventually, startHarness, type Harness } from '../support/harness';
import { randomId, SlackRequester } from '../support/slack-signing';

const SECRET = 'test-signing-secret';
const IC = 'U00000IC0'; // ic@example.com
const SAM = 'U00000SAM';
const DANA = 'U0000DANA';
const LIAM = 'U0000LIAM';
const BOT = 'U0MUSTERBOT';

let h: Harness;
let sandbox: Sandbox;
let api: FastifyInstance;
let slack: SlackRequester;

interface SlackState {
  channels: Array<{ id: string; name: string; members: string[] }>;
  messages: Array<{ channel: string; ts: string; text: string; ephemeral_to?: string }>;
  views: Array<{ id: string; type: string; callback_id: string; private_metadata: string; blocks: Array<Record<string, unknown>> }>;
  responses?: Array<{ id: string; body: { text: string; response_type?: string } }>;
}
const state = () => sandbox.state().slack as SlackState;

beforeAll(async () => {
  // A High incident's tactical report reminder every 2 hours, as in the example configuration.
  h = await startHarness({ sandbox: true, settings: { reportReminders: { High: { tactical: 2 * 3_600_000, executive: 6 * 3_600_000 } } } });
  sandbox = h.sandbox!;
  api = await buildApi({ client: h.client, store: h.store });
  await mountSlackApp(api, {
    client: h.client,
    store: h.store,
    botToken: sandbox.fixture.credentials.slackBotToken,
    apiUrl: `${sandbox.url}/api/`,
    signingSecret: SECRET,
    command: '/muster',
    timelineReaction: 'stopwatch',
  });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  slack = new SlackRequester(`${url}/slack/events`, SECRET);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

/** A response_url in the sandbox, and the texts posted to it. */
function responseUrl() {
  const id = randomId('R');
  return { url: `${sandbox.url}/_sandbox/response/${id}`, texts: () => (state().responses ?? []).filter((r) => r.id === id).map((r) => r.body.text) };
}

/** Runs a command and waits for its n-th reply. */
async function command(user: string, text: string, channel = 'C0GENERAL', replies = 1): Promise<{ ack: { status: number; text: string }; texts: string[] }> {
  const response = responseUrl();
  const ack = await slack.command({ user, text, channel, responseUrl: response.url });
  expect(ack.status).toBe(200);
  if (replies === 0) return { ack, texts: [] };
  const texts = await eventually(() => (response.texts().length >= replies ? response.texts() : undefined), { timeoutMs: 30_000 });
  return { ack, texts };
}

/** Opens a modal with a command and returns the view the sandbox stored. */
async function openModal(user: string, text: string, callbackId: string, channel = 'C0GENERAL') {
  const before = state().views.length;
  const response = responseUrl();
  const ack = await slack.command({ user, text, channel, responseUrl: response.url });
  expect(ack.status).toBe(200);
  const view = await eventually(() => state().views.slice(before).find((v) => v.callback_id === callbackId));
  return { view, response };
}

type Values = Record<string, { type: string; value?: string; selected_option?: { value: string }; selected_options?: Array<{ value: string }> }>;
const text = (value: string) => ({ value: { type: 'plain_text_input', value } });
const choice = (value: string) => ({ value: { type: 'static_select', selected_option: { value } } });
const ticked = (yes: boolean) => ({ value: { type: 'checkboxes', selected_options: yes ? [{ value: 'yes' }] : [] } });

function submit(user: string, view: SlackState['views'][number], values: Record<string, Values>) {
  return slack.interact({
    type: 'view_submission',
    user: { id: user, team_id: 'T0SANDBOX' },
    trigger_id: randomId('TRIG'),
    view: { id: view.id, type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata, hash: 'h', state: { values } },
  });
}

function click(user: string, actionId: string, value: string, channel = 'C0GENERAL') {
  const response = responseUrl();
  return {
    response,
    sent: slack.interact({
      type: 'block_actions',
      user: { id: user, team_id: 'T0SANDBOX' },
      trigger_id: randomId('TRIG'),
      response_url: response.url,
      container: { type: 'message', channel_id: channel, message_ts: '1733240000.000100' },
      channel: { id: channel, name: 'x' },
      actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now() / 1000}` }],
    }),
  };
}

let incident: IncidentState;
let channel: string;

async function declareFromSlack(title: string): Promise<{ incident: IncidentState; channel: string; texts: string[] }> {
  const { view, response } = await openModal(IC, 'declare', 'muster_declare');
  const ack = await submit(IC, view, { title: text(title), type: choice('Operational'), severity: choice('High'), priority: choice('High'), tags: text('db, eu'), visibility: choice('Open') });
  expect(ack.status).toBe(200);
  expect(ack.text).toBe('');
  const texts = await eventually(() => (response.texts().length >= 2 ? response.texts() : undefined), { timeoutMs: 45_000 });
  const id = /Declared \*([A-Z0-9]+-\d+)\*/.exec(texts[0]!)![1]!;
  const declared = await h.client.get(id);
  const channelId = declared.resources.channel!.externalId!;
  // The store has the channel soon after; the app finds the incident by it.
  await eventually(async () => (await h.store.getIncident(id))?.resources.channel?.externalId === channelId);
  return { incident: declared, channel: channelId, texts };
}

describe('request verification', () => {
  const body = () => new URLSearchParams({ command: '/muster', text: 'help', user_id: IC, channel_id: 'C1', team_id: 'T0SANDBOX', response_url: `${sandbox.url}/_sandbox/response/x`, trigger_id: 't' }).toString();

  it('refuses a missing signature with 401', async () => {
    const response = await fetch(slack.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body() });
    expect(response.status).toBe(401);
  });

  it('refuses a forged signature with 401', async () => {
    const forged = new SlackRequester(slack.url, 'not-the-secret');
    expect((await forged.command({ user: IC, text: 'list', channel: 'C1', responseUrl: responseUrl().url })).status).toBe(401);
  });

  it('refuses a stale request (older than 5 minutes) with 401 and touches nothing', async () => {
    const response = responseUrl();
    const stale = await slack.post(
      new URLSearchParams({ command: '/muster', text: 'list', user_id: IC, channel_id: 'C1', team_id: 'T0SANDBOX', response_url: response.url, trigger_id: 't' }).toString(),
      'application/x-www-form-urlencoded',
      { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 },
    );
    expect(stale.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(response.texts()).toEqual([]);
  });

  it('answers the URL verification challenge', async () => {
    const answer = await slack.post(JSON.stringify({ type: 'url_verification', challenge: 'abc' }), 'application/json');
    expect(JSON.parse(answer.text)).toEqual({ challenge: 'abc' });
  });
});

describe('commands', () => {
  it('help and unknown subcommands are answered in the ack', async () => {
    const help = await command(IC, 'help', 'C0GENERAL', 0);
    expect(JSON.parse(help.ack.text).text).toContain('/muster declare');
    const unknown = await command(IC, 'frobnicate', 'C0GENERAL', 0);
    expect(JSON.parse(unknown.ack.text).text).toContain('Unknown subcommand "frobnicate"');
  });

  it('declare: field errors go back into the modal; a valid one replies with the id, then the channel', async () => {
    const { view } = await openModal(IC, 'declare', 'muster_declare');
    const bad = await submit(IC, view, { title: text('Checkout down'), type: choice('Operational'), severity: choice('High'), priority: choice('High'), tags: text('x'.repeat(65)), visibility: choice('Open') });
    expect(JSON.parse(bad.text)).toEqual({ response_action: 'errors', errors: { tags: expect.stringContaining('at most 64') } });

    const declared = await declareFromSlack('Checkout errors');
    incident = declared.incident;
    channel = declared.channel;
    expect(declared.texts[0]).toContain(`Declared *${incident.id}*: Checkout errors`);
    expect(declared.texts[1]).toContain(`<#${channel}>`);
    expect(incident).toMatchObject({ title: 'Checkout errors', severity: 'High', priority: 'High', tags: ['db', 'eu'], commander: { email: 'ic@example.com' } });
  });

  it('outside an incident channel, says how to name the incident; with the id it works', async () => {
    const { texts } = await command(IC, 'participants', 'C0GENERAL');
    expect(texts[0]).toContain('`/muster participants INC-7`');
    const named = await command(IC, `participants ${incident.id}`, 'C0GENERAL');
    expect(named.texts[0]).toContain('ic@example.com): Reporter, Commander');
  });

  it('status changes the incident; a bad transition is explained', async () => {
    const { texts } = await command(IC, 'status stable', channel);
    expect(texts[0]).toBe(`*${incident.id}* is now Stable.`);
    expect((await h.client.get(incident.id)).status).toBe('Stable');
    const again = await command(IC, 'status stable', channel);
    expect(again.texts[0]).toContain('already Stable');
    const bad = await command(IC, 'status sideways', channel);
    expect(bad.texts[0]).toContain('active, stable, closed');
    await command(IC, 'status active', channel);
    const glance = await command(SAM, 'status', channel);
    expect(glance.texts[0]).toContain(`*${incident.id}*: Checkout errors`);
    expect(glance.texts[0]).toContain('Active · High priority');
  });

  it('timeline and assign-role are for the commander or scribe only', async () => {
    const refused = await command(SAM, 'timeline Restarted the pods', channel);
    expect(refused.texts[0]).toContain('Only the commander (ic@example.com) or the scribe');
    expect((await h.client.get(incident.id)).timeline.some((e) => e.text === 'Restarted the pods')).toBe(false);

    const notAllowed = await command(SAM, `assign-role scribe <@${SAM}|sam>`, channel);
    expect(notAllowed.texts[0]).toContain('Only the commander');

    const assigned = await command(IC, `assign-role scribe <@${SAM}|sam>`, channel);
    expect(assigned.texts[0]).toContain('is now Scribe');
    const badRole = await command(IC, `assign-role wizard <@${SAM}|sam>`, channel);
    expect(badRole.texts[0]).toContain('Unknown role "wizard"');

    const noted = await command(SAM, 'timeline add Restarted the pods', channel);
    expect(noted.texts[0]).toContain('Added to the timeline');
    await eventually(async () => (await h.client.get(incident.id)).timeline.find((e) => e.kind === 'note' && e.text === 'Restarted the pods' && e.actor === 'sam@example.com'));
  });

  it('timeline and task add refuse others in one round trip with the same message, changing nothing', async () => {
    const before = await h.client.get(incident.id);
    const refused = await command(DANA, 'timeline Rolled back the deploy', channel);
    expect(refused.texts).toEqual([`Only the commander (ic@example.com) or the scribe of ${incident.id} can add to the timeline.`]);
    const task = await command(DANA, 'task add Check the rollback', channel);
    expect(task.texts).toEqual([`Only the commander (ic@example.com) or the scribe of ${incident.id} can add tasks.`]);
    const unchanged = await h.client.get(incident.id);
    expect(unchanged.timeline).toEqual(before.timeline);
    expect(unchanged.tasks ?? []).toEqual(before.tasks ?? []);

    // The reply comes once the workflow has the note: no waiting for it after.
    const noted = await command(IC, `timeline ${incident.id} Rolled back the deploy`, 'C0GENERAL');
    expect(noted.texts).toEqual([`Added to the timeline of *${incident.id}*.`]);
    expect((await h.client.get(incident.id)).timeline.filter((e) => e.kind === 'note' && e.text === 'Rolled back the deploy' && e.actor === 'ic@example.com')).toHaveLength(1);
  });

  it('update opens a modal with the current values and applies the changes', async () => {
    const refused = await command(DANA, 'update', channel);
    expect(refused.texts[0]).toContain('Only the commander');

    const { view, response } = await openModal(IC, 'update', 'muster_update', channel);
    const title = view.blocks.find((b) => b.block_id === 'title') as { element: { initial_value: string } };
    expect(title.element.initial_value).toBe('Checkout errors');

    const current = { title: text('Checkout errors'), description: text(''), type: choice('Operational'), severity: choice('High'), priority: choice('High'), visibility: choice('Open') };
    const nothing = await submit(IC, view, current);
    expect(JSON.parse(nothing.text)).toEqual({ response_action: 'errors', errors: { title: expect.stringContaining('nothing to change') } });
    const badType = await submit(IC, view, { ...current, type: choice('Weather') });
    expect(JSON.parse(badType.text).errors.type).toContain('type must be one of');

    const ok = await submit(IC, view, { ...current, severity: choice('Critical') });
    expect(ok.text).toBe('');
    await eventually(() => response.texts().find((t) => t.includes('Updated')));
    expect((await h.client.get(incident.id)).severity).toBe('Critical');
  });

  it('participants, resources and list', async () => {
    expect((await command(IC, 'participants', channel)).texts[0]).toContain('sam@example.com): Scribe');
    expect((await command(IC, 'resources', channel)).texts[0]).toMatch(/channel: ready/);
    const list = await eventually(async () => {
      const { texts } = await command(IC, 'list', 'C0GENERAL');
      return texts[0]!.includes(incident.id) ? texts[0] : undefined;
    });
    expect(list).toContain('Checkout errors');
  });

  it('task add (commander or scribe), list, mine and done reach the workflow', async () => {
    expect((await command(IC, 'task', channel)).texts[0]).toContain('task add <description>');
    expect((await command(DANA, 'task add Check the replica lag', channel)).texts[0]).toContain('Only the commander');
    expect((await command(IC, 'task add', channel)).texts[0]).toContain('Describe the task');

    const added = await command(IC, 'task add Check the replica lag', channel);
    expect(added.texts[0]).toContain(`Added to *${incident.id}*`);
    const task = (await h.client.listTasks(incident.id)).find((t) => t.description === 'Check the replica lag')!;
    expect(task).toMatchObject({ owner: 'ic@example.com', status: 'Open' });
    expect(added.texts[0]).toContain(`*${task.id}* Check the replica lag (ic@example.com; due <!date^`);

    expect((await command(SAM, 'task list', channel)).texts[0]).toContain(`*${task.id}* Check the replica lag`);
    // Across incidents, from the store (which has the task once the workflow has recorded it).
    const mine = await eventually(async () => {
      const { texts } = await command(IC, 'task mine', 'C0GENERAL');
      return texts[0]!.includes(task.id) ? texts[0] : undefined;
    });
    expect(mine).toContain(`*${incident.id}* *${task.id}* Check the replica lag`);
    expect((await command(SAM, 'task mine', 'C0GENERAL')).texts[0]).not.toContain(task.id);

    expect((await command(IC, 'task done', channel)).texts[0]).toContain('Which task');
    expect((await command(IC, 'task done T999', channel)).texts[0]).toMatch(/^Not done: .*T999/);
    expect((await command(IC, `task done ${task.id}`, channel)).texts[0]).toBe(`Resolved *${task.id}* of *${incident.id}*: Check the replica lag`);
    expect((await h.client.listTasks(incident.id)).find((t) => t.id === task.id)?.status).toBe('Resolved');
  });

  it('report modals check their fields and post the report (commander or scribe)', async () => {
    expect((await command(DANA, 'report executive', channel)).texts[0]).toContain('Only the commander');
    expect((await command(IC, 'report weekly', channel)).texts[0]).toContain('report tactical');

    const tactical = await openModal(IC, 'report tactical', 'muster_report_tactical', channel);
    const bad = await submit(IC, tactical.view, { conditions: text('Degraded'), actions: text(''), needs: text('DBA') });
    expect(JSON.parse(bad.text)).toEqual({ response_action: 'errors', errors: { actions: 'Please fill this in.' } });
    await submit(IC, tactical.view, { conditions: text('Degraded'), actions: text('Failover'), needs: text('DBA') });
    expect(await eventually(() => tactical.response.texts()[0])).toBe(`Posted the tactical report of *${incident.id}* to its channel.`);
    expect((await h.client.get(incident.id)).reports?.tactical).toMatchObject({ conditions: 'Degraded', actions: 'Failover', needs: 'DBA', author: 'ic@example.com' });
    expect(state().messages.some((m) => m.channel === channel && m.text.includes('Degraded') && m.text.includes('Failover'))).toBe(true);

    const executive = await openModal(IC, 'report executive', 'muster_report_executive', channel);
    await submit(IC, executive.view, { currentStatus: text('Mitigated'), overview: text('Bad deploy'), nextSteps: text('Review') });
    expect(await eventually(() => executive.response.texts()[0])).toMatch(new RegExp(`^Posted the executive report of \\*${incident.id}\\*`));
    expect((await h.client.get(incident.id)).reports?.executive).toMatchObject({ currentStatus: 'Mitigated', overview: 'Bad deploy', nextSteps: 'Review' });
  });

  it('engage-oncall checks its form and reaches the workflow through the client (an unknown service is explained)', async () => {
    const oncall = await openModal(IC, 'engage-oncall', 'muster_engage_oncall', channel);
    const missing = await submit(IC, oncall.view, { service: text(' '), page: ticked(true) });
    expect(JSON.parse(missing.text).errors.service).toBeDefined();
    await submit(IC, oncall.view, { service: text('Payroll on-call'), page: ticked(false) });
    expect(await eventually(() => oncall.response.texts()[0])).toMatch(/^Not done: .*Payroll on-call/);
  });

  it('concurrent commands on one incident keep every change', async () => {
    const notes = Array.from({ length: 12 }, (_, i) => `parallel note ${i}`);
    await Promise.all([
      ...notes.map((note) => command(IC, `timeline ${note}`, channel)),
      command(IC, `assign-role liaison <@${LIAM}|liam>`, channel),
      command(IC, 'status stable', channel),
    ]);
    const after = await h.client.get(incident.id);
    for (const note of notes) expect(after.timeline.filter((e) => e.text === note)).toHaveLength(1);
    expect(after.status).toBe('Stable');
    expect(after.participants.find((p) => p.email === 'liam@example.com')?.roles).toContain('Liaison');
    await command(IC, 'status active', channel);
  });
});

describe('events', () => {
  it('joining makes an Observer, three messages a Participant, leaving removes them; the commander stays', async () => {
    expect((await slack.event({ type: 'member_joined_channel', user: DANA, channel, channel_type: 'C', team: 'T0SANDBOX' }, BOT)).status).toBe(200);
    await eventually(async () => (await h.client.get(incident.id)).participants.find((p) => p.email === 'dana@example.com' && p.roles.join() === 'Observer'));

    for (let i = 0; i < 3; i++) {
      await slack.event({ type: 'message', channel, user: DANA, text: `looking ${i}`, ts: `1733240100.00000${i}`, channel_type: 'channel' }, BOT);
    }
    const promoted = await eventually(async () => (await h.client.get(incident.id)).participants.find((p) => p.email === 'dana@example.com' && p.roles.join() === 'Participant'));
    expect(promoted.activity).toBe(3);

    await slack.event({ type: 'member_left_channel', user: DANA, channel, channel_type: 'C', team: 'T0SANDBOX' }, BOT);
    await eventually(async () => !(await h.client.get(incident.id)).participants.some((p) => p.email === 'dana@example.com'));

    await slack.event({ type: 'member_left_channel', user: IC, channel, channel_type: 'C', team: 'T0SANDBOX' }, BOT);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await h.client.get(incident.id);
    expect(after.commander.email).toBe('ic@example.com');
    expect(after.participants.find((p) => p.email === 'ic@example.com')?.roles).toContain('Commander');
  });

  it('the stopwatch reaction puts the message in the timeline at its time, once', async () => {
    const posted = (await fetch(`${sandbox.url}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sandbox.fixture.credentials.slackBotToken}` },
      body: JSON.stringify({ channel, text: 'Replica lag back under 1 s' }),
    }).then((r) => r.json())) as { ts: string };
    const reaction = { type: 'reaction_added', user: IC, reaction: 'stopwatch', item: { type: 'message', channel, ts: posted.ts }, item_user: BOT };
    await slack.event(reaction, BOT);
    const at = new Date(Math.round(Number(posted.ts) * 1000)).toISOString();
    const note = await eventually(async () => (await h.client.get(incident.id)).timeline.find((e) => e.kind === 'note' && e.text.endsWith('Replica lag back under 1 s')));
    expect(note).toMatchObject({ at, actor: 'ic@example.com' });

    await slack.event({ ...reaction, user: SAM }, BOT);
    await slack.event({ ...reaction, reaction: 'thumbsup' }, BOT);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await h.client.get(incident.id)).timeline.filter((e) => e.text.endsWith('Replica lag back under 1 s'))).toHaveLength(1);
  });

  it('App Home lists the user\'s open incidents and roles', async () => {
    await slack.event({ type: 'app_home_opened', user: SAM, channel: 'D0SAM', tab: 'home' }, BOT);
    const home = await eventually(() => state().views.find((v) => v.type === 'home' && JSON.stringify(v.blocks).includes(incident.id)));
    expect(JSON.stringify(home.blocks)).toContain('Scribe');
  });
});

describe('buttons', () => {
  it('Join adds the clicker as Participant', async () => {
    const { response, sent } = click(DANA, 'muster_join', incident.id);
    expect((await sent).status).toBe(200);
    expect(await eventually(() => response.texts()[0])).toContain(`You are in *${incident.id}* (Participant)`);
    expect((await h.client.get(incident.id)).participants.find((p) => p.email === 'dana@example.com')?.roles).toEqual(['Participant']);
  });

  it('Subscribe, task done and snooze reach the workflow; feedback opens its modal, which checks the rating', async () => {
    const subscribe = click(SAM, 'muster_subscribe', incident.id);
    await subscribe.sent;
    expect(await eventually(() => subscribe.response.texts()[0])).toBe(`You get every update of *${incident.id}* by email now.`);
    expect((await command(LIAM, 'subscribe', channel)).texts[0]).toBe(`You get every update of *${incident.id}* by email now.`);

    const task = await h.client.addTask(incident.id, { description: 'Rotate the key', actor: 'ic@example.com', assignees: ['sam@example.com'] });
    const done = click(SAM, 'muster_task_done', `${incident.id}:${task.id}`);
    await done.sent;
    expect(await eventually(() => done.response.texts()[0])).toBe(`Resolved *${task.id}* of *${incident.id}*: Rotate the key`);
    expect((await h.client.listTasks(incident.id)).find((t) => t.id === task.id)?.status).toBe('Resolved');

    const snooze = click(IC, 'muster_snooze', `${incident.id}:tactical:30`);
    await snooze.sent;
    expect(await eventually(() => snooze.response.texts()[0])).toBe(`The tactical report reminder of *${incident.id}* is snoozed for 30 minutes.`);
    const snoozedUntil = (await h.client.get(incident.id)).reminders?.tactical?.snoozedUntil;
    expect(Date.parse(snoozedUntil!) - Date.now()).toBeGreaterThan(25 * 60_000);
    const odd = click(IC, 'muster_snooze', `${incident.id}:tactical:45`);
    await odd.sent;
    expect(await eventually(() => odd.response.texts()[0])).toMatch(/^Not done: .*minutes must be one of 30, 60, 120/);
    const broken = click(IC, 'muster_snooze', `${incident.id}:weekly:x`);
    await broken.sent;
    expect(await eventually(() => broken.response.texts()[0])).toContain('malformed');

    const before = state().views.length;
    const feedback = click(SAM, 'muster_feedback', incident.id);
    await feedback.sent;
    const view = await eventually(() => state().views.slice(before).find((v) => v.callback_id === 'muster_feedback_submit'));
    const bad = await submit(SAM, view, { rating: { type: 'static_select' }, text: text('ok'), anonymous: ticked(false) } as never);
    expect(JSON.parse(bad.text).errors.rating).toContain('1 to 5');
    await submit(SAM, view, { rating: choice('4'), text: text('Good comms'), anonymous: ticked(true) });
    expect(await eventually(() => feedback.response.texts()[0])).toBe(`Thank you: your feedback on *${incident.id}* is recorded without your name.`);
    expect((await h.client.get(incident.id)).feedback).toContainEqual(expect.objectContaining({ person: expect.objectContaining({ email: 'sam@example.com' }), rating: 4, text: 'Good comms', anonymous: true }));
  });
});
