/**
 * Worker process: `npm run worker`. Stops gracefully on SIGINT/SIGTERM: in-flight activities
 * finish (or are handed back to Temporal), then the store closes.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config/env';
import { anyVendorConfigured } from '../config/vendors';
import { openStore } from '../store';
import { createMusterWorker } from './create-worker';
import { providersFromConfig } from './providers';
import { createLogger, installTemporalRuntime } from './logging';
import { Client, Connection } from '@temporalio/client';
import { ensureDigestSchedules } from './schedules';

/** Resolves on the first SIGINT or SIGTERM. */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
}

export async function runWorker(): Promise<void> {
  const stop = stopSignal();
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'muster-worker');
  logger.info({ source: config.incident.source }, 'incident configuration loaded');
  installTemporalRuntime(logger);
  const store = await openStore({ url: config.databaseUrl });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const worker = await createMusterWorker({
      connection,
      temporal: config.temporal,
      deps: { store, ...providersFromConfig(config.vendors, config.incident.config) },
      workflowBundlePath: config.workflowBundlePath,
      maxCachedWorkflows: config.maxCachedWorkflows,
      workflowThreads: config.workflowThreads,
    });
    await startDigestSchedules(config.temporal, logger);
    logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker running');
    if (!anyVendorConfigured(config.vendors)) logger.warn('no vendor is configured: incidents get no resources (npm start runs the sandbox)');
    // On SIGINT/SIGTERM the worker stops polling and lets in-flight tasks finish.
    await worker.runUntil(stop);
    logger.info('worker stopped');
  } finally {
    await connection.close();
    await store.close();
  }
}

if (require.main === module) {
  runWorker().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

/** The digests' Schedules (worker/schedules.ts); a Schedule that exists already is left alone. */
async function startDigestSchedules(temporal: { address: string; namespace: string; taskQueue: string }, logger: ReturnType<typeof createLogger>): Promise<void> {
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const made = await ensureDigestSchedules(new Client({ connection, namespace: temporal.namespace }), { taskQueue: temporal.taskQueue });
    logger.info(made, 'digest schedules ready');
  } finally {
    await connection.close();
  }
}
