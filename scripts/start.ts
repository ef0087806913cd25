/**
 * `npm start`: everything Muster needs on one machine, in one command. A persisted Temporal dev
 * server with its Web UI (unless TEMPORAL_ADDRESS points at one), the worker and the API.
 * Ctrl-C stops all of it, in reverse order.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { buildApi } from '../api/server';
import { MusterClient } from '../client';
import { loadConfig } from '../config/env';
import { openStore } from '../store';
import { ensureTemporalCli, startDevServer } from '../temporal-dev';
import { createMusterWorker } from '../worker/create-worker';
import { ensureDigestSchedules } from '../worker/schedules';
import { createLogger, installTemporalRuntime } from '../worker/logging';
import { stopSignal } from '../worker/main';
import { openSandboxTargetChannels, providersFromConfig, sandboxVendorEnv } from '../worker/providers';
import { anyVendorConfigured } from '../config/vendors';
import { startSandbox } from '../sandbox/server';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { mountSlackApp } from '../api/slack/app';
import { slackAppOptions } from '../api/slack/from-config';

async function start(): Promise<void> {
  const stop = stopSignal();
  let config = loadConfig();
  const logger = createLogger(config.logLevel, 'muster');
  installTemporalRuntime(logger);
  const cleanup: Array<() => Promise<unknown>> = [];
  const say = (line: string) => process.stderr.write(`${line}\n`);

  try {
    let uiUrl: string | undefined;
    if (config.devServer) {
      const cliPath = await ensureTemporalCli({ log: say });
      say(`Starting the Temporal dev server on ${config.temporal.address} (data in ${config.devServer.dbFile})…`);
      const server = await startDevServer({ cliPath, ...config.devServer, logLevel: 'error', log: say });
      cleanup.unshift(() => server.stop());
      uiUrl = server.uiUrl;
    }

    let sandboxUrl: string | undefined;
    if (!anyVendorConfigured(config.vendors) && config.vendors.sandbox.mode === 'auto') {
      const sandbox = await startSandbox({ port: config.vendors.sandbox.port, tlsPort: config.vendors.sandbox.tlsPort, dataDir: join(config.dataDir, 'sandbox') });
      cleanup.unshift(() => sandbox.stop());
      // The sandbox's Slack app gets a fresh signing secret, printed below for signed test requests.
      config = loadConfig({ SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'), ...process.env, ...sandboxVendorEnv(sandbox, { email: config.vendors.sandboxEmail }) });
      await openSandboxTargetChannels(sandbox, config.incident.config);
      sandboxUrl = sandbox.url;
    }

    const store = await openStore({ url: config.databaseUrl });
    cleanup.unshift(() => store.close());

    const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
    cleanup.unshift(() => nativeConnection.close());
    say('Bundling workflows and starting the worker…');
    const worker = await createMusterWorker({
      connection: nativeConnection,
      temporal: config.temporal,
      deps: { store, ...providersFromConfig(config.vendors, config.incident.config) },
      workflowBundlePath: config.workflowBundlePath,
    });
    const workerDone = worker.runUntil(stop);
    cleanup.unshift(() => workerDone);

    const connection = await Connection.connect({ address: config.temporal.address });
    cleanup.unshift(() => connection.close());
    const client = new MusterClient(new Client({ connection, namespace: config.temporal.namespace }), {
      taskQueue: config.temporal.taskQueue,
      incidentPrefix: config.incidentPrefix,
      settings: config.settings,
    });
    // The digests' Schedules (visible and pausable in the Web UI's Schedules page).
    await ensureDigestSchedules(client.temporal, { taskQueue: config.temporal.taskQueue });
    const api = await buildApi({ client, store, tokens: config.api.tokens, logger: logger.child({ component: 'api' }) });
    const slackOptions = slackAppOptions(config, { client, store, logger: logger.child({ component: 'slack' }) });
    const slack = slackOptions ? await mountSlackApp(api, slackOptions) : undefined;
    const apiUrl = await api.listen({ host: config.api.host, port: config.api.port });
    cleanup.unshift(() => api.close());
    await slack?.start();
    if (slack) cleanup.unshift(() => slack.stop());

    say(
      [
        '',
        'Muster is running.',
        `  API               ${apiUrl}`,
        `  API docs          ${apiUrl}/docs`,
        `  Temporal          ${config.temporal.address}`,
        uiUrl ? `  Temporal Web UI   ${uiUrl}` : undefined,
        slack ? `  Slack app         ${slack.path ? `${apiUrl}${slack.path}` : 'Socket Mode'}${sandboxUrl ? `  (signing secret ${config.slackApp.signingSecret})` : ''}` : undefined,
        sandboxUrl ? `  Vendor sandbox    ${sandboxUrl}  (no vendor credentials set: Slack, Google, Jira and PagerDuty are emulated here)` : undefined,
        `  Configuration     ${config.incident.source}`,
        '',
        'Try:  npx muster declare --title "DB latency" --priority High',
        'Press Ctrl-C to stop.',
        '',
      ]
        .filter((line) => line !== undefined)
        .join('\n'),
    );
    // A worker that dies on its own (lost server, fatal error) ends the whole process too.
    await Promise.race([stop, workerDone]);
    say('Stopping…');
  } finally {
    for (const step of cleanup) await step().catch((err: unknown) => logger.warn({ err }, 'while stopping'));
  }
}

start().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
