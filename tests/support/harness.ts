/**
 * A whole Muster for one test file: a worker on its own task queue with a fresh SQLite store,
 * a MusterClient, all on the shared dev server from global-setup.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { MusterClient } from '../../client';
import { loadConfig, type MusterConfig } from '../../config/env';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { providersFromConfig, sandboxVendorEnv } from '../../worker/providers';
import { DEFAULT_SETTINGS, type IncidentSettings } from '../../domain/incident';
import type { MusterFileConfig } from '../../config/muster-config';
import { openStore, type IncidentStore } from '../../store';
import { createMusterWorker } from '../../worker/create-worker';

export interface Harness {
  client: MusterClient;
  /** The vendor emulators, when started with `sandbox: true`. */
  sandbox?: Sandbox;
  store: IncidentStore;
  temporal: MusterConfig['temporal'];
  prefix: string;
  databaseUrl: string;
  settings: IncidentSettings;
  /** Stops the in-process worker (to simulate an outage); `startWorker` brings one back. */
  stopWorker(): Promise<void>;
  /** Starts the worker, on today's workflow code or on another bundle (e.g. released code). */
  startWorker(options?: { workflowBundlePath?: string }): Promise<void>;
  close(): Promise<void>;
}

export const testEnv = () => ({
  address: required('MUSTER_TEST_TEMPORAL_ADDRESS'),
  bundlePath: required('MUSTER_TEST_WORKFLOW_BUNDLE'),
  dir: required('MUSTER_TEST_DIR'),
});

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration tests through jest (tests/support/global-setup.ts)`);
  return value;
}

/** A prefix no other test file uses, so incident ids and the registry stay apart. */
export function uniquePrefix(): string {
  const letters = randomBytes(6).toString('hex').toUpperCase().replace(/[0-9]/g, (d) => 'GHIJKLMNOP'[Number(d)]!);
  return `T${letters.slice(0, 7)}`;
}

export async function startHarness(
  options: {
    settings?: Partial<IncidentSettings>;
    worker?: boolean;
    sandbox?: boolean;
    address?: string;
    /** The incident configuration the worker runs with (rules, targets, priorities); built-in defaults without it. */
    config?: MusterFileConfig;
    /** With the sandbox: send mail through its SMTP listener instead of its Gmail. */
    email?: 'gmail' | 'smtp';
  } = {},
): Promise<Harness> {
  const env = { ...testEnv(), ...(options.address ? { address: options.address } : {}) };
  const prefix = uniquePrefix();
  const temporal = { address: env.address, namespace: 'default', taskQueue: `muster-test-${prefix}` };
  const databaseUrl = `sqlite:${join(env.dir, `${prefix}.sqlite`)}`;
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const store = await openStore({ url: databaseUrl });
  const sandbox = options.sandbox ? await startSandbox({ dataDir: join(env.dir, 'sandbox-tls') }) : undefined;
  const vendors = sandbox ? providersFromConfig(loadConfig(sandboxVendorEnv(sandbox, { email: options.email })).vendors, options.config) : { config: options.config };
  const connection = await Connection.connect({ address: env.address });
  const client = new MusterClient(new Client({ connection }), { taskQueue: temporal.taskQueue, incidentPrefix: prefix, settings });

  let nativeConnection: NativeConnection | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;

  const startWorker = async ({ workflowBundlePath = env.bundlePath }: { workflowBundlePath?: string } = {}) => {
    nativeConnection ??= await NativeConnection.connect({ address: env.address });
    worker = await createMusterWorker({ connection: nativeConnection, temporal, deps: { store, ...vendors }, workflowBundlePath });
    running = worker.run();
  };
  const stopWorker = async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    worker = undefined;
  };
  if (options.worker !== false) await startWorker();

  return {
    client,
    sandbox,
    store,
    temporal,
    prefix,
    databaseUrl,
    settings,
    startWorker,
    stopWorker,
    async close() {
      await stopWorker();
      await nativeConnection?.close();
      await connection.close();
      await store.close();
      await sandbox?.stop();
    },
  };
}

/** Polls until `check` returns a value (not undefined/false) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, { timeoutMs = 15_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until the store holds the incident at this version (the workflow writes it moments after a change). */
export async function recorded(h: Pick<Harness, 'store'>, state: { id: string; version: number }) {
  return eventually(async () => {
    const record = await h.store.getIncident(state.id);
    return record && record.version >= state.version ? record : undefined;
  });
}
