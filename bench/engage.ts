/**
 * How fast the commander is paged when every vendor call takes L ms. Incidents are declared
 * with the example configuration at High priority (which pages the commander) and no commander
 * named (the role policy picks the Operational commander on-call, PSVCIC1). Time runs from the
 * client's declare call to PagerDuty answering the page (the sandbox's log of POST /v2/enqueue).
 *
 * The bound: the page waits for the channel and the document (its links) and for the commander
 * lookup, so the longest chain of vendor calls that had answered before the page was sent, plus
 * the page itself, times L. Measured on one incident declared alone, from the request log.
 *
 *   npm run bench -- engage [--incidents 20] [--latency 100] [--concurrency 1]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { MusterClient } from '../client';
import { loadConfig } from '../config/env';
import { parseMusterConfig } from '../config/muster-config';
import { pageDedupKey } from '../domain/engagement';
import type { LoggedRequest } from '../sandbox/core';
import { startSandbox } from '../sandbox/server';
import { openStore } from '../store';
import { ensureTemporalCli, findFreePort, startDevServer } from '../temporal-dev';
import { createMusterWorker } from '../worker/create-worker';
import { providersFromConfig, sandboxVendorEnv } from '../worker/providers';
import { longestChain } from './assembly';
import type { Emit } from './run';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function engageBench(flags: Record<string, string>, emit: Emit): Promise<void> {
  const incidents = Number(flags.incidents ?? 20);
  const latency = Number(flags.latency ?? 100);
  const concurrency = Number(flags.concurrency ?? 1);
  Runtime.install({ logger: new DefaultLogger('ERROR') });

  const config = parseMusterConfig(readFileSync(join(__dirname, '../config/muster.example.yaml'), 'utf8'), 'config/muster.example.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'muster-bench-'));
  const server = await startDevServer({ cliPath: await ensureTemporalCli(), port: await findFreePort(), headless: true });
  const sandbox = await startSandbox({ dataDir: join(dir, 'tls') });
  const store = await openStore({ url: `sqlite:${join(dir, 'store.sqlite')}` });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const temporal = { address: server.address, namespace: 'default', taskQueue: 'bench' };
  const worker = await createMusterWorker({
    connection: nativeConnection,
    temporal,
    deps: { store, ...providersFromConfig(loadConfig(sandboxVendorEnv(sandbox)).vendors, config) },
  });
  const muster = new MusterClient(new Client({ connection }), { taskQueue: 'bench', incidentPrefix: 'BEN' });

  const pageOf = (key: string) =>
    sandbox.log.entries.find((e) => e.route === 'POST /v2/enqueue' && (e.body as { dedup_key?: string } | undefined)?.dedup_key === key && e.status === 202);

  /** Declares and waits for PagerDuty to accept the commander's page. */
  const declareAndPage = async (title: string): Promise<{ ms: number; page: LoggedRequest }> => {
    const started = Date.now();
    const { incident } = await muster.declare({ title, priority: 'High', reporter: { email: 'rita@example.com' } });
    const key = pageDedupKey(incident.id, 'PSVCIC1', 'declare');
    for (let waited = 0; ; waited += 5) {
      const page = pageOf(key);
      // The log entry carries the sandbox's own timestamps, so polling costs no precision.
      if (page) return { ms: Date.parse(page.at) - started, page };
      if (waited > 120_000) throw new Error(`${incident.id}: no page within two minutes`);
      await sleep(5);
    }
  };

  /** Until the warm-up's last calls (assembly, sync) are over, so the log holds one incident's calls. */
  const quiet = async () => {
    for (let seen = -1; seen !== sandbox.log.entries.length; ) {
      seen = sandbox.log.entries.length;
      await sleep(1_500);
    }
  };

  try {
    await worker.runUntil(async () => {
      await declareAndPage('warm-up'); // bundle caches, connections, first-run costs
      await quiet();
      sandbox.faults.globalLatencyMs = latency;

      sandbox.log.clear();
      const alone = await declareAndPage('alone');
      const pageStart = Date.parse(alone.page.startedAt);
      // What the page could have waited for: every call that had answered before it was sent.
      const before = sandbox.log.entries.filter((e) => Date.parse(e.at) <= pageStart);
      const chain = longestChain([...before, alone.page]);

      const times: number[] = [];
      let next = 0;
      const run = async () => {
        while (next < incidents) {
          const i = next++;
          times.push((await declareAndPage(`bench ${i}`)).ms);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, incidents) }, run));
      times.sort((a, b) => a - b);

      const p50 = percentile(times, 50);
      emit('latency_per_call', latency, 'ms');
      emit('incidents', incidents, 'count');
      emit('concurrency', concurrency, 'count');
      emit('alone_declare_to_page_accepted', alone.ms, 'ms');
      emit('declare_to_page_accepted_p50', p50, 'ms');
      emit('declare_to_page_accepted_p95', percentile(times, 95), 'ms');
      emit('calls_before_page', before.length, 'count');
      emit('critical_path_calls', chain, 'count');
      emit('critical_path_bound', chain * latency, 'ms');
      emit('ratio_to_critical_path', Number((p50 / (chain * latency)).toFixed(3)), 'ratio');
      emit('alone_ratio_to_critical_path', Number((alone.ms / (chain * latency)).toFixed(3)), 'ratio');
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
    await store.close();
    await sandbox.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
