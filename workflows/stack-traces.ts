/**
 * How errors inside the workflow sandbox format their stacks. Preloaded once per worker, before
 * the SDK freezes the sandbox's globals (worker/workflow-bundle.ts).
 *
 * Why: the SDK's promise hook makes an Error for every promise a workflow creates and formats
 * its stack through the bundle's source map, so that the Web UI's "Stack Trace" tab can show
 * where a workflow waits. At scale that was a quarter of the workflow thread's time, and every
 * pending promise kept its formatted stack in memory. A prepareStackTrace of the sandbox's own
 * takes precedence over the SDK's outer one: the hook's errors (made inside Node's
 * promise_hooks) get an empty stack, which the SDK then does not record, and real errors keep a
 * plain V8 stack (function names, bundle positions) for failures shown in the Web UI.
 */
const PROMISE_HOOKS = 'node:internal/promise_hooks';

export function formatWorkflowStack(error: Error, frames: NodeJS.CallSite[]): string {
  if (frames.some((frame) => frame.getFileName() === PROMISE_HOOKS)) return '';
  return `${error}${frames.map((frame) => `\n    at ${frame}`).join('')}`;
}

Error.prepareStackTrace = formatWorkflowStack;
