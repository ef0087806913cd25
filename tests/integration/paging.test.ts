/**
 * A page is sent exactly once per request even when the worker dies between PagerDuty taking
 * the page and the workflow recording it: the worker (a child process with the example
 * configuration, where High priority pages the commander) is SIGKILLed while PagerDuty's
 * answer is held back; the next worker resends with the same dedup key, which PagerDuty drops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pageDedupKey } from '../../domain/engagement';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { sandboxVendorEnv } from '../../worker/providers';
import { eventually, startHarness, testEnv, type Harness } from '../support/harness';

let h: Harness;
let sandbox: Sandbox;
const children = new Set<ChildProcess>();
beforeAll(async () => {
  h = await startHarness({ worker: false });
  sandbox = await startSandbox({ dataDir: join(testEnv().dir, 'sandbox-tls') });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await sandbox?.stop();
  await h?.close();
});

function startWorkerProcess(): ChildProcess {
  const env = testEnv();
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, '../../worker/main.ts')], {
    cwd: join(__dirname, '../..'),
    env: {
      ...process.env,
      ...sandboxVendorEnv(sandbox),
      TEMPORAL_ADDRESS: env.address,
      MUSTER_TASK_QUEUE: h.temporal.taskQueue,
      MUSTER_DATABASE_URL: h.databaseUrl,
      MUSTER_INCIDENT_PREFIX: h.prefix,
      MUSTER_WORKFLOW_BUNDLE: env.bundlePath,
      MUSTER_CONFIG: join(__dirname, '../../config/muster.example.yaml'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

const holdEvents = (ms: number) =>
  fetch(`${sandbox.url}/_sandbox/pagerduty/event-hold`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms }) });

interface PagerDutyState {
  pages: Array<{ dedupKey: string; serviceId: string; alerts: number }>;
  events: Array<{ dedupKey: string; action: string; result: string }>;
}
const pagerduty = () => sandbox.state().pagerduty as PagerDutyState;

test('SIGKILL after PagerDuty took the page but before the worker heard back: exactly one page', async () => {
  let worker = startWorkerProcess();
  expect((await holdEvents(30_000)).status).toBe(200);
  const { incident } = await h.client.declare({ title: 'Storage array offline', priority: 'High', reporter: { email: 'rita@example.com' } });
  const key = pageDedupKey(incident.id, 'PSVCIC1', 'declare');

  // PagerDuty has the page; its answer is still held back.
  await eventually(() => pagerduty().pages.some((p) => p.dedupKey === key), { timeoutMs: 45_000, intervalMs: 20 });
  worker.kill('SIGKILL');
  await exited(worker);
  await holdEvents(0);

  worker = startWorkerProcess();
  const paged = await eventually(async () => {
    const state = await h.client.get(incident.id);
    return state.timeline.find((e) => e.kind === 'engagement' && e.field === 'page');
  }, { timeoutMs: 60_000 });
  expect(paged.text).toMatch(/^Paged Ida Commander through PSVCIC1/);

  // The activity was sent again (the first worker never reported it) and PagerDuty dropped it.
  const events = pagerduty().events.filter((e) => e.dedupKey === key);
  expect(events.length).toBeGreaterThanOrEqual(2);
  expect(events.slice(1).every((e) => e.result.startsWith('deduplicated'))).toBe(true);
  expect(pagerduty().pages.filter((p) => p.dedupKey === key)).toEqual([expect.objectContaining({ serviceId: 'PSVCIC1', alerts: 1 })]);

  worker.kill('SIGTERM');
  await exited(worker);
}, 120_000);
