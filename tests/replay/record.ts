/**
 * Records workflow histories for the replay test: runs a scripted incident life on a throwaway
 * dev server and writes each workflow's history to tests/replay/histories/<name>.json.
 * Run it when workflow code changes in a way open incidents will meet, and commit the result
 * beside the old files (never replace them: old histories are what old incidents carry).
 *
 *   npx tsx tests/replay/record.ts <name>
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { MusterClient } from '../../client';
import { DEFAULT_SETTINGS } from '../../domain/incident';
import { openStore } from '../../store';
import { ensureTemporalCli, findFreePort, startDevServer } from '../../temporal-dev';
import { incidentWorkflowId, registryWorkflowId } from '../../workflows/definitions';
import { createMusterWorker } from '../../worker/create-worker';
import { loadConfig } from '../../config/env';
import { loadMusterConfig } from '../../config/muster-config';
import { startSandbox } from '../../sandbox/server';
import { providersFromConfig, sandboxVendorEnv } from '../../worker/providers';

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function record(name: string): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cliPath = await ensureTemporalCli();
  const server = await startDevServer({ cliPath, port: await findFreePort(), headless: true });
  const store = await openStore({ url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'muster-record-')), 'store.sqlite')}` });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const temporal = { address: server.address, namespace: 'default', taskQueue: 'record' };
  // Every vendor on the sandbox, so the recorded life includes resource assembly.
  const sandbox = await startSandbox({ dataDir: join(tmpdir(), 'muster-record-tls') });
  // MUSTER_CONFIG=config/muster.example.yaml records engagement too (rules, role policy, a page).
  const vendors = providersFromConfig(loadConfig(sandboxVendorEnv(sandbox)).vendors, loadMusterConfig().config);
  const worker = await createMusterWorker({ connection: nativeConnection, temporal, deps: { store, ...vendors } });
  // A short tactical cadence, so a report reminder fires (and is snoozed) within the recording.
  const settings = { ...DEFAULT_SETTINGS, closedRetentionMs: 2_000, reportReminders: { High: { tactical: 1_500, executive: 60_000 } } };
  const muster = new MusterClient(new Client({ connection }), { taskQueue: 'record', incidentPrefix: 'REC', settings });

  await worker.runUntil(async () => {
    const reporter = { email: 'rita@example.com' };
    // The folder fails first and is retried: the recorded life covers failure and recovery.
    sandbox.faults.add({ vendor: 'google', route: 'POST /drive/v3/files', mode: 'permanent', status: 403 });
    const { incident } = await muster.declare({ title: 'DB latency', priority: 'High', tags: ['db'], reporter }, { idempotencyKey: 'k1' });
    await waitFor(async () => (await muster.get(incident.id)).assembledAt !== undefined);
    sandbox.faults.clear();
    await muster.retryResource(incident.id, 'folder', 'ic@example.com');
    await waitFor(async () => (await muster.get(incident.id)).resources.document?.status === 'ready');
    // Left alone once assembled, the incident hands over: the rest of its life is a taken-over run.
    const handle = muster.temporal.workflow.getHandle(incidentWorkflowId(incident.id));
    const declaringRun = (await handle.describe()).runId;
    await waitFor(async () => (await handle.describe()).runId !== declaringRun);
    await muster.declare({ title: 'DB latency', reporter }, { idempotencyKey: 'k1' });
    await muster.update(incident.id, { severity: 'High', commander: { email: 'ic@example.com' } }, 'rita@example.com');
    await muster.update(incident.id, { status: 'Active' }, 'ic@example.com').catch(() => undefined);
    await muster.engageOncall(incident.id, { service: 'PSVCDB1', page: true, actor: 'ic@example.com' }).catch(() => undefined);
    await muster.addTimelineEvent(incident.id, { text: 'Failed over', actor: 'ic@example.com' });
    // The one-round-trip note: accepted, refused (not commander/scribe), imported once.
    await muster.addTimelineNote(incident.id, { text: 'Replica promoted', actor: 'ic@example.com', requireDirector: true });
    await muster.addTimelineNote(incident.id, { text: 'Not mine to say', actor: 'dana@example.com', requireDirector: true }).catch(() => undefined);
    const imported = { text: 'dana: lag back under 1 s', actor: 'ic@example.com', at: '2026-12-03T10:00:00.000Z', once: true };
    await muster.addTimelineNote(incident.id, imported);
    await muster.addTimelineNote(incident.id, imported);
    const dana = { email: 'dana@example.com' };
    await muster.addParticipant(incident.id, { person: dana, role: 'Observer', actor: dana.email });
    for (let i = 0; i < 3; i++) await muster.recordChannelActivity(incident.id, { person: dana });
    await waitFor(async () => (await muster.get(incident.id)).timeline.some((e) => e.kind === 'reminder'));
    await muster.snoozeReminder(incident.id, { kind: 'tactical', minutes: 30, actor: 'ic@example.com' });
    await muster.postReport(incident.id, { kind: 'tactical', conditions: 'Latency 2 s', actions: 'Failing over', needs: 'None', actor: 'ic@example.com' });
    await muster.postReport(incident.id, { kind: 'executive', currentStatus: 'Mitigated', overview: 'Replica lag', nextSteps: 'Review', actor: 'ic@example.com' });
    const task = await muster.addTask(incident.id, { description: 'Alert on replica lag', actor: 'ic@example.com', assignees: [dana.email], requireDirector: true });
    await muster.resolveTask(incident.id, task.id, dana.email);
    await muster.removeParticipant(incident.id, { person: dana, actor: dana.email });
    await muster.update(incident.id, { status: 'Stable' }, 'ic@example.com');
    await muster.update(incident.id, { status: 'Closed' }, 'ic@example.com');
    await muster.submitFeedback(incident.id, { person: reporter, rating: 4, text: 'Quick failover' });
    await muster.update(incident.id, { status: 'Active' }, 'ic@example.com');
    await muster.update(incident.id, { status: 'Closed' }, 'ic@example.com');
    await muster.temporal.workflow.getHandle(incidentWorkflowId(incident.id)).result();

    const dir = join(__dirname, 'histories');
    // The incident hands over to new runs: keep its first run (the declaration) and the one that
    // took over from it too.
    const runs: string[] = [];
    for await (const run of muster.temporal.workflow.list({ query: `WorkflowId = "${incidentWorkflowId(incident.id)}"` })) runs.unshift(run.runId);
    const first = runs.slice(0, Math.min(2, runs.length - 1)).map((runId, i) => [`${name}-incident-run-${i + 1}.json`, incidentWorkflowId(incident.id), runId] as const);
    console.log(`the incident ran ${runs.length} times`);
    for (const [file, workflowId, runId] of [
      [`${name}-incident.json`, incidentWorkflowId(incident.id), undefined],
      ...first,
      [`${name}-registry.json`, registryWorkflowId('REC'), undefined],
    ] as const) {
      // The CLI's export is the format operators get from production, so use the same here.
      const run = runId ? ['-r', runId] : [];
      const json = execFileSync(cliPath, ['workflow', 'show', '--address', server.address, '-w', workflowId, ...run, '--output', 'json'], { encoding: 'utf8' });
      writeFileSync(join(dir, file), json);
      console.log(`wrote ${file} (${JSON.parse(json).events.length} events)`);
    }
  });
  await sandbox.stop();
  await connection.close();
  await nativeConnection.close();
  await store.close();
  await server.stop();
}

const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  console.error('usage: npx tsx tests/replay/record.ts <name, e.g. 2026-12-foundation>');
  process.exit(2);
}
record(name).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
