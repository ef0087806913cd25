/**
 * How fast an incident is assembled when every vendor call takes L ms, against two bounds:
 * - critical path: the longest chain of vendor calls that had to wait for each other (a call
 *   that started after another had answered), times L. Measured on one incident declared
 *   alone, from the sandbox's request log.
 * - sequential: all vendor calls one after another, times L: what Dispatch's fixed-order flow
 *   costs.
 * Then N incidents are declared one after another (or `--concurrency` at a time), and declare ->
 * assembled is timed from the client's call to the workflow's assembledAt.
 *
 *   npm run bench -- assembly [--incidents 20] [--latency 100] [--concurrency 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { MusterClient } from '../client';
import { loadConfig } from '../config/env';
import type { IncidentState } from '../domain/incident';
import type { LoggedRequest } from '../sandbox/core';
import { startSandbox } from '../sandbox/server';
import { openStore } from '../store';
import { ensureTemporalCli, findFreePort, startDevServer } from '../temporal-dev';
import { createMusterWorker } from '../worker/create-worker';
import { providersFromConfig, sandboxVendorEnv } from '../worker/providers';
import type { Emit } from './run';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Longest chain of calls where each started after the previous one had answered. */
export function longestChain(calls: Array<Pick<LoggedRequest, 'startedAt' | 'at'>>): number {
  const spans = calls.map((c) => ({ start: Date.parse(c.startedAt), end: Date.parse(c.at) })).sort((a, b) => a.end - b.end);
  const depth: number[] = [];
  spans.forEach((span, i) => {
    let best = 0;
    for (let j = 0; j < i; j++) if (spans[j]!.end <= span.start) best = Math.max(best, depth[j]!);
    depth[i] = best + 1;
  });
  return Math.max(0, ...depth);
}

export async function assemblyBench(flags: Record<string, string>, emit: Emit): Promise<void> {
  const incidents = Number(flags.incidents ?? 20);
  const latency = Number(flags.latency ?? 100);
  const concurrency = Number(flags.concurrency ?? 1);
  Runtime.install({ logger: new DefaultLogger('ERROR') });

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
    deps: { store, ...providersFromConfig(loadConfig(sandboxVendorEnv(sandbox)).vendors) },
  });
  const muster = new MusterClient(new Client({ connection }), { taskQueue: 'bench', incidentPrefix: 'BEN' });

  const assemble = async (title: string): Promise<{ ms: number; incident: IncidentState }> => {
    const started = Date.now();
    const { incident } = await muster.declare({ title, priority: 'High', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } });
    for (;;) {
      const state = await muster.get(incident.id);
      if (state.assembledAt) {
        if (Object.values(state.resources).some((r) => r.status !== 'ready')) throw new Error(`${state.id} assembled with failures`);
        return { ms: Date.parse(state.assembledAt) - started, incident: state };
      }
      // assembledAt is the workflow's own clock, so polling slowly costs no precision, and spares
      // the worker queries it would otherwise answer between vendor calls.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  try {
    await worker.runUntil(async () => {
      await assemble('warm-up'); // bundle caches, connections, first-run costs
      sandbox.faults.globalLatencyMs = latency;

      sandbox.log.clear();
      const t0 = Date.now();
      const alone = await assemble('alone');
      const calls = [...sandbox.log.entries];
      const chain = longestChain(calls);
      const firstCall = Math.min(...calls.map((c) => Date.parse(c.startedAt)));
      const lastCall = Math.max(...calls.map((c) => Date.parse(c.at)));

      const times: number[] = [];
      let next = 0;
      const run = async () => {
        while (next < incidents) {
          const i = next++;
          times.push((await assemble(`bench ${i}`)).ms);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, incidents) }, run));
      times.sort((a, b) => a - b);

      const p50 = percentile(times, 50);
      emit('latency_per_call', latency, 'ms');
      emit('incidents', incidents, 'count');
      emit('concurrency', concurrency, 'count');
      emit('alone_declare_to_assembled', alone.ms, 'ms');
      emit('alone_declare_to_first_vendor_call', firstCall - t0, 'ms');
      emit('alone_vendor_span', lastCall - firstCall, 'ms');
      emit('declare_to_assembled_p50', p50, 'ms');
      emit('declare_to_assembled_p95', percentile(times, 95), 'ms');
      emit('vendor_calls_per_incident', calls.length, 'count');
      emit('critical_path_calls', chain, 'count');
      emit('critical_path_bound', chain * latency, 'ms');
      emit('sequential_bound', calls.length * latency, 'ms');
      emit('ratio_to_critical_path', Number((p50 / (chain * latency)).toFixed(3)), 'ratio');
      emit('ratio_to_sequential', Number((p50 / (calls.length * latency)).toFixed(3)), 'ratio');
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
