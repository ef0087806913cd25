/** The Temporal worker that runs incident workflows and their activities. */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { MusterConfig } from '../config/env';
import { PRELOADED_MODULES, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from './workflow-bundle';

export interface WorkerOptions {
  connection: NativeConnection;
  temporal: MusterConfig['temporal'];
  deps: ActivityDeps;
  /** Path of a bundle made by `bundleMusterWorkflows`; without it the worker bundles at start (a few seconds). */
  workflowBundlePath?: string;
  /** Bounds the workflow cache: thousands of open incidents must not all stay in memory. */
  maxCachedWorkflows?: number;
  /** Threads that run workflow code. */
  workflowThreads?: number;
}

export async function createMusterWorker({ connection, temporal, deps, workflowBundlePath, maxCachedWorkflows, workflowThreads }: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    activities: createActivities(deps),
    ...(maxCachedWorkflows !== undefined ? { maxCachedWorkflows } : {}),
    ...(workflowThreads !== undefined ? { workflowThreadPoolSize: workflowThreads } : {}),
    ...(workflowBundlePath
      ? { workflowBundle: { codePath: workflowBundlePath } }
      : { workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES] }, bundlerOptions: { preloadModules: [...PRELOADED_MODULES] } }),
  });
}
