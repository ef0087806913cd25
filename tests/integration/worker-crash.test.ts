/**
 * The worker is a separate process killed with SIGKILL mid-life: nothing is lost, an update
 * sent while no worker runs completes once one is back, and SIGTERM shuts down cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/server';
import { sandboxVendorEnv } from '../../worker/providers';
import { eventually, recorded, startHarness, testEnv, type Harness } from '../support/harness';

let h: Harness;
const children = new Set<ChildProcess>();
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await h?.close();
});

function startWorkerProcess(extraEnv: Record<string, string> = {}): ChildProcess {
  const env = testEnv();
  // One process (no tsx CLI wrapper), so signals reach the worker itself.
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, '../../worker/main.ts')], {
    cwd: join(__dirname, '../..'),
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      MUSTER_TASK_QUEUE: h.temporal.taskQueue,
      MUSTER_DATABASE_URL: h.databaseUrl,
      MUSTER_INCIDENT_PREFIX: h.prefix,
      MUSTER_WORKFLOW_BUNDLE: env.bundlePath,
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

test('SIGKILL mid-life loses nothing; updates sent while down complete after restart', async () => {
  let worker = startWorkerProcess();
  const { incident } = await h.client.declare({ title: 'Queue backlog', priority: 'High', reporter: { email: 'rita@example.com' } });
  await h.client.update(incident.id, { severity: 'High' }, 'ic@example.com');

  worker.kill('SIGKILL');
  expect((await exited(worker)).signal).toBe('SIGKILL');

  // Sent while no worker runs: Temporal holds it until one is back.
  const pending = h.client.update(incident.id, { status: 'Stable' }, 'ic@example.com');
  await h.client.addTimelineEvent(incident.id, { text: 'Consumers scaled up', actor: 'ic@example.com' });

  worker = startWorkerProcess();
  const stable = await pending;
  expect(stable).toMatchObject({ status: 'Stable', severity: 'High' });

  const final = await eventually(async () => {
    const state = await h.client.get(incident.id);
    return state.timeline.some((e) => e.kind === 'note') ? state : undefined;
  });
  // The note reached history while the update waited for a worker, so either may come first.
  expect(final.timeline.map((e) => e.kind).sort()).toEqual(['changed', 'declared', 'note', 'status']);
  const record = await recorded(h, final);
  expect(record.timeline).toEqual(final.timeline);

  // And a crash right after declaring: the next worker picks the incident up where it was.
  const second = await h.client.declare({ title: 'Cache stampede', reporter: { email: 'rita@example.com' } });
  worker.kill('SIGKILL');
  await exited(worker);
  worker = startWorkerProcess();
  expect(await h.client.update(second.incident.id, { priority: 'High' }, 'ic@example.com')).toMatchObject({ priority: 'High', version: 2 });

  worker.kill('SIGTERM');
  expect(await exited(worker)).toEqual({ code: 0, signal: null });
}, 120_000);

test('SIGKILL in the middle of assembly: after a restart every resource exists exactly once', async () => {
  const sandbox = await startSandbox({ dataDir: join(testEnv().dir, 'sandbox-tls') });
  try {
    // Slow vendors, so the kill lands while calls are in flight.
    sandbox.faults.globalLatencyMs = 150;
    const vendorEnv = sandboxVendorEnv(sandbox);
    let worker = startWorkerProcess(vendorEnv);
    const { incident } = await h.client.declare({ title: 'Kill me mid-assembly', reporter: { email: 'rita@example.com' } });
    await eventually(() => sandbox.log.entries.length >= 6, { intervalMs: 20 });
    worker.kill('SIGKILL');
    await exited(worker);
    const before = sandbox.log.entries.length;

    worker = startWorkerProcess(vendorEnv);
    const done = await eventually(async () => {
      const state = await h.client.get(incident.id);
      return Object.values(state.resources).length === 7 && Object.values(state.resources).every((r) => r.status === 'ready') ? state : undefined;
    }, { timeoutMs: 60_000 });
    expect(sandbox.log.entries.length).toBeGreaterThan(before);

    const state = sandbox.state() as {
      slack: { channels: Array<{ name: string }> };
      jira: { issues: Array<{ labels: string[] }> };
      google: { files: Array<{ name: string; mimeType: string }>; events: Record<string, unknown[]> };
    };
    expect(state.slack.channels.filter((c) => c.name === incident.id.toLowerCase())).toHaveLength(1);
    expect(state.jira.issues.filter((i) => i.labels.includes(`muster-${incident.id}`))).toHaveLength(1);
    expect(state.google.files.filter((f) => f.name.startsWith(`${incident.id}:`)).map((f) => f.mimeType).sort()).toEqual([
      'application/vnd.google-apps.document',
      'application/vnd.google-apps.folder',
    ]);
    expect(Object.values(state.google.events).flat()).toHaveLength(1);
    expect(done.resources.channel!.url).toBeDefined();
    worker.kill('SIGTERM');
    await exited(worker);
  } finally {
    await sandbox.stop();
  }
}, 120_000);
