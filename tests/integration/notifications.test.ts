/**
 * Notifications end to end with mail over SMTP: the real workflow on a real Temporal server,
 * the Slack SDK and nodemailer talking to the sandbox. Asserted from the sandbox's Slack
 * channels, its SMTP mailbox and its request log.
 */
import { messageIdFor } from '../../activities/providers/google';
import type { IncidentState } from '../../domain/incident';
import type { Sandbox } from '../../sandbox/server';
import { eventually, startHarness, type Harness } from '../support/harness';
import { channelId, ephemeralsIn, makeChannel, NOTIFY_CONFIG, notificationsIn, smtpMailbox } from '../support/notif-helpers';

let h: Harness;
let sandbox: Sandbox;
beforeAll(async () => {
  h = await startHarness({ sandbox: true, email: 'smtp', config: NOTIFY_CONFIG });
  sandbox = h.sandbox!;
  await makeChannel(sandbox, 'incidents');
  await makeChannel(sandbox, 'security');
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => sandbox.faults.clear());

const mailsWith = (messageId: string) => smtpMailbox(sandbox).messages.filter((m) => m.messageId === messageId);
const mailsTo = (email: string, incidentId: string) => smtpMailbox(sandbox).messages.filter((m) => m.to.includes(email) && m.subject.includes(incidentId));

async function declare(extra: Partial<Parameters<Harness['client']['declare']>[0]> = {}): Promise<IncidentState> {
  const { incident } = await h.client.declare({
    title: 'Checkout errors',
    priority: 'High',
    severity: 'High',
    reporter: { email: 'rita@example.com' },
    commander: { email: 'ic@example.com' },
    ...extra,
  });
  return incident;
}

/** The seq of the newest timeline event of this kind and field. */
async function seqOf(id: string, kind: string, field?: string): Promise<number> {
  const state = await h.client.get(id);
  return state.timeline.filter((e) => e.kind === kind && (field === undefined || e.field === field)).at(-1)!.seq;
}

test('declaring notifies each matching target once; a severity change once more; welcomes commander and reporter', async () => {
  const incident = await declare();
  const id = incident.id;

  const [announced] = await eventually(() => {
    const found = notificationsIn(sandbox, 'incidents', id);
    return found.length === 1 && found;
  }, { timeoutMs: 45_000 });
  expect(announced!.metadata!.event_payload.dedupe_key).toBe(`${id}:1:All incidents`);
  expect(announced!.text).toContain(`New incident: ${id} Checkout errors`);
  const buttons = announced!.blocks!.find((b) => b.type === 'actions')!.elements!;
  expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
    ['muster_join', id],
    ['muster_subscribe', id],
  ]);

  const [mail] = await eventually(() => {
    const found = mailsTo('leadership@example.com', id);
    return found.length === 1 && found;
  });
  expect(mail!.messageId).toBe(messageIdFor(`${id}:1:Leadership`));
  expect(mail!.subject).toBe(`New incident: ${id} Checkout errors`);
  expect(mail!.hasHtml).toBe(true);
  expect(mail!.text).toContain('Commander: ic@example.com');
  // Filters that do not match send nothing.
  expect(notificationsIn(sandbox, 'security', id)).toHaveLength(0);

  // Welcomes: one mail and one ephemeral note each for the commander and the reporter.
  await eventually(() => mailsTo('ic@example.com', id).length === 1 && mailsTo('rita@example.com', id).length === 1);
  expect(mailsTo('ic@example.com', id)[0]!.text).toContain('You are the Commander');
  const channel = (await h.client.get(id)).resources.channel!.externalId!;
  const welcomes = await eventually(() => {
    const found = ephemeralsIn(sandbox, channel);
    return found.length === 2 && found;
  });
  expect(welcomes.map((m) => m.ephemeral_to).sort()).toEqual(['U00000IC0', 'U0000RITA']);
  expect(welcomes.find((m) => m.ephemeral_to === 'U0000RITA')!.text).toContain('You are the Reporter');

  // A title change is not announced; the severity change in the same update is, once per target.
  await h.client.update(id, { title: 'Checkout errors everywhere', severity: 'Critical' }, 'ic@example.com');
  const severitySeq = await seqOf(id, 'changed', 'severity');
  await eventually(() => notificationsIn(sandbox, 'incidents', id).length === 2 && mailsTo('leadership@example.com', id).length === 2);
  const second = notificationsIn(sandbox, 'incidents', id)[1]!;
  expect(second.metadata!.event_payload.dedupe_key).toBe(`${id}:${severitySeq}:All incidents`);
  expect(second.text).toContain('Severity High → Critical');
  const [severityMail] = mailsWith(messageIdFor(`${id}:${severitySeq}:Leadership`));
  expect(severityMail!.subject).toBe(`Severity High → Critical: ${id} Checkout errors everywhere`);
  expect(smtpMailbox(sandbox).duplicates).toBe(0);
}, 90_000);

test('a send whose reply is lost is retried and still gives one Slack message and one mail', async () => {
  const incident = await declare({ title: 'Lost replies' });
  const id = incident.id;
  // Quiet first (announced, welcomes sent), so the one-shot faults below hit the notification only.
  await eventually(
    () =>
      notificationsIn(sandbox, 'incidents', id).length === 1 &&
      ['leadership@example.com', 'ic@example.com', 'rita@example.com'].every((to) => mailsTo(to, id).length === 1),
    { timeoutMs: 45_000 },
  );

  // Slack and the mail server both act, then their answers are lost: the activity retries.
  sandbox.faults.add({ vendor: 'slack', route: 'chat.postMessage', mode: 'fail', status: 503, times: 1, afterHandler: true });
  sandbox.faults.add({ vendor: 'smtp', route: 'DATA', mode: 'fail', status: 451, times: 1, afterHandler: true });
  sandbox.log.clear();
  // A severity change is announced and starts nothing else that posts or mails.
  await h.client.update(id, { severity: 'Critical' }, 'ic@example.com');
  const seq = await seqOf(id, 'changed', 'severity');

  await eventually(() => notificationsIn(sandbox, 'incidents', id).length === 2 && (mailsWith(messageIdFor(`${id}:${seq}:Leadership`))[0]?.copies ?? 0) >= 2, { timeoutMs: 30_000 });
  const lost = sandbox.log.entries.filter((e) => e.fault);
  expect(lost.map((e) => e.route).sort()).toEqual(['DATA', 'chat.postMessage']);
  // The retry found the Slack message (conversations.history) instead of posting again...
  expect(notificationsIn(sandbox, 'incidents', id).filter((m) => m.metadata!.event_payload.dedupe_key === `${id}:${seq}:All incidents`)).toHaveLength(1);
  // ...and the mail server got the mail again under the same Message-ID, which it keeps once.
  const [mail] = mailsWith(messageIdFor(`${id}:${seq}:Leadership`));
  expect(mail!.copies).toBeGreaterThanOrEqual(2);
  // Nothing failed for good, so the timeline has no failure note.
  const state = await h.client.get(id);
  expect(state.timeline.filter((e) => e.kind === 'note' && e.text.startsWith('Could not'))).toEqual([]);
}, 90_000);

test('a restricted incident reaches no outside target, only its own channel', async () => {
  const incident = await declare({ title: 'Leaked key', visibility: 'Restricted', type: 'Security' });
  const id = incident.id;
  // Its own channel gets the announcement, and the welcomes still go.
  const state = await eventually(async () => {
    const s = await h.client.get(id);
    return s.resources.channel?.status === 'ready' ? s : undefined;
  }, { timeoutMs: 45_000 });
  const own = slackChannelName(state);
  await eventually(() => notificationsIn(sandbox, own, id).length === 1 && mailsTo('ic@example.com', id).length === 1, { timeoutMs: 30_000 });
  expect(notificationsIn(sandbox, own, id)[0]!.metadata!.event_payload.dedupe_key).toBe(`${id}:1:incident-channel`);

  await h.client.update(id, { severity: 'Critical' }, 'ic@example.com');
  await eventually(() => notificationsIn(sandbox, own, id).length === 2);
  expect(notificationsIn(sandbox, 'incidents', id)).toHaveLength(0);
  expect(notificationsIn(sandbox, 'security', id)).toHaveLength(0);
  expect(mailsTo('leadership@example.com', id)).toHaveLength(0);
}, 90_000);

const slackChannelName = (incident: IncidentState) => incident.id.toLowerCase();

test('someone given a role is welcomed once (mail and ephemeral note), however many roles they get', async () => {
  const incident = await declare({ title: 'More hands', priority: 'Low' });
  const id = incident.id;
  await eventually(() => mailsTo('rita@example.com', id).length === 1, { timeoutMs: 45_000 });

  await h.client.changeRole(id, { action: 'assign', role: 'Liaison', person: { email: 'liam@example.com' } }, 'ic@example.com');
  const mail = await eventually(() => mailsTo('liam@example.com', id)[0]);
  expect(mail.subject).toBe(`Welcome to ${id}: you are Liaison`);
  expect(mail.text).toContain('/muster report executive');
  const channel = channelId(sandbox, id.toLowerCase());
  await eventually(() => ephemeralsIn(sandbox, channel).some((m) => m.ephemeral_to === 'U0000LIAM'));

  await h.client.changeRole(id, { action: 'assign', role: 'Scribe', person: { email: 'liam@example.com' } }, 'ic@example.com');
  // A later notifiable event is handled after the role change: by then a second welcome would be there.
  await h.client.update(id, { priority: 'Medium' }, 'ic@example.com');
  const seq = await seqOf(id, 'changed', 'priority');
  await eventually(() => notificationsIn(sandbox, 'incidents', id).some((m) => m.metadata!.event_payload.dedupe_key === `${id}:${seq}:All incidents`));
  expect(mailsTo('liam@example.com', id)).toHaveLength(1);
  expect(ephemeralsIn(sandbox, channel).filter((m) => m.ephemeral_to === 'U0000LIAM')).toHaveLength(1);
}, 90_000);

test('someone a rule brings in is welcomed as an Observer', async () => {
  const incident = await declare({ title: 'Replica lag', priority: 'Low', tags: ['database'] });
  const id = incident.id;
  const mail = await eventually(() => mailsTo('dana@example.com', id)[0], { timeoutMs: 45_000 });
  expect(mail.subject).toBe(`Welcome to ${id}: you are Observer`);
  expect(mail.text).toContain('/muster subscribe');
  const channel = channelId(sandbox, id.toLowerCase());
  await eventually(() => ephemeralsIn(sandbox, channel).some((m) => m.ephemeral_to === 'U0000DANA'));
}, 90_000);

test('subscribe adds the person to the notifications group; bad input is refused', async () => {
  const incident = await declare({ title: 'Follow me', priority: 'Low' });
  const state = await h.client.subscribe(incident.id, { person: { email: 'Sam@Example.com' }, actor: 'ic@example.com' });
  // Assembly goes on meanwhile, so the note need not be the last event.
  expect(state.timeline.filter((e) => e.kind === 'note').map((e) => e.text)).toEqual([`ic@example.com subscribed sam@example.com to ${incident.id}'s notifications`]);
  const group = state.resources.notificationsGroup!.externalId!;
  const groups = (sandbox.state().google as { groups: Array<{ email: string; members: Array<{ email: string }> }> }).groups;
  expect(groups.find((g) => g.email === group)!.members.map((m) => m.email)).toContain('sam@example.com');

  await expect(h.client.subscribe(incident.id, { person: { email: 'not-an-email' }, actor: 'ic@example.com' })).rejects.toMatchObject({ code: 'invalid_field', field: 'person.email' });
  await expect(h.client.subscribe(incident.id, { person: { email: 'sam@example.com' }, actor: '' })).rejects.toMatchObject({ code: 'invalid_field', field: 'actor' });
}, 90_000);

test('a target that cannot be reached is written to the timeline; the others still get it', async () => {
  const incident = await declare({ title: 'Nobody home', tags: ['ghost'], priority: 'Low' });
  const id = incident.id;
  const note = await eventually(async () => (await h.client.get(id)).timeline.find((e) => e.kind === 'note' && e.text.startsWith('Could not announce')), { timeoutMs: 45_000 });
  expect(note.text).toBe(`Could not announce "New incident: ${id} Nobody home": Ghost (slack notify: channel #ghost not found (or the bot cannot see it))`);
  expect(notificationsIn(sandbox, 'incidents', id)).toHaveLength(1);
}, 90_000);
