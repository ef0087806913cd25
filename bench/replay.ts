/**
 * What a cache miss costs the worker: a worker that has evicted an incident replays the run's
 * history before it can send the next reminder. This replays one recorded run (by default the
 * declaring run of a recent recording, assembly included) `--count` times in process, through
 * the SDK's replay worker (same bundle, same sandbox, same workflow thread), and reports the
 * time per replay. No server: it isolates the worker's side of a miss.
 *
 *   npm run bench -- replay [--history tests/replay/histories/FILE.json] [--count 300]
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { bundleMusterWorkflows } from '../worker/workflow-bundle';
import type { Emit } from './run';

const HISTORIES = join(__dirname, '..', 'tests', 'replay', 'histories');

/** A declaring run (assembly, engagement, a reminder) recorded on recent code. */
const DEFAULT_HISTORY = join(HISTORIES, '2026-12-patch-level-incident-run-1.json');

export async function replayBench(flags: Record<string, string>, emit: Emit): Promise<void> {
  const file = flags.history ?? DEFAULT_HISTORY;
  const count = Number(flags.count ?? 300);
  if (!(count > 0)) throw new Error('--count must be positive');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const history = JSON.parse(readFileSync(file, 'utf8')) as { events: unknown[] };
  const workflowBundle = await bundleMusterWorkflows();
  const replays = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ workflowId: `replay-${from + i}`, history }));

  const run = async (n: number, from: number) => {
    const started = process.hrtime.bigint();
    for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'bench' }, replays(n, from))) {
      if (result.error) throw result.error;
    }
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  // Warm-up: the replay worker's start and the first workflows' JIT are not what a miss costs.
  await run(Math.min(50, count), 0);
  const cpuBefore = process.cpuUsage();
  const ms = await run(count, count);
  const cpu = process.cpuUsage(cpuBefore);

  emit('history', relative(join(__dirname, '..'), file), 'file');
  emit('history_events', history.events.length, 'events');
  emit('replays', count, 'count');
  emit('replay_ms', Number((ms / count).toFixed(2)), 'ms per replay');
  emit('replay_cpu_ms', Number(((cpu.user + cpu.system) / 1000 / count).toFixed(2)), 'process CPU ms per replay');
}
