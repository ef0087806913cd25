/**
 * The digests on Temporal Schedules: made idempotently at worker start, visible with their
 * spec and action; a triggered run reads the store and sends to the notification targets
 * (Slack channel and email) and, for feedback, to each commander.
 */
import type { ScheduleHandle } from '@temporalio/client';
import { BUILT_IN_CONFIG, musterConfigSchema } from '../../config/muster-config';
import { DIGEST_KINDS, type DigestKind } from '../../domain/digests';
import { digestScheduleId } from '../../workflows/definitions';
import { ensureDigestSchedules } from '../../worker/schedules';
import { eventually, recorded, startHarness, type Harness } from '../support/harness';

let h: Harness;
const config = musterConfigSchema.parse({
  ...BUILT_IN_CONFIG,
  notificationTargets: [
    { name: 'Incidents channel', kind: 'slack-channel', target: '#incidents-digest' },
    { name: 'Leads', kind: 'email', target: 'leads@example.com', filter: { field: 'priority', op: 'eq', value: 'High' } },
  ],
});

beforeAll(async () => {
  h = await startHarness({ sandbox: true, config });
});
afterAll(async () => {
  for (const kind of DIGEST_KINDS) await schedule(kind).delete().catch(() => undefined);
  await h?.close();
});

const schedule = (kind: DigestKind): ScheduleHandle => h.client.temporal.schedule.getHandle(digestScheduleId(h.temporal.taskQueue, kind));

interface SlackState {
  channels: Array<{ id: string; name: string; is_im: boolean; members: string[] }>;
  messages: Array<{ channel: string; text: string }>;
}
interface GoogleState {
  messages: Array<{ to: string[]; subject: string; body: string }>;
}
const slack = () => h.sandbox!.state().slack as SlackState;
const mail = () => (h.sandbox!.state().google as GoogleState).messages;
const channelMessages = (name: string) => {
  const channel = slack().channels.find((c) => c.name === name);
  return slack().messages.filter((m) => m.channel === channel?.id);
};

test('worker start makes the three Schedules once; they describe their cadence and the digest workflow', async () => {
  const first = await ensureDigestSchedules(h.client.temporal, { taskQueue: h.temporal.taskQueue });
  expect(first.created).toHaveLength(3);
  const again = await ensureDigestSchedules(h.client.temporal, { taskQueue: h.temporal.taskQueue });
  expect(again).toEqual({ created: [], existing: first.created });

  const described = await Promise.all(DIGEST_KINDS.map((kind) => schedule(kind).describe()));
  expect(described.map((d) => [d.scheduleId, d.action.type, d.action.type === 'startWorkflow' && d.action.workflowType, d.action.type === 'startWorkflow' && d.action.taskQueue, d.state.paused])).toEqual(
    DIGEST_KINDS.map((kind) => [digestScheduleId(h.temporal.taskQueue, kind), 'startWorkflow', 'digestWorkflow', h.temporal.taskQueue, false]),
  );
  const [active, closed, feedback] = described;
  expect(active!.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 9, end: 9, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] })]);
  expect(closed!.spec.calendars).toEqual([expect.objectContaining({ dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }] })]);
  expect(feedback!.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 17, end: 17, step: 1 }] })]);
});

test('a triggered daily run sends the active incidents to the Slack channel and, filtered, to the email target', async () => {
  const { incident: high } = await h.client.declare({ title: 'Checkout down', priority: 'High', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } });
  const { incident: low } = await h.client.declare({ title: 'Typo on status page', priority: 'Low', reporter: { email: 'rita@example.com' } });
  const { incident: secret } = await h.client.declare({ title: 'Insider access', visibility: 'Restricted', reporter: { email: 'sec@example.com' } });
  await recorded(h, high);
  await recorded(h, low);
  await recorded(h, secret);

  await schedule('active').trigger();
  const posted = await eventually(() => channelMessages('incidents-digest').find((m) => m.text.startsWith('Muster daily digest')), { timeoutMs: 30_000 });
  expect(posted.text).toContain('2 active incidents');
  expect(posted.text).toContain(`${high.id}: Checkout down (Active, High priority`);
  expect(posted.text).toContain(`${low.id}: Typo on status page`);
  // Restricted incidents are never announced.
  expect(posted.text).not.toContain(secret.id);

  const mailed = await eventually(() => mail().find((m) => m.to.includes('leads@example.com') && m.subject.startsWith('Muster daily digest')));
  expect(mailed.body).toContain(high.id);
  expect(mailed.body).not.toContain(low.id);
});

test('the weekly run lists closed incidents; the feedback run tells each commander what came in', async () => {
  const { incident } = await h.client.declare({ title: 'Queue backlog', priority: 'High', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } });
  await h.client.update(incident.id, { status: 'Closed' }, 'ic@example.com');
  await h.client.submitFeedback(incident.id, { person: { email: 'rita@example.com' }, rating: 4, text: 'Clear updates' });
  await h.client.submitFeedback(incident.id, { person: { email: 'sam@example.com' }, rating: 2, anonymous: true });
  await recorded(h, await h.client.get(incident.id));

  await schedule('closed').trigger();
  const weekly = await eventually(() => channelMessages('incidents-digest').find((m) => m.text.startsWith('Muster weekly digest')), { timeoutMs: 30_000 });
  expect(weekly.text).toContain('1 incident closed');
  expect(weekly.text).toContain(`${incident.id}: Queue backlog (Closed`);

  await schedule('feedback').trigger();
  const commanderIm = () => slack().channels.find((c) => c.is_im && c.members.includes('U00000IC0'));
  const digest = await eventually(() => slack().messages.find((m) => m.channel === commanderIm()?.id && m.text.startsWith('Muster feedback digest')), { timeoutMs: 30_000 });
  expect(digest.text).toContain(`${incident.id}: Queue backlog (average 3/5)`);
  expect(digest.text).toContain('4/5 from rita@example.com: Clear updates');
  expect(digest.text).toContain('2/5 from someone (anonymous)');
  expect(digest.text).not.toContain('sam@example.com');
});
