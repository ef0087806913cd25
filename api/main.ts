/** API process: `npm run api`. */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/env';
import { MusterClient } from '../client';
import { openStore } from '../store';
import { createLogger } from '../worker/logging';
import { buildApi } from './server';
import { mountSlackApp } from './slack/app';
import { slackAppOptions } from './slack/from-config';

export async function runApi(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'muster-api');
  const store = await openStore({ url: config.databaseUrl });
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new MusterClient(new Client({ connection, namespace: config.temporal.namespace }), {
    taskQueue: config.temporal.taskQueue,
    incidentPrefix: config.incidentPrefix,
    settings: config.settings,
  });
  const app = await buildApi({ client, store, tokens: config.api.tokens, logger });
  const slackOptions = slackAppOptions(config, { client, store, logger: logger.child({ component: 'slack' }) });
  const slack = slackOptions ? await mountSlackApp(app, slackOptions) : undefined;
  await app.listen({ host: config.api.host, port: config.api.port });
  await slack?.start();
  const stop = async () => {
    await slack?.stop();
    await app.close();
    await connection.close();
    await store.close();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (require.main === module) {
  runApi().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
