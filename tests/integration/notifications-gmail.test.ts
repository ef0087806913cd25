/**
 * Notifications with mail through the Gmail API (the sandbox's Gmail): a retried send searches
 * the sent mail by Message-ID (rfc822msgid:) first, so a lost reply never gives a second mail.
 */
import { messageIdFor } from '../../activities/providers/google';
import type { Sandbox } from '../../sandbox/server';
import { eventually, startHarness, type Harness } from '../support/harness';
import { gmailSent, makeChannel, NOTIFY_CONFIG, notificationsIn } from '../support/notif-helpers';

let h: Harness;
let sandbox: Sandbox;
beforeAll(async () => {
  h = await startHarness({ sandbox: true, email: 'gmail', config: NOTIFY_CONFIG });
  sandbox = h.sandbox!;
  await makeChannel(sandbox, 'incidents');
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => sandbox.faults.clear());

const sentWith = (messageId: string) => gmailSent(sandbox).filter((m) => m.headers['message-id'] === messageId);

test('mail goes through Gmail once per event and target, even when the reply to a send is lost', async () => {
  const { incident } = await h.client.declare({ title: 'Gmail path', priority: 'High', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } });
  const id = incident.id;
  const declared = await eventually(() => sentWith(messageIdFor(`${id}:1:Leadership`))[0], { timeoutMs: 45_000 });
  expect(declared.to).toEqual(['leadership@example.com']);
  expect(declared.subject).toBe(`New incident: ${id} Gmail path`);
  expect(declared.headers['content-type']).toMatch(/^multipart\/alternative/);
  expect(declared.body).toContain(`*${id}: Gmail path*`.replace(/\*/g, ''));
  // Welcomes by Gmail too.
  await eventually(() => sentWith(messageIdFor(`${id}:welcome:ic@example.com`)).length === 1 && sentWith(messageIdFor(`${id}:welcome:rita@example.com`)).length === 1);

  // Gmail takes the next mail but its answer is lost: the retry finds it and does not send again.
  sandbox.faults.add({ vendor: 'google', route: 'POST /gmail/v1/users/:userId/messages/send', mode: 'fail', status: 503, times: 1, afterHandler: true });
  sandbox.log.clear();
  await h.client.update(id, { priority: 'Medium' }, 'ic@example.com');
  const seq = (await h.client.get(id)).timeline.filter((e) => e.field === 'priority').at(-1)!.seq;
  // Priority is no longer High, so Leadership's filter no longer matches: only Slack is told.
  await eventually(() => notificationsIn(sandbox, 'incidents', id).length === 2);
  expect(sentWith(messageIdFor(`${id}:${seq}:Leadership`))).toHaveLength(0);

  await h.client.update(id, { priority: 'High', severity: 'Critical' }, 'ic@example.com');
  const state = await h.client.get(id);
  const seqs = state.timeline.filter((e) => e.field === 'priority' || e.field === 'severity').slice(-2).map((e) => e.seq);
  await eventually(() => seqs.every((s) => sentWith(messageIdFor(`${id}:${s}:Leadership`)).length === 1) && sandbox.log.find({ route: 'GET /gmail/v1/users/:userId/messages' }).length >= 3, { timeoutMs: 30_000 });
  const sends = sandbox.log.find({ route: 'POST /gmail/v1/users/:userId/messages/send' });
  expect(sends.filter((e) => e.fault)).toHaveLength(1);
  for (const s of seqs) expect(sentWith(messageIdFor(`${id}:${s}:Leadership`))).toHaveLength(1);
  expect(notificationsIn(sandbox, 'incidents', id)).toHaveLength(4);
}, 120_000);
