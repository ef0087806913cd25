/**
 * `npm run temporal -- ensure` — obtain (or build) the Temporal CLI and show its version.
 * `npm run temporal -- start`  — run the persisted dev server for local development.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ensureTemporalCli } from './cli-binary';
import { startDevServer } from './dev-server';

const REPO_ROOT = path.resolve(__dirname, '..');
const log = (line: string) => console.error(line);

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'ensure': {
      const cli = await ensureTemporalCli({ log });
      console.log(cli);
      console.log(execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim());
      return;
    }
    case 'start': {
      const port = portFromEnv('MUSTER_TEMPORAL_PORT', 7233);
      const server = await startDevServer({
        port,
        uiPort: portFromEnv('MUSTER_TEMPORAL_UI_PORT', port + 1000),
        dbFile: path.join(REPO_ROOT, '.muster', 'temporal', 'temporal.sqlite'),
        log,
      });
      console.log(`Temporal dev server: ${server.address} (namespace ${server.namespace})`);
      console.log(`Web UI:              ${server.uiUrl}`);
      console.log('Press Ctrl-C to stop.');
      let stopping = false;
      const shutdown = () => {
        stopping = true;
        void server.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      const { code, signal } = await server.exited;
      if (stopping) return; // shutdown() exits once stop() is done
      console.error(`Temporal dev server exited (${signal ?? `code ${code}`})`);
      process.exitCode = 1;
      return;
    }
    default:
      console.error('usage: npm run temporal -- <ensure|start>');
      process.exit(2);
  }
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
