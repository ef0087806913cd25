/**
 * Retention with the real default (7 days) on the time-skipping test server: a closed incident's
 * workflow waits out a week of incident time, completes, and a reopen resumes it from the store,
 * all in a few seconds of wall time.
 *
 * The Java test server supports what this path needs (update-with-start, updates, queries on a
 * completed workflow, describe, search attributes once registered, signal-with-start) but not
 * visibility: ListWorkflowExecutions is UNIMPLEMENTED, so `MusterClient.list()` is tested on the
 * dev server only (tests/integration).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleMusterWorkflows } from '../../worker/workflow-bundle';
import { createActivities } from '../../activities';
import { MusterClient } from '../../client';
import { DEFAULT_SETTINGS } from '../../domain/incident';
import { openStore, type IncidentStore } from '../../store';
import { incidentWorkflowId } from '../../workflows/definitions';
import { eventually, recorded } from '../support/harness';
import { timeSkippingEnv } from '../support/time-skipping';

const DAY_MS = 24 * 60 * 60 * 1000;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let dir: string;
let store: IncidentStore;
let worker: Worker;
let running: Promise<void>;
let client: MusterClient;

beforeAll(async () => {
  // Bundle once per file (the first run also fetches the test server: allow for both).
  [env, bundle] = await Promise.all([
    timeSkippingEnv(),
    bundleMusterWorkflows(),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'muster-workflow-test-'));
  store = await openStore({ url: `sqlite:${join(dir, 'store.sqlite')}` });
  const taskQueue = `muster-ts-${process.pid}-${Date.now()}`;
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities: createActivities({ store }),
    workflowBundle: bundle,
  });
  running = worker.run();
  client = new MusterClient(env.client, { taskQueue, incidentPrefix: 'TS', settings: { ...DEFAULT_SETTINGS } });
}, 180_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await store?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const executionStatus = async (id: string) => (await env.client.workflow.getHandle(incidentWorkflowId(id)).describe()).status.name;

test('a closed incident stays a week, completes, and a reopen resumes it from the store', async () => {
  expect(DEFAULT_SETTINGS.closedRetentionMs).toBe(7 * DAY_MS);
  const wallStart = Date.now();

  const { incident } = await client.declare({ title: 'Disk full', reporter: { email: 'rita@example.com' } });
  expect(incident.id).toBe('TS-1');
  const closed = await client.update(incident.id, { status: 'Closed' }, 'ic@example.com');
  expect(closed.status).toBe('Closed');
  await recorded({ store }, closed);
  const closedAt = Date.parse(closed.closedAt!);

  await env.sleep('6 days');
  expect(await executionStatus(incident.id)).toBe('RUNNING');
  expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(closedAt + 6 * DAY_MS);

  await env.sleep('2 days');
  await eventually(async () => (await executionStatus(incident.id)) === 'COMPLETED');
  expect((await store.getIncident(incident.id))?.version).toBe(closed.version);

  const reopened = await client.update(incident.id, { status: 'Active' }, 'x');
  expect(reopened).toMatchObject({ id: incident.id, number: incident.number, status: 'Active' });
  const kinds = reopened.timeline.map((event) => event.kind);
  expect(kinds).toContain('resumed');
  // The reopen restores the roles closing renounced.
  expect(kinds.slice(-3)).toEqual(['resumed', 'status', 'role']);
  // The workflow's clock moved with the server's: it resumed more than a week after closing.
  const resumedAt = Date.parse(reopened.timeline.find((event) => event.kind === 'resumed')!.at);
  expect(resumedAt - closedAt).toBeGreaterThanOrEqual(7 * DAY_MS);
  expect(await executionStatus(incident.id)).toBe('RUNNING');
  expect((await recorded({ store }, reopened)).timeline).toEqual(reopened.timeline);

  // Eight days of incident time took seconds.
  expect(Date.now() - wallStart).toBeLessThan(30_000);
});
