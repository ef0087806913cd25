/**
 * Process settings, read once from the environment (or a secrets file) and validated. Every
 * entry point (worker, API, CLI, `npm start`) loads this and passes the typed result down;
 * nothing deeper reads process.env.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SETTINGS, type IncidentSettings } from '../domain/incident';
import { reminderSettingsFrom } from '../domain/reminders';
import { loadMusterConfig, type MusterFileConfig } from './muster-config';
import { parseDuration } from '../domain/duration';
import { DEFAULT_INCIDENT_PREFIX, DEFAULT_TASK_QUEUE } from '../workflows/definitions';
import { vendorConfig, vendorEnvSchema, type VendorConfig } from './vendors';

const duration = z.string().transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const port = z.coerce.number().int().min(0).max(65_535);

/** "name=token,name2=token2": API callers and their bearer tokens. */
const tokens = z.string().transform((value, ctx) => {
  const entries = value.split(/[,\n]/).map((part) => part.trim()).filter(Boolean);
  const result: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at <= 0 || at === entry.length - 1) {
      ctx.addIssue({ code: 'custom', message: 'each entry must be name=token (the token is not shown here)' });
      return z.NEVER;
    }
    result[entry.slice(at + 1)] = entry.slice(0, at);
  }
  return result;
});

const schema = vendorEnvSchema.extend({
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  MUSTER_TEMPORAL_PORT: port.default(7233),
  MUSTER_TEMPORAL_UI_PORT: port.optional(),
  MUSTER_DATA_DIR: z.string().min(1).default('.muster'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  MUSTER_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  MUSTER_DATABASE_URL: z.string().min(1).optional(),
  MUSTER_INCIDENT_PREFIX: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{0,9}$/, 'use 1-10 capital letters or digits, starting with a letter')
    .default(DEFAULT_INCIDENT_PREFIX),
  MUSTER_CLOSED_RETENTION: duration.default(DEFAULT_SETTINGS.closedRetentionMs),
  MUSTER_API_HOST: z.string().min(1).default('127.0.0.1'),
  MUSTER_API_PORT: port.default(8080),
  MUSTER_API_TOKENS: tokens.optional(),
  MUSTER_API_TOKENS_FILE: z.string().optional(),
  MUSTER_WORKFLOW_BUNDLE: z.string().optional(),
  /** Workflows the worker keeps in memory; fewer costs replays, more costs RAM (about 100 kB each). */
  MUSTER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  /** Threads that run workflow code; more overlap the SDK's per-call sandbox overhead. */
  MUSTER_WORKFLOW_THREADS: z.coerce.number().int().min(1).max(16).optional(),
  SLACK_SIGNING_SECRET: z.string().trim().min(1).optional(),
  SLACK_SIGNING_SECRET_FILE: z.string().trim().min(1).optional(),
  SLACK_APP_TOKEN: z.string().trim().regex(/^xapp-/, 'an app-level token starts with xapp-').optional(),
  MUSTER_SLACK_COMMAND: z.string().regex(/^\/[a-z0-9_-]{1,31}$/, 'a slash command like /muster').default('/muster'),
  MUSTER_SLACK_TIMELINE_REACTION: z.string().regex(/^[a-z0-9_+-]{1,100}$/, 'an emoji name without colons, e.g. stopwatch').default('stopwatch'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export interface MusterConfig {
  temporal: { address: string; namespace: string; taskQueue: string };
  /** `npm start` runs a dev server unless TEMPORAL_ADDRESS points at one. */
  devServer?: { port: number; uiPort: number; dbFile: string };
  databaseUrl: string;
  incidentPrefix: string;
  settings: IncidentSettings;
  api: {
    host: string;
    port: number;
    /** token -> caller name; undefined means the API is open (local development). */
    tokens?: Record<string, string>;
  };
  vendors: VendorConfig;
  /** The incident configuration file (types, priorities, rules), validated, and where it came from. */
  incident: { config: MusterFileConfig; source: string };
  /** Where local state lives (dev server data, SQLite store, sandbox certificate). */
  dataDir: string;
  /** A prebuilt workflow bundle (tests build it once); otherwise the worker bundles at start. */
  workflowBundlePath?: string;
  /** Bounds the worker's workflow cache (Temporal's default scales with the machine's memory). */
  maxCachedWorkflows?: number;
  /** Threads that run workflow code (Temporal's default: one). */
  workflowThreads?: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** The Slack app (api/slack): on when a signing secret (HTTP) or an app token (Socket Mode) is set. */
  slackApp: { signingSecret?: string; appToken?: string; command: string; timelineReaction: string };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MusterConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration in the environment:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  const problems: string[] = [];
  const vendors = vendorConfig(e, problems);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration in the environment:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  const incident = loadMusterConfig(undefined, env);
  const types = incident.config.incidentTypes;
  let tokenMap = e.MUSTER_API_TOKENS;
  if (e.MUSTER_API_TOKENS_FILE) {
    const fromFile = tokens.safeParse(readFileSync(e.MUSTER_API_TOKENS_FILE, 'utf8'));
    if (!fromFile.success) throw new ConfigError(`MUSTER_API_TOKENS_FILE (${e.MUSTER_API_TOKENS_FILE}): each line must be name=token`);
    tokenMap = { ...fromFile.data, ...tokenMap };
  }
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.MUSTER_TEMPORAL_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.MUSTER_TASK_QUEUE,
    },
    devServer: e.TEMPORAL_ADDRESS
      ? undefined
      : {
          port: e.MUSTER_TEMPORAL_PORT,
          uiPort: e.MUSTER_TEMPORAL_UI_PORT ?? e.MUSTER_TEMPORAL_PORT + 1000,
          dbFile: join(e.MUSTER_DATA_DIR, 'temporal', 'temporal.sqlite'),
        },
    databaseUrl: e.MUSTER_DATABASE_URL ?? `sqlite:${join(e.MUSTER_DATA_DIR, 'muster.sqlite')}`,
    incidentPrefix: e.MUSTER_INCIDENT_PREFIX,
    settings: {
      incidentTypes: types.map((type) => type.name),
      defaultType: types.find((type) => type.default)!.name,
      closedRetentionMs: e.MUSTER_CLOSED_RETENTION,
      ...reminderSettingsFrom(incident.config),
    },
    api: { host: e.MUSTER_API_HOST, port: e.MUSTER_API_PORT, tokens: tokenMap },
    vendors,
    incident,
    dataDir: e.MUSTER_DATA_DIR,
    workflowBundlePath: e.MUSTER_WORKFLOW_BUNDLE,
    maxCachedWorkflows: e.MUSTER_MAX_CACHED_WORKFLOWS,
    workflowThreads: e.MUSTER_WORKFLOW_THREADS,
    logLevel: e.LOG_LEVEL,
    slackApp: {
      signingSecret: e.SLACK_SIGNING_SECRET ?? (e.SLACK_SIGNING_SECRET_FILE ? readFileSync(e.SLACK_SIGNING_SECRET_FILE, 'utf8').trim() : undefined),
      appToken: e.SLACK_APP_TOKEN,
      command: e.MUSTER_SLACK_COMMAND,
      timelineReaction: e.MUSTER_SLACK_TIMELINE_REACTION,
    },
  };
}
