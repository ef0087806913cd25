/**
 * How the incident workflows are bundled, in one place, so the worker, the tests and the replays
 * run the same code the same way.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const WORKFLOWS_PATH = require.resolve('../workflows');

const domainDir = join(__dirname, '..', 'domain');
/** Wraps the filter language in zod for the config schema: never in the workflow bundle. */
const NOT_FOR_WORKFLOWS = new Set(['filter-schema.ts']);

/**
 * Modules evaluated once for every workflow the worker runs, instead of once per workflow: in a
 * reused V8 context the SDK gives each workflow its own copy of every other module, which is most
 * of what a cached workflow costs. Only stateless modules belong here (the SDK freezes them):
 * `domain/` is pure functions and constants, and these packages are the SDK's stateless helpers.
 * The workflow runtime itself (@temporalio/workflow) keeps per-workflow state and stays out.
 */
export const PRELOADED_MODULES: readonly string[] = [
  // First, and evaluated before the SDK freezes the sandbox's globals: it sets the sandbox's Error.prepareStackTrace.
  require.resolve('../workflows/stack-traces'),
  'long',
  'ms',
  'nexus-rpc',
  '@temporalio/common',
  ...readdirSync(domainDir)
    .filter((file) => file.endsWith('.ts') && !NOT_FOR_WORKFLOWS.has(file))
    .map((file) => join(domainDir, file.replace(/\.ts$/, ''))),
];

/** Inbound interceptors every incident workflow runs with (workflows/activity-clock.ts). */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [require.resolve('../workflows/activity-clock')];

type BundleLogger = NonNullable<Parameters<typeof bundleWorkflowCode>[0]['logger']>;

const quiet: BundleLogger = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };

export function bundleMusterWorkflows(logger: BundleLogger = quiet): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES], preloadModules: [...PRELOADED_MODULES], logger });
}
