/**
 * Reminder timeliness at scale: N open High incidents on one worker process (`npm run worker`,
 * with only the Slack provider, so assembly is cheap) against a persisted dev server, the
 * tactical report cadence set to `--cadence`. Incidents are started evenly over one cadence (or
 * over `--ramp`, which is best a whole number of cadences), so their due times are spread evenly
 * over every cadence, and every reminder goes through the real
 * activity to the sandbox Slack. Lateness is the time the sandbox received the reminder's
 * chat.postMessage minus its due time (carried in the message's dedupe key). The lateness_*
 * figures are the steady state: reminders due during one cadence after every incident is open
 * (a reminder due and never sent counts as late until the end); reminders due while incidents
 * were still being started (and assembled) are reported apart as starting_lateness_*.
 *
 *   npm run bench -- reminders [--incidents 1000] [--cadence 5m] [--ramp 5m] [--cache 1000] [--concurrency 32]
 *     [--threads N] [--server-config 'key=json;key=json'] [--debug 1]
 *
 * --threads sets the worker's MUSTER_WORKFLOW_THREADS; --server-config adds dynamic config
 * values to the dev server's (e.g. 'matching.numTaskqueueReadPartitions=1'); --debug prints a few reminders and, for up
 * to three incidents not reminded in the measured cadence, every event of every run.
 *
 * An incident not reminded in the measured cadence is due when its own workflow says (asked at
 * the end): one whose declaration waited in a backlog is due that much later than it was started.
 *
 * BENCH_WORKER_NODE_FLAGS passes Node flags to the worker (a CPU profile: "--cpu-prof --cpu-prof-dir=DIR").
 *
 * A ramp longer than the cadence starts incidents more slowly, which measures the steady state
 * at N open incidents apart from how fast the machine assembles new ones.
 *
 * Incident workflows are started directly with their declaration (ids BEN-1..N), as
 * MusterClient.declare starts them, without the id registry, whose throughput is not measured here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_SETTINGS, type IncidentSettings } from '../domain/incident';
import { parseDuration } from '../domain/duration';
import { nextReminderAt } from '../domain/reminders';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { DEFAULT_DYNAMIC_CONFIG, ensureTemporalCli, findFreePort, startDevServer } from '../temporal-dev';
import { getIncidentQuery, INCIDENT_WORKFLOW_TYPE, incidentMemo, incidentSearchAttributes, incidentWorkflowId, type IncidentWorkflow } from '../workflows/definitions';
import { sandboxVendorEnv } from '../worker/providers';
import type { Emit } from './run';

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TICKS_PER_SECOND = 100;

/** Peak RSS (VmHWM) in MB and CPU seconds (user + system) of a process, from /proc. */
function processStats(pid: number): { peakRssMb: number; rssMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of /proc/pid/stat (11 and 12 after the command name).
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024, cpuSeconds };
}

interface SentReminder {
  incidentId: string;
  dueAt: number;
  sentAt: number;
}

/** Reminder posts in the sandbox's request log (drained as it is read: the log is bounded). */
function drainReminders(sandbox: Sandbox, into: SentReminder[]): void {
  const batch = sandbox.log.entries;
  sandbox.log.clear();
  for (const entry of batch) {
    if (entry.route !== 'chat.postMessage') continue;
    const body = entry.body as Record<string, unknown>;
    const raw = body.metadata;
    const metadata = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { event_payload?: { dedupe_key?: string } } | undefined;
    const key = metadata?.event_payload?.dedupe_key;
    const match = key ? /^reminder:([^:]+):tactical:(.+)$/.exec(key) : null;
    if (!match) continue;
    into.push({ incidentId: match[1]!, dueAt: Date.parse(match[2]!), sentAt: Date.parse(entry.startedAt) });
  }
}

function startWorkerProcess(env: Record<string, string>): ChildProcess {
  const flags = process.env.BENCH_WORKER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...flags, '--require', 'tsx/cjs', 'worker/main.ts'], {
    cwd: join(__dirname, '..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

/** `--server-config 'key=json;key=json'`: dynamic config for the dev server, over its defaults. */
function serverConfig(flag: string | undefined): Record<string, unknown> {
  if (!flag) return {};
  return Object.fromEntries(
    flag.split(';').map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--server-config: ${pair} is not key=value`);
      return [pair.slice(0, at).trim(), JSON.parse(pair.slice(at + 1))];
    }),
  );
}

/** The next reminder each incident's workflow has scheduled (absent when it did not answer). */
async function scheduledDueTimes(client: Client, settings: IncidentSettings, incidentIds: string[]): Promise<Map<string, number>> {
  const due = new Map<string, number>();
  let next = 0;
  const ask = async () => {
    while (next < incidentIds.length) {
      const id = incidentIds[next++]!;
      try {
        const state = await client.workflow.getHandle(incidentWorkflowId(id)).query(getIncidentQuery);
        const at = nextReminderAt(state, settings);
        if (at !== undefined) due.set(id, at);
      } catch {
        // Left to the estimate from the start time.
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, ask));
  return due;
}

/** Every run of an incident, event by event, in seconds since the ramp began (for --debug). */
async function printRuns(client: Client, incidentId: string, t0: number): Promise<void> {
  const runs: string[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${incidentWorkflowId(incidentId)}'` })) runs.push(execution.runId);
  console.error(`${incidentId}: ${runs.length} runs`);
  for (const runId of runs.reverse()) {
    const history = await client.workflow.getHandle(incidentWorkflowId(incidentId), runId).fetchHistory();
    const line = (history.events ?? []).map((e) => {
      const at = e.eventTime?.seconds ? (Number(e.eventTime.seconds) * 1000 + Math.round((e.eventTime.nanos ?? 0) / 1e6) - t0) / 1000 : NaN;
      return `${at.toFixed(1)} ${Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k] != null)?.replace('EventAttributes', '')}`;
    });
    console.error(`  run ${runId}:\n    ${line.join('\n    ')}`);
  }
}

export async function remindersBench(flags: Record<string, string>, emit: Emit): Promise<void> {
  const incidents = Number(flags.incidents ?? 1000);
  const cadence = parseDuration(flags.cadence ?? '5m');
  const ramp = flags.ramp ? parseDuration(flags.ramp) : cadence;
  const cache = Number(flags.cache ?? 1000);
  const concurrency = Number(flags.concurrency ?? 32);
  if (!(incidents > 0) || !(cadence > 0) || !(ramp > 0)) throw new Error('--incidents, --cadence and --ramp must be positive');

  const dir = mkdtempSync(join(tmpdir(), 'muster-bench-reminders-'));
  const server = await startDevServer({
    cliPath: await ensureTemporalCli(),
    port: await findFreePort(),
    headless: true,
    // --persist false: in memory, to tell the server's own storage cost apart.
    ...(flags.persist === 'false' ? {} : { dbFile: join(dir, 'temporal.sqlite') }),
    dynamicConfig: { ...DEFAULT_DYNAMIC_CONFIG, ...serverConfig(flags['server-config']) },
  });
  const sandbox = await startSandbox({ dataDir: join(dir, 'tls') });
  const vendorEnv = sandboxVendorEnv(sandbox);
  const taskQueue = 'bench-reminders';
  const worker = startWorkerProcess({
    TEMPORAL_ADDRESS: server.address,
    MUSTER_TASK_QUEUE: taskQueue,
    MUSTER_DATABASE_URL: `sqlite:${join(dir, 'store.sqlite')}`,
    MUSTER_DATA_DIR: dir,
    MUSTER_MAX_CACHED_WORKFLOWS: String(cache),
    ...(flags.threads ? { MUSTER_WORKFLOW_THREADS: flags.threads } : {}),
    // Only Slack: each incident gets a channel and nothing else.
    SLACK_BOT_TOKEN: vendorEnv.SLACK_BOT_TOKEN!,
    SLACK_API_URL: vendorEnv.SLACK_API_URL!,
    LOG_LEVEL: 'warn',
  });
  const workerExited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const settings: IncidentSettings = { ...DEFAULT_SETTINGS, reportReminders: { High: { tactical: cadence, executive: null } } };

  const start = (n: number) => {
    const incidentId = `BEN-${n}`;
    const declaration = {
      title: `Bench incident ${n}`,
      description: '',
      type: settings.defaultType,
      severity: 'High' as const,
      priority: 'High' as const,
      visibility: 'Open' as const,
      tags: [],
      reporter: { email: 'rita@example.com' },
      commander: { email: 'ic@example.com' },
    };
    const visible = { ...declaration, status: 'Active' as const };
    return client.workflow.start<IncidentWorkflow>(INCIDENT_WORKFLOW_TYPE, {
      workflowId: incidentWorkflowId(incidentId),
      taskQueue,
      args: [{ incidentId, number: n, settings, declaration }],
      typedSearchAttributes: incidentSearchAttributes(visible),
      memo: incidentMemo(visible),
    });
  };

  const sent: SentReminder[] = [];
  const startedAt = new Map<string, number>();
  let peakRssMb = 0;
  const sampler = setInterval(() => {
    try {
      peakRssMb = Math.max(peakRssMb, processStats(worker.pid!).peakRssMb);
    } catch {
      // the worker has exited; reported below
    }
    drainReminders(sandbox, sent);
  }, 1_000);

  try {
    // Warm-up: the worker bundles its workflows and connects; one incident gets its channel.
    await start(0);
    const warm = Date.now();
    while (!(sandbox.state().slack as { channels: Array<{ name: string }> }).channels.some((c) => c.name === 'ben-0')) {
      if (Date.now() - warm > 120_000) throw new Error('the worker did not assemble a warm-up incident within 2 minutes');
      if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode})`);
      await sleep(200);
    }
    const cpuBefore = processStats(worker.pid!).cpuSeconds;
    const benchCpuBefore = process.cpuUsage();

    // Start N incidents evenly over the ramp: their reminders are due evenly over every cadence.
    const t0 = Date.now();
    let startRetries = 0;
    const interval = ramp / incidents;
    let next = 1;
    const starter = async () => {
      while (next <= incidents) {
        const n = next++;
        const wait = t0 + (n - 1) * interval - Date.now();
        if (wait > 0) await sleep(wait);
        // The SQLite-backed dev server now and then answers NamespaceNotFound under load: retry.
        for (let attempt = 1; ; attempt++) {
          try {
            await start(n);
            break;
          } catch (err) {
            if (attempt >= 10 || (err as Error).name !== 'NamespaceNotFoundError') throw err;
            startRetries++;
            await sleep(200 * attempt);
          }
        }
        startedAt.set(`BEN-${n}`, Date.now());
      }
    };
    await Promise.all(Array.from({ length: concurrency }, starter));
    const startSpan = Date.now() - t0;
    emit('start_retries', startRetries, 'count');
    emit('incidents_started_per_sec', Number((incidents / (startSpan / 1000)).toFixed(1)), 'incidents/s');

    // Steady state: once every incident is open, each is due once per cadence, evenly spread.
    const steadyFrom = Date.now() + 10_000;
    const end = steadyFrom + cadence + 5_000;
    while (Date.now() < end) {
      if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode})`);
      await sleep(1_000);
    }
    const elapsed = (Date.now() - t0) / 1000;
    const workerCpu = processStats(worker.pid!).cpuSeconds - cpuBefore;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    // An incident not reminded in the window is due by its own schedule: one whose declaration
    // waited in the queue is due that much later than the client started it. Asked before the
    // last drain, so that a reminder sent meanwhile is counted as sent.
    drainReminders(sandbox, sent);
    const remindedSince = new Set(sent.filter((r) => r.dueAt >= steadyFrom).map((r) => r.incidentId));
    const scheduled = await scheduledDueTimes(client, settings, [...startedAt.keys()].filter((id) => !remindedSince.has(id)));
    drainReminders(sandbox, sent);

    // The warm-up incident is not measured. Reminders due while incidents were still starting
    // (competing with assembly) are reported apart from the steady state the target is about.
    const measured = sent.filter((r) => r.incidentId !== 'BEN-0');
    // Each open incident has exactly one reminder due in the window of one cadence.
    const windowEnd = steadyFrom + cadence;
    const steady = measured.filter((r) => r.dueAt >= steadyFrom && r.dueAt < windowEnd);
    const starting = measured.filter((r) => r.dueAt < steadyFrom);
    const reminded = new Set(measured.map((r) => r.incidentId));
    const remindedInWindow = new Set(steady.map((r) => r.incidentId));
    // Reminders keep to a grid (due, due + cadence, ...) from the last one sent, or from the start.
    const lastDue = new Map<string, number>();
    for (const r of measured) lastDue.set(r.incidentId, Math.max(r.dueAt, lastDue.get(r.incidentId) ?? 0));
    const dueInWindow = (id: string, startedAtMs: number) => {
      const own = scheduled.get(id);
      if (own !== undefined) return own;
      const from = lastDue.get(id) ?? startedAtMs;
      return from + Math.max(1, Math.ceil((steadyFrom - from) / cadence)) * cadence;
    };
    // A reminder due in the window and never sent counts as late until the end.
    const notReminded = [...startedAt.entries()].filter(([id]) => !remindedInWindow.has(id)).map(([id, at]) => ({ id, at, due: dueInWindow(id, at) }));
    const unreminded = notReminded.filter(({ due }) => due < windowEnd);
    // A reminder sent more than a grid's tolerance late restarts its clock from then: such an
    // incident may owe nothing in the window. Its lateness shows before the window, but the
    // steady figures are whole only when no schedule slipped past it.
    const slipped = notReminded.length - unreminded.length;
    const missing = unreminded.map(({ due }) => due);
    // When the incidents that missed the window had been started (seconds into the ramp): a
    // block at the end is a backlog; a spread is incidents that stopped reminding.
    const missingStarts = unreminded.map(({ at }) => (at - t0) / 1000).sort((a, b) => a - b);
    const lateness = [...steady.map((r) => r.sentAt - r.dueAt), ...missing.map((due) => end - due)].sort((a, b) => a - b);
    const startingLateness = starting.map((r) => r.sentAt - r.dueAt).sort((a, b) => a - b);

    if (flags.debug) {
      for (const r of measured.slice(0, 5)) console.error(r.incidentId, new Date(r.dueAt).toISOString(), new Date(r.sentAt).toISOString(), r.sentAt - r.dueAt);
      for (const { id } of notReminded.slice(0, 3)) await printRuns(client, id, t0);
    }
    emit('incidents', incidents, 'count');
    emit('cadence', cadence / 1000, 's');
    emit('ramp', ramp / 1000, 's');
    emit('max_cached_workflows', cache, 'count');
    emit('reminders_sent', measured.length, 'count');
    emit('steady_reminders', steady.length, 'count');
    emit('incidents_reminded', reminded.size, 'count');
    emit('reminders_missing', missing.length, 'count');
    emit('schedules_slipped', slipped, 'incidents owing no reminder in the window');
    emit('missing_started_min_s', Math.round(missingStarts[0] ?? NaN), 's into the ramp');
    emit('missing_started_p50_s', Math.round(percentile(missingStarts, 50)), 's into the ramp');
    emit('lateness_p50_ms', percentile(lateness, 50), 'ms');
    emit('lateness_p99_ms', percentile(lateness, 99), 'ms');
    emit('lateness_max_ms', lateness.at(-1) ?? NaN, 'ms');
    emit('starting_lateness_p50_ms', percentile(startingLateness, 50), 'ms');
    emit('starting_lateness_p99_ms', percentile(startingLateness, 99), 'ms');
    emit('reminders_per_sec', Number((steady.length / (cadence / 1000)).toFixed(2)), 'reminders/s');
    emit('worker_rss_peak_mb', Math.round(peakRssMb), 'MB');
    emit('worker_rss_end_mb', Math.round(processStats(worker.pid!).rssMb), 'MB');
    emit('cpu', Number(((workerCpu / elapsed) * 100).toFixed(1)), 'worker % of one core');
    emit('cpu_bench_process', Number((((benchCpu.user + benchCpu.system) / 1e6 / elapsed) * 100).toFixed(1)), 'sandbox+client % of one core');
  } finally {
    clearInterval(sampler);
    worker.kill('SIGTERM');
    await Promise.race([workerExited, sleep(15_000)]);
    if (worker.exitCode === null) worker.kill('SIGKILL');
    await connection.close();
    await sandbox.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
