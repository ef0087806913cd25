/**
 * Configuration as code: one YAML file (`config/muster.yaml`, or $MUSTER_CONFIG) with the
 * incident types, priorities, severities, engagement rules (individuals, teams, on-call services),
 * notification targets and the role policy. Validated once; every problem names the file, the
 * line, the path of the bad key (`incidentTypes[1].templates.incidentDocument`) and what is
 * allowed there. Without a file Muster uses built-in defaults equal to Dispatch's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../domain/duration';
import { formatIssuePath, type Filter } from '../domain/filters';
import { filterSchema } from '../domain/filter-schema';
import { DEFAULT_INCIDENT_TYPES, DEFAULT_SETTINGS, PRIORITIES, SEVERITIES, VISIBILITIES } from '../domain/incident';

export const DEFAULT_CONFIG_FILE = 'config/muster.yaml';

// ---------------------------------------------------------------------------------------------
// Schema

const name = z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters');
const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: (iss) => `must be an email address such as rita@example.com (got ${JSON.stringify(iss.input)})` }));
const pagerdutyService = z.string().regex(/^[A-Z0-9]+$/, 'must be a PagerDuty service id such as PSVCDB1 (capitals and digits)');
const driveFile = z.string().regex(/^[\w-]+$/, 'must be a Google Drive file id such as tmpl-incident-doc (letters, digits, - and _)');

/** "2h", "30m", "1d", or "never"; parsed to milliseconds, `null` for never. */
const REMINDER_HELP = 'a duration such as "30m", "2h" or "1d", or "never"';
const reminder = z.string({ error: (iss) => (iss.input === undefined ? `is required: ${REMINDER_HELP}` : `must be ${REMINDER_HELP}`) }).transform((value, ctx): number | null => {
  if (value.trim() === 'never') return null;
  let ms = 0;
  try {
    ms = parseDuration(value);
  } catch {
    // reported below
  }
  if (ms > 0) return ms;
  ctx.addIssue({ code: 'custom', message: `must be ${REMINDER_HELP} (got ${JSON.stringify(value)})` });
  return z.NEVER;
});

const incidentTypeSchema = z.strictObject({
  name,
  description: z.string().default(''),
  /** Restricted: notifications go to participants only, and the folder is never opened to the organisation. */
  visibility: z.enum(VISIBILITIES).default('Open'),
  default: z.boolean().default(false),
  templates: z
    .strictObject({ incidentDocument: driveFile.optional(), executiveReport: driveFile.optional(), reviewDocument: driveFile.optional() })
    .default({}),
  /** PagerDuty services whose current on-call becomes commander / liaison (see `roles`). */
  commanderService: pagerdutyService.optional(),
  liaisonService: pagerdutyService.optional(),
  channelDescription: z.string().max(250, 'must be at most 250 characters (Slack limit)').optional(),
  ticket: z
    .strictObject({
      issueType: z.string().min(1).optional(),
      labels: z.array(z.string().regex(/^\S+$/, 'must be a Jira label (no spaces)')).default([]),
    })
    .default({ labels: [] }),
  excludeFromMetrics: z.boolean().default(false),
  excludeFromReminders: z.boolean().default(false),
  excludeFromReview: z.boolean().default(false),
});

const prioritySchema = z.strictObject({
  name: z.enum(PRIORITIES),
  /** Milliseconds between reminders to the commander; null: never. */
  tacticalReportReminder: reminder,
  executiveReportReminder: reminder,
  pageCommander: z.boolean().default(false),
});

const severitySchema = z.strictObject({
  name: z.enum(SEVERITIES),
  allowedForStable: z.boolean().default(true),
});

const individualSchema = z.strictObject({
  email,
  name,
  slackId: z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user id such as U0000RITA').optional(),
  filter: filterSchema,
});

const teamSchema = z.strictObject({ name, email, filter: filterSchema });

const oncallServiceSchema = z.strictObject({ name, pagerdutyServiceId: pagerdutyService, filter: filterSchema });

const notificationTargetSchema = z.strictObject({
  name,
  kind: z.enum(['slack-channel', 'email']),
  /** A Slack channel name (with or without #) or an email address, per `kind`. */
  target: z.string().trim().min(1, 'must not be empty'),
  /** Which incidents to announce; without one, every incident. */
  filter: filterSchema.optional(),
});

const rolesSchema = z.strictObject({
  /** oncall: the current on-call of the type's commanderService (the reporter if it has none). */
  commander: z.enum(['oncall', 'reporter']).default('oncall'),
  /** oncall: the current on-call of the type's liaisonService (no liaison if it has none). */
  liaison: z.enum(['oncall', 'none']).default('oncall'),
});

/** Built-in defaults, written as a file would be (and parsed like one): Dispatch's cadences. */
export const BUILT_IN_CONFIG = {
  incidentTypes: DEFAULT_INCIDENT_TYPES.map((type) => ({ name: type, default: type === DEFAULT_SETTINGS.defaultType })),
  priorities: [
    { name: 'Low', tacticalReportReminder: '12h', executiveReportReminder: 'never', pageCommander: false },
    { name: 'Medium', tacticalReportReminder: '6h', executiveReportReminder: '12h', pageCommander: false },
    { name: 'High', tacticalReportReminder: '2h', executiveReportReminder: '6h', pageCommander: false },
  ],
  severities: SEVERITIES.map((severity) => ({ name: severity, allowedForStable: true })),
  individuals: [],
  teams: [],
  oncallServices: [],
  notificationTargets: [],
  roles: { commander: 'oncall', liaison: 'oncall' },
} as const;

const shape = z.strictObject({
  incidentTypes: z.array(incidentTypeSchema).prefault(BUILT_IN_CONFIG.incidentTypes.map((t) => ({ ...t }))),
  priorities: z.array(prioritySchema).prefault(BUILT_IN_CONFIG.priorities.map((p) => ({ ...p }))),
  severities: z.array(severitySchema).prefault(BUILT_IN_CONFIG.severities.map((s) => ({ ...s }))),
  individuals: z.array(individualSchema).default([]),
  teams: z.array(teamSchema).default([]),
  oncallServices: z.array(oncallServiceSchema).default([]),
  notificationTargets: z.array(notificationTargetSchema).default([]),
  roles: rolesSchema.prefault({}),
});

export const musterConfigSchema = shape.superRefine((config, ctx) => {
  const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });

  const unique = <T>(list: string, items: readonly T[], key: keyof T & string) => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const value = String(item[key]).toLowerCase();
      const first = seen.get(value);
      if (first === undefined) seen.set(value, i);
      else issue([list, i, key], `${JSON.stringify(item[key])} is already used by ${list}[${first}]; each ${key} must be unique`);
    });
  };
  unique('incidentTypes', config.incidentTypes, 'name');
  unique('priorities', config.priorities, 'name');
  unique('severities', config.severities, 'name');
  unique('individuals', config.individuals, 'email');
  unique('teams', config.teams, 'name');
  unique('oncallServices', config.oncallServices, 'name');
  unique('notificationTargets', config.notificationTargets, 'name');

  const defaults = config.incidentTypes.flatMap((t, i) => (t.default ? [i] : []));
  if (defaults.length === 0) issue(['incidentTypes'], 'exactly one incident type must have default: true (none has)');
  for (const i of defaults.slice(1)) {
    issue(['incidentTypes', i, 'default'], `only one incident type may have default: true; incidentTypes[${defaults[0]}] (${config.incidentTypes[defaults[0]!]!.name}) already has`);
  }

  for (const [list, all] of [['priorities', PRIORITIES], ['severities', SEVERITIES]] as const) {
    const missing = all.filter((n) => !config[list].some((entry) => entry.name === n));
    if (missing.length > 0) issue([list], `missing ${missing.join(', ')}; list each of ${all.join(', ')} once`);
  }

  const typeNames = config.incidentTypes.map((t) => t.name);
  const checkTypes = (filter: Filter | undefined, path: Array<string | number>) => {
    if (filter) for (const [at, value] of typeValues(filter, path)) {
      if (!typeNames.includes(value)) issue(at, `${JSON.stringify(value)} is not an incident type; configured: ${typeNames.join(', ')}`);
    }
  };
  for (const list of ['individuals', 'teams', 'oncallServices', 'notificationTargets'] as const) {
    config[list].forEach((entry, i) => checkTypes(entry.filter, [list, i, 'filter']));
  }

  config.notificationTargets.forEach((t, i) => {
    if (t.kind === 'email' && !z.email().safeParse(t.target).success) {
      issue(['notificationTargets', i, 'target'], `must be an email address for kind email (got ${JSON.stringify(t.target)})`);
    } else if (t.kind === 'slack-channel' && !/^#?[a-z0-9_-]{1,80}$/.test(t.target)) {
      issue(['notificationTargets', i, 'target'], `must be a Slack channel name such as #incidents (lowercase letters, digits, - and _) for kind slack-channel (got ${JSON.stringify(t.target)})`);
    }
  });
});

export type MusterFileConfig = z.output<typeof musterConfigSchema>;

/** Each `type` value a filter compares with eq/ne/in/not_in, with its path (like patterns are free text). */
function typeValues(filter: Filter, path: Array<string | number>): Array<[Array<string | number>, string]> {
  if ('and' in filter) return filter.and.flatMap((f, i) => typeValues(f, [...path, 'and', i]));
  if ('or' in filter) return filter.or.flatMap((f, i) => typeValues(f, [...path, 'or', i]));
  if ('not' in filter) return typeValues(filter.not, [...path, 'not']);
  if (filter.field !== 'type' || filter.op === 'like' || filter.op === 'ilike') return [];
  return typeof filter.value === 'string'
    ? [[[...path, 'value'], filter.value]]
    : filter.value.map((v, i): [Array<string | number>, string] => [[...path, 'value', i], v]);
}

// ---------------------------------------------------------------------------------------------
// Loading

export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
  constructor(readonly issues: string[]) {
    super(issues.join('\n'));
  }
}

/**
 * The file given, else $MUSTER_CONFIG, else `config/muster.yaml`; if that one is absent, the
 * built-in defaults (and `source` says so). Throws ConfigFileError with one line per problem.
 */
export function loadMusterConfig(file?: string, env: NodeJS.ProcessEnv = process.env): { config: MusterFileConfig; source: string } {
  const named = file ?? (env.MUSTER_CONFIG || undefined);
  const path = named ?? DEFAULT_CONFIG_FILE;
  if (named === undefined && !existsSync(path)) {
    return { config: musterConfigSchema.parse(BUILT_IN_CONFIG), source: `built-in defaults (${DEFAULT_CONFIG_FILE} not found)` };
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigFileError([`${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  return { config: parseMusterConfig(text, path), source: path };
}

/** Parses and validates the text of a config file; `file` is only used in messages. */
export function parseMusterConfig(text: string, file: string): MusterFileConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigFileError(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return `${file}${at ? `:${at.line}:${at.col}` : ''}: YAML syntax: ${message}`;
      }),
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const result = musterConfigSchema.safeParse(data, { error: explain });
  if (result.success) return result.data;
  throw new ConfigFileError(
    result.error.issues.flatMap((issue) => {
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
      return paths.map((path) => {
        const at = locate(doc.contents, path, lineCounter);
        return `${file}${at}: ${formatIssuePath(path) || '(top level)'}: ${issue.message}`;
      });
    }),
  );
}

/** Messages for zod's own issues that say what is allowed. */
function explain(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `is required (${article(issue.expected)})` : `must be ${article(issue.expected)} (got ${describe(issue.input)})`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')} (got ${describe(issue.input)})`;
    case 'unrecognized_keys': {
      const inst = issue.inst;
      const allowed = inst instanceof z.ZodObject ? Object.keys(inst.shape).join(', ') : '';
      return `unknown key; allowed: ${allowed}`;
    }
    default:
      return undefined;
  }
}

function article(expected: string): string {
  return expected === 'array' ? 'a list' : expected === 'object' ? 'a mapping' : /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describe(input: unknown): string {
  if (Array.isArray(input)) return 'a list';
  if (input === null) return 'nothing';
  return typeof input === 'object' ? 'a mapping' : JSON.stringify(input);
}

/** `:line:col` of the deepest node on the path that the document has (the key, for a mapping entry). */
function locate(root: unknown, path: readonly PropertyKey[], lineCounter: LineCounter): string {
  let node = root;
  let offset = (root as YamlNode | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (!pair) break;
      offset = (pair.key as YamlNode).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
      node = node.items[key];
      offset = (node as YamlNode).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  if (offset === undefined) return '';
  const { line, col } = lineCounter.linePos(offset);
  return `:${line}:${col}`;
}

/** One line for `muster config check`: how much of each the file defines. */
export function summarizeMusterConfig(config: MusterFileConfig): string {
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  return [
    count(config.incidentTypes.length, 'incident type'),
    count(config.priorities.length, 'priority', 'priorities'),
    count(config.severities.length, 'severity', 'severities'),
    count(config.individuals.length, 'individual'),
    count(config.teams.length, 'team'),
    count(config.oncallServices.length, 'on-call service'),
    count(config.notificationTargets.length, 'notification target'),
  ].join(', ');
}
