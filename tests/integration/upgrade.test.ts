/**
 * The upgrade an open incident really goes through: declared and changed on the workflow code
 * released at RELEASED, then picked up by a worker on today's code, which must carry it through
 * every transition without a nondeterminism error (those would stall the updates below).
 * When a change breaks this, guard it with patched(); never move RELEASED forward to hide it.
 */
import type { IncidentState } from '../../domain/incident';
import { eventually, recorded, startHarness, type Harness } from '../support/harness';
import { bundleReleasedWorkflows } from '../support/released-workflows';

/** The workflow code before engagement, notifications, reminders, tasks, reports and the Slack app. */
const RELEASED = '1dd894ef28e0965bda4536fc18c1dca315173597';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sandbox: true, worker: false });
  await h.startWorker({ workflowBundlePath: await bundleReleasedWorkflows(RELEASED) });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const assembled = (incident: IncidentState) => incident.assembledAt !== undefined && incident.resources.channel?.status === 'ready';

test('an incident declared on the released code is finished by today\'s', async () => {
  const { incident } = await h.client.declare({
    title: 'Search index lagging',
    priority: 'High',
    severity: 'Medium',
    reporter: { email: 'rita@example.com' },
    commander: { email: 'ic@example.com' },
  });
  await eventually(async () => assembled(await h.client.get(incident.id)), { timeoutMs: 45_000 });
  await h.client.update(incident.id, { severity: 'High' }, 'ic@example.com');
  await h.client.addTimelineEvent(incident.id, { text: 'Reindex started', actor: 'ic@example.com' });
  await eventually(async () => (await h.client.get(incident.id)).timeline.some((e) => e.text === 'Reindex started'));

  await h.stopWorker();
  await h.startWorker();

  await h.client.changeRole(incident.id, { action: 'assign', role: 'Scribe', person: { email: 'sam@example.com' } }, 'ic@example.com');
  expect(await h.client.update(incident.id, { status: 'Stable' }, 'ic@example.com')).toMatchObject({ status: 'Stable' });
  expect(await h.client.update(incident.id, { status: 'Closed' }, 'ic@example.com')).toMatchObject({ status: 'Closed' });
  const reopened = await h.client.update(incident.id, { status: 'Active', title: 'Search index lagging again' }, 'ic@example.com');

  expect(reopened).toMatchObject({ status: 'Active', severity: 'High', title: 'Search index lagging again' });
  expect(reopened.participants.find((p) => p.email === 'sam@example.com')?.roles).toContain('Scribe');
  expect(reopened.timeline.map((e) => e.seq)).toEqual(reopened.timeline.map((_, i) => i + 1));
  expect(reopened.timeline.filter((e) => e.kind === 'status').map((e) => e.to)).toEqual(['Stable', 'Closed', 'Active']);
  const record = await recorded(h, reopened);
  expect(record.timeline.map((e) => e.seq)).toEqual(reopened.timeline.map((e) => e.seq));

  // Today's code still keeps the resources in step: the channel follows the new title.
  const channelId = reopened.resources.channel!.externalId!;
  await eventually(() => {
    const channel = (h.sandbox!.state().slack as { channels: Array<{ id: string; is_archived: boolean; topic: { value: string } }> }).channels.find((c) => c.id === channelId);
    return channel && !channel.is_archived && channel.topic.value.includes('Active') ? channel : undefined;
  }, { timeoutMs: 30_000 });
}, 180_000);
