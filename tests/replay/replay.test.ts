/**
 * Replays every recorded history against the current workflow code. A failure here means a
 * change would break incidents that are open in production: guard it with patched().
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleMusterWorkflows } from '../../worker/workflow-bundle';

const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await bundleMusterWorkflows({ trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} });
}, 60_000);

test('there are histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(2);
});

test.each(files)('%s replays without nondeterminism', async (file) => {
  const history = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  await expect(Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, history)).resolves.toBeUndefined();
});
