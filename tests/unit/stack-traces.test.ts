import { formatWorkflowStack } from '../../workflows/stack-traces';

const frame = (file: string, text: string) => ({ getFileName: () => file, toString: () => text }) as unknown as NodeJS.CallSite;

describe('workflow stack traces', () => {
  const saved = Error.prepareStackTrace;
  afterAll(() => {
    Error.prepareStackTrace = saved;
  });

  it('gives the SDK promise hook an empty stack, so it records nothing', () => {
    const frames = [frame('/app/node_modules/@temporalio/worker/lib/workflow/vm-shared.js', 'init (vm-shared.js:265:21)'), frame('node:internal/promise_hooks', 'initAll (node:internal/promise_hooks:23:5)')];
    expect(formatWorkflowStack(new Error(), frames)).toBe('');
  });

  it('keeps the message and every frame of a real error', () => {
    const frames = [frame('/tmp/workflow-bundle.js', 'validateChanges (/tmp/workflow-bundle.js:10:3)'), frame('/tmp/workflow-bundle.js', 'incidentWorkflow (/tmp/workflow-bundle.js:20:5)')];
    expect(formatWorkflowStack(new TypeError('bad change'), frames)).toBe(
      'TypeError: bad change\n    at validateChanges (/tmp/workflow-bundle.js:10:3)\n    at incidentWorkflow (/tmp/workflow-bundle.js:20:5)',
    );
  });

  it('is what errors created after loading it use', () => {
    const error = new Error('boom');
    expect(error.stack).toMatch(/^Error: boom\n {4}at /);
    expect(error.stack).toContain('stack-traces.test.ts');
  });
});
