/**
 * Starts one real Temporal dev server (in memory) and bundles the workflows once for the whole
 * integration run. Test files get both through the environment and keep apart by task queue
 * and incident id prefix. Set MUSTER_TEST_TEMPORAL_ADDRESS to reuse a server you run yourself.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleMusterWorkflows } from '../../worker/workflow-bundle';
import { ensureTemporalCli, findFreePort, startDevServer, type DevServer } from '../../temporal-dev';

declare global {
  var __MUSTER_DEV_SERVER__: DevServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-test-'));
  process.env.MUSTER_TEST_DIR = dir;

  if (!process.env.MUSTER_TEST_TEMPORAL_ADDRESS) {
    const cliPath = await ensureTemporalCli({ log: (line) => process.stderr.write(`${line}\n`) });
    const server = await startDevServer({ cliPath, port: await findFreePort(), uiPort: await findFreePort(), headless: true });
    globalThis.__MUSTER_DEV_SERVER__ = server;
    process.env.MUSTER_TEST_TEMPORAL_ADDRESS = server.address;
  }

  const { code } = await bundleMusterWorkflows();
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  process.env.MUSTER_TEST_WORKFLOW_BUNDLE = bundlePath;
}
