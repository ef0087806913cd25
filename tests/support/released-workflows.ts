/**
 * The workflow code as it was at an earlier commit, bundled, so a test can start incidents on the
 * released code and finish them on today's: the upgrade an open incident really goes through.
 * Needs the repository's history (a clone, not an export).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const repoRoot = join(__dirname, '../..');

/** Writes the bundle of `workflows/` (and the `domain/` it imports) at `commit`; returns its path. */
export async function bundleReleasedWorkflows(commit: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `muster-released-${commit.slice(0, 7)}-`));
  const archive = execFileSync('git', ['archive', '--format=tar', commit, 'workflows', 'domain'], { cwd: repoRoot, maxBuffer: 64 << 20 });
  mkdirSync(join(dir, 'src'));
  execFileSync('tar', ['-x', '-C', join(dir, 'src')], { input: archive });
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(dir, 'src', 'workflows'),
    // The old sources import packages by name: resolve them from today's node_modules.
    webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, modules: [join(repoRoot, 'node_modules'), 'node_modules'] } }),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  return bundlePath;
}
