/**
 * Long incidents hand over to a fresh run when Temporal suggests it. A dedicated dev server
 * suggests it early (after 300 history events) so thousands of changes cross many hand-overs;
 * nothing may be lost on the way.
 */
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_DYNAMIC_CONFIG, ensureTemporalCli, findFreePort, startDevServer, type DevServer } from '../../temporal-dev';
import { incidentWorkflowId } from '../../workflows/definitions';
import { eventually, recorded, startHarness, type Harness } from '../support/harness';

let server: DevServer;
let h: Harness;
beforeAll(async () => {
  server = await startDevServer({
    cliPath: await ensureTemporalCli(),
    port: await findFreePort(),
    headless: true,
    dynamicConfig: { ...DEFAULT_DYNAMIC_CONFIG, 'limit.historyCount.suggestContinueAsNew': 300 },
  });
  h = await startHarness({ address: server.address });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await server?.stop();
});

test('thousands of changes across many hand-overs lose nothing', async () => {
  const { incident } = await h.client.declare({ title: 'Long haul', priority: 'Low', reporter: { email: 'rita@example.com' } });
  // A steady stream, as from a chatty integration: the workflow is never idle while it lasts.
  const notes = 2_000;
  for (let i = 1; i <= notes; i++) {
    if (i % 100 === 0) await h.client.update(incident.id, { severity: i % 200 === 0 ? 'High' : 'Low' }, 'ic@example.com');
    else await h.client.addTimelineEvent(incident.id, { text: `note ${i}`, actor: 'ic@example.com' });
  }
  const final = await eventually(async () => {
    const state = await h.client.get(incident.id);
    return state.timeline.length === notes + 1 ? state : undefined;
  }, { timeoutMs: 120_000 });

  expect(final.timeline.map((e) => e.seq)).toEqual(Array.from({ length: notes + 1 }, (_, i) => i + 1));
  expect(final.timeline.filter((e) => e.kind === 'note').map((e) => e.text)).toEqual(
    Array.from({ length: notes }, (_, i) => i + 1).filter((i) => i % 100 !== 0).map((i) => `note ${i}`),
  );
  expect(final.severity).toBe('High');

  // It really handed over, more than once, and the store has every event.
  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    const runs = await eventually(async () => {
      const statuses: string[] = [];
      for await (const run of client.workflow.list({ query: `WorkflowId = "${incidentWorkflowId(incident.id)}"` })) statuses.push(run.status.name);
      return statuses.filter((status) => status === 'CONTINUED_AS_NEW').length >= 5 ? statuses : undefined;
    });
    expect(runs[0]).toBe('RUNNING');
    expect(runs.length).toBeGreaterThanOrEqual(6);
  } finally {
    await connection.close();
  }
  const record = await recorded(h, final);
  expect(record.timeline).toEqual(final.timeline);
  expect(await h.client.update(incident.id, { status: 'Stable' }, 'ic@example.com')).toMatchObject({ status: 'Stable' });
}, 300_000);
