/**
 * Reminders and overdue tasks on the time-skipping test server: hours and days of incident time
 * pass in seconds, and each reminder's time is read from the recorded timeline (kind 'reminder'),
 * in hours after the incident was declared. The configured cadences are Dispatch's defaults
 * (High: tactical 2 h, executive 6 h; Medium: 6 h / 12 h; Low: 12 h / never).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleMusterWorkflows } from '../../worker/workflow-bundle';
import { createActivities, DEFAULT_MUSTER_CONFIG } from '../../activities';
import { MusterClient } from '../../client';
import { DEFAULT_SETTINGS, type DeclareIncidentInput, type IncidentSettings } from '../../domain/incident';
import { reminderSettingsFrom } from '../../domain/reminders';
import { openStore, type IncidentStore } from '../../store';
import { addTaskUpdate, incidentWorkflowId, postReportUpdate, resolveTaskUpdate, snoozeReminderUpdate } from '../../workflows/definitions';
import { recorded } from '../support/harness';
import { timeSkippingEnv } from '../support/time-skipping';

const HOUR_MS = 60 * 60 * 1000;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let dir: string;
let store: IncidentStore;
let worker: Worker;
let running: Promise<void>;
let client: MusterClient;

/** Writes carrying a reminder that the store refuses, for the next test that sets it. */
let refuseReminderWrites = 0;
/** The store, refusing writes of reminder events while `refuseReminderWrites` counts down. */
function refusing(inner: IncidentStore): IncidentStore {
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'recordIncident') {
        return async (...args: Parameters<IncidentStore['recordIncident']>) => {
          if (refuseReminderWrites > 0 && args[1].some((event) => event.kind === 'reminder')) {
            refuseReminderWrites--;
            throw new Error('store unavailable');
          }
          return target.recordIncident(...args);
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const settings: IncidentSettings = { ...DEFAULT_SETTINGS, ...reminderSettingsFrom(DEFAULT_MUSTER_CONFIG), excludeFromReminders: ['Other'] };

beforeAll(async () => {
  [env, bundle] = await Promise.all([
    timeSkippingEnv(),
    bundleMusterWorkflows(),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'muster-reminders-test-'));
  store = await openStore({ url: `sqlite:${join(dir, 'store.sqlite')}` });
  const taskQueue = `muster-rem-${process.pid}-${Date.now()}`;
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue, activities: createActivities({ store: refusing(store) }), workflowBundle: bundle });
  running = worker.run();
  client = new MusterClient(env.client, { taskQueue, incidentPrefix: 'REM', settings });
}, 180_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await store?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const handle = (id: string) => env.client.workflow.getHandle(incidentWorkflowId(id));

async function declare(input: Partial<DeclareIncidentInput> = {}) {
  const { incident } = await client.declare({ title: 'Checkout errors', priority: 'High', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' }, ...input });
  return { id: incident.id, declaredAt: Date.parse(incident.declaredAt) };
}

/** Hours after declaration (to the minute) of each reminder whose field matches, from the store. */
async function reminderHours(incident: { id: string; declaredAt: number }, field: string): Promise<number[]> {
  await recorded({ store }, await client.get(incident.id));
  const events = await store.listTimeline(incident.id, { limit: 1000 });
  return events
    .filter((event) => event.kind === 'reminder' && event.field === field && event.actor === 'muster')
    .map((event) => Math.round(((Date.parse(event.at) - incident.declaredAt) / HOUR_MS) * 60) / 60);
}

/** Ends the incident's reminders so later tests' hours of skipped time do not drive it. */
const close = (id: string) => client.update(id, { status: 'Closed' }, 'ic@example.com');

test('a High incident with no report for 7 hours gets tactical reminders at 2, 4 and 6 hours, the executive one at 6', async () => {
  const incident = await declare();
  await env.sleep('7 hours');
  expect(await reminderHours(incident, 'tactical')).toEqual([2, 4, 6]);
  expect(await reminderHours(incident, 'executive')).toEqual([6]);
  const last = (await store.listTimeline(incident.id, { limit: 1000 })).filter((e) => e.kind === 'reminder').at(-1)!;
  expect(last.to).toBe('ic@example.com');
  await close(incident.id);
});

test('a reminder whose write the store refuses is written by the incident afterwards', async () => {
  const incident = await declare();
  // Every attempt of the reminder's activity (5) fails to write it; the incident then writes it.
  refuseReminderWrites = 5;
  await env.sleep('3 hours');
  expect(refuseReminderWrites).toBe(0);
  expect(await reminderHours(incident, 'tactical')).toEqual([2]);
  const state = await client.get(incident.id);
  expect((await store.getIncident(incident.id))?.timeline).toEqual(state.timeline);
  await close(incident.id);
}, 60_000);

test('types excluded from reminders get none', async () => {
  const incident = await declare({ type: 'Other' });
  await env.sleep('7 hours');
  expect(await reminderHours(incident, 'tactical')).toEqual([]);
  expect(await reminderHours(incident, 'executive')).toEqual([]);
  await close(incident.id);
});

test('posting a report restarts its clock', async () => {
  const incident = await declare();
  await env.sleep('90 minutes');
  await handle(incident.id).executeUpdate(postReportUpdate, {
    args: [{ kind: 'tactical', conditions: 'Errors at 5%', actions: 'Rolled back', needs: 'Nothing', actor: 'ic@example.com' }],
  });
  // A minute past the second reminder: a sleep that ends just as a timer fires races its workflow task.
  await env.sleep(4 * HOUR_MS + 60_000);
  // 1.5 h + 2 h, then 2 h after that reminder; never at 2 h.
  expect(await reminderHours(incident, 'tactical')).toEqual([3.5, 5.5]);
  const state = await client.get(incident.id);
  expect(state.reports?.tactical).toMatchObject({ conditions: 'Errors at 5%', author: 'ic@example.com' });
  await close(incident.id);
});

test('a snooze moves the next reminder; snoozing by other than 30, 60 or 120 minutes is refused', async () => {
  const incident = await declare();
  await env.sleep('110 minutes');
  await expect(handle(incident.id).executeUpdate(snoozeReminderUpdate, { args: [{ kind: 'tactical', minutes: 45, actor: 'ic@example.com' }] })).rejects.toMatchObject({
    cause: { type: 'invalid_field', message: expect.stringMatching(/minutes must be one of 30, 60, 120/) },
  });
  await handle(incident.id).executeUpdate(snoozeReminderUpdate, { args: [{ kind: 'tactical', minutes: 60, actor: 'ic@example.com' }] });
  await env.sleep('2 hours');
  // Snoozed at 1 h 50 for an hour: 2 h 50, not 2 h.
  expect(await reminderHours(incident, 'tactical')).toEqual([2 + 50 / 60]);
  await close(incident.id);
});

test('a priority change reschedules at once', async () => {
  const incident = await declare({ priority: 'Medium' });
  await env.sleep('1 hour');
  await client.update(incident.id, { priority: 'High' }, 'ic@example.com');
  await env.sleep('2 hours');
  // Medium would have waited until 6 h; High reminds 2 h after the clock started.
  expect(await reminderHours(incident, 'tactical')).toEqual([2]);
  await close(incident.id);
});

test('Stable stops report reminders and reopening resumes them', async () => {
  const incident = await declare();
  await env.sleep('1 hour');
  await client.update(incident.id, { status: 'Stable' }, 'ic@example.com');
  await env.sleep('5 hours');
  expect(await reminderHours(incident, 'tactical')).toEqual([]);
  await client.update(incident.id, { status: 'Active' }, 'ic@example.com');
  await env.sleep('150 minutes');
  expect(await reminderHours(incident, 'tactical')).toEqual([8]);
  await close(incident.id);
});

test('an overdue task reminds its owner and assignees once a day until it is resolved', async () => {
  const incident = await declare({ priority: 'Low' });
  const task = await handle(incident.id).executeUpdate(addTaskUpdate, {
    args: [{ description: 'Add an alert on checkout errors', assignees: ['sam@example.com'], actor: 'ic@example.com' }],
  });
  expect(task).toMatchObject({ id: 'T1', owner: 'ic@example.com', status: 'Open' });
  expect(Math.round((Date.parse(task.resolveBy) - incident.declaredAt) / 60_000)).toBe(24 * 60);
  await env.sleep('73 hours');
  expect(await reminderHours(incident, 'task:T1')).toEqual([24, 48, 72]);
  const events = await store.listTimeline(incident.id, { limit: 1000 });
  expect(events.find((e) => e.field === 'task:T1')!.to).toBe('ic@example.com,sam@example.com');
  await handle(incident.id).executeUpdate(resolveTaskUpdate, { args: [{ taskId: 'T1', actor: 'sam@example.com' }] });
  await env.sleep('3 days');
  expect(await reminderHours(incident, 'task:T1')).toEqual([24, 48, 72]);
  const kinds = (await store.listTimeline(incident.id, { limit: 1000 })).filter((e) => e.kind === 'task').map((e) => e.to);
  expect(kinds).toEqual(['Open', 'Resolved']);
  await close(incident.id);
});

test('the commander of an incident Stable for 7 days is reminded to close it', async () => {
  const incident = await declare();
  await client.update(incident.id, { status: 'Stable' }, 'ic@example.com');
  await env.sleep('6 days');
  expect(await reminderHours(incident, 'close')).toEqual([]);
  await env.sleep('25 hours');
  expect(await reminderHours(incident, 'close')).toEqual([7 * 24]);
  await close(incident.id);
});
