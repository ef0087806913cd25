import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_CONFIG, ConfigFileError, loadMusterConfig, musterConfigSchema } from '../../config/muster-config';
import { DEFAULT_SETTINGS, PRIORITIES, SEVERITIES } from '../../domain/incident';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'config', 'muster.example.yaml');
const dir = mkdtempSync(join(tmpdir(), 'muster-config-'));
const HOUR = 3_600_000;

let files = 0;
function write(text: string): string {
  const file = join(dir, `muster-${++files}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** The issues loading this text gives (none: fails the test). */
function issuesFor(text: string): { file: string; issues: string[] } {
  const file = write(text);
  try {
    loadMusterConfig(file);
  } catch (err) {
    if (err instanceof ConfigFileError) return { file, issues: err.issues };
    throw err;
  }
  throw new Error('expected the config to be refused');
}

const TYPES = `
incidentTypes:
  - name: Operational
    default: true
  - name: Security
    visibility: Restricted
`;

describe('the example', () => {
  test('validates and reads as written', () => {
    const { config, source } = loadMusterConfig(EXAMPLE);
    expect(source).toBe(EXAMPLE);
    expect(config.incidentTypes.map((t) => t.name)).toEqual(['Operational', 'Security', 'Data']);
    expect(config.incidentTypes.filter((t) => t.default).map((t) => t.name)).toEqual(['Operational']);
    const security = config.incidentTypes[1]!;
    expect(security).toMatchObject({ visibility: 'Restricted', commanderService: 'PSVCSEC', templates: { incidentDocument: 'tmpl-incident-doc' } });
    expect(config.priorities.find((p) => p.name === 'High')).toEqual({ name: 'High', tacticalReportReminder: 2 * HOUR, executiveReportReminder: 6 * HOUR, pageCommander: true });
    expect(config.individuals.map((i) => i.email)).toEqual(['dana@example.com', 'sam@example.com', 'liam@example.com']);
    expect(config.oncallServices.map((s) => s.pagerdutyServiceId)).toEqual(['PSVCDB1', 'PSVCSEC']);
    expect(config.teams[0]!.filter).toEqual({ field: 'type', op: 'eq', value: 'Security' });
    expect(config.notificationTargets[0]).toEqual({ name: 'All incidents', kind: 'slack-channel', target: '#incidents' });
    expect(config.roles).toEqual({ commander: 'oncall', liaison: 'oncall' });
  });
});

describe('built-in defaults', () => {
  test("equal Dispatch's: cadences, no paging, every severity allowed for stable, Muster's types", () => {
    const config = musterConfigSchema.parse(BUILT_IN_CONFIG);
    expect(config.priorities).toEqual([
      { name: 'Low', tacticalReportReminder: 12 * HOUR, executiveReportReminder: null, pageCommander: false },
      { name: 'Medium', tacticalReportReminder: 6 * HOUR, executiveReportReminder: 12 * HOUR, pageCommander: false },
      { name: 'High', tacticalReportReminder: 2 * HOUR, executiveReportReminder: 6 * HOUR, pageCommander: false },
    ]);
    expect(config.priorities.map((p) => p.name)).toEqual([...PRIORITIES]);
    expect(config.severities).toEqual(SEVERITIES.map((name) => ({ name, allowedForStable: true })));
    expect(config.incidentTypes.map((t) => t.name)).toEqual(DEFAULT_SETTINGS.incidentTypes);
    expect(config.incidentTypes.find((t) => t.default)!.name).toBe(DEFAULT_SETTINGS.defaultType);
    expect([config.individuals, config.teams, config.oncallServices, config.notificationTargets]).toEqual([[], [], [], []]);
  });

  test('are used, and said to be, when config/muster.yaml is absent', () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { config, source } = loadMusterConfig(undefined, {});
      expect(source).toBe('built-in defaults (config/muster.yaml not found)');
      expect(config).toEqual(musterConfigSchema.parse(BUILT_IN_CONFIG));
    } finally {
      process.chdir(cwd);
    }
  });

  test('fill sections a file leaves out', () => {
    const { config } = loadMusterConfig(write(TYPES));
    expect(config.priorities).toEqual(musterConfigSchema.parse(BUILT_IN_CONFIG).priorities);
    expect(config.incidentTypes.map((t) => t.name)).toEqual(['Operational', 'Security']);
  });

  test('MUSTER_CONFIG names the file; a missing one is an error, not the defaults', () => {
    expect(loadMusterConfig(undefined, { MUSTER_CONFIG: EXAMPLE }).source).toBe(EXAMPLE);
    const missing = join(dir, 'absent.yaml');
    expect(() => loadMusterConfig(undefined, { MUSTER_CONFIG: missing })).toThrow(`${missing}: cannot read it (ENOENT)`);
  });
});

describe('each error names the file, the line, the key path and what is allowed', () => {
  test('YAML syntax, with line and column', () => {
    const { file, issues } = issuesFor('incidentTypes:\n  - name: Operational\n    default: true\n  - name: [Security\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(new RegExp(`^${escape(file)}:5:1: YAML syntax: .*\\]`));
  });

  test('a duplicate key is a YAML error', () => {
    const { file, issues } = issuesFor(`${TYPES}roles:\n  commander: oncall\n  commander: reporter\n`);
    expect(issues).toEqual([`${file}:9:3: YAML syntax: Map keys must be unique`]);
  });

  test('unknown key lists the allowed ones', () => {
    const { file, issues } = issuesFor(`${TYPES}    templates:\n      incidentDoc: tmpl-incident-doc\n`);
    expect(issues).toEqual([
      `${file}:8:7: incidentTypes[1].templates.incidentDoc: unknown key; allowed: incidentDocument, executiveReport, reviewDocument`,
    ]);
  });

  test('unknown top-level key', () => {
    const { file, issues } = issuesFor(`${TYPES}oncall: []\n`);
    expect(issues[0]).toBe(
      `${file}:7:1: oncall: unknown key; allowed: incidentTypes, priorities, severities, individuals, teams, oncallServices, notificationTargets, roles`,
    );
  });

  test('bad priority name and bad duration', () => {
    const { file, issues } = issuesFor(`${TYPES}priorities:
  - name: Urgent
    tacticalReportReminder: 2h
    executiveReportReminder: never
  - name: High
    tacticalReportReminder: 2 hours
    executiveReportReminder: 0m
`);
    expect(issues).toEqual([
      `${file}:8:5: priorities[0].name: must be one of Low, Medium, High (got "Urgent")`,
      `${file}:12:5: priorities[1].tacticalReportReminder: must be a duration such as "30m", "2h" or "1d", or "never" (got "2 hours")`,
      `${file}:13:5: priorities[1].executiveReportReminder: must be a duration such as "30m", "2h" or "1d", or "never" (got "0m")`,
    ]);
  });

  test('every priority and severity must be listed', () => {
    const { file, issues } = issuesFor(`${TYPES}priorities:\n  - { name: High, tacticalReportReminder: 1h, executiveReportReminder: 4h }\n`);
    expect(issues).toEqual([`${file}:7:1: priorities: missing Low, Medium; list each of Low, Medium, High once`]);
  });

  test('two default incident types, and none', () => {
    const two = issuesFor(`${TYPES}  - name: Data\n    default: true\n`);
    expect(two.issues).toEqual([
      `${two.file}:8:5: incidentTypes[2].default: only one incident type may have default: true; incidentTypes[0] (Operational) already has`,
    ]);
    const none = issuesFor('incidentTypes:\n  - name: Operational\n');
    expect(none.issues).toEqual([`${none.file}:1:1: incidentTypes: exactly one incident type must have default: true (none has)`]);
  });

  test('duplicate names', () => {
    const { file, issues } = issuesFor(`${TYPES}  - name: security\n`);
    expect(issues).toEqual([`${file}:7:5: incidentTypes[2].name: "security" is already used by incidentTypes[1]; each name must be unique`]);
  });

  test('unknown incident type in a filter, however deep', () => {
    const { file, issues } = issuesFor(`${TYPES}teams:
  - name: Data platform
    email: data@example.com
    filter:
      or:
        - { field: tags, op: eq, value: database }
        - not: { field: type, op: in, value: [Security, Data] }
`);
    expect(issues).toEqual([`${file}:13:57: teams[0].filter.or[1].not.value[1]: "Data" is not an incident type; configured: Operational, Security`]);
  });

  test('bad filter op in a nested condition', () => {
    const { file, issues } = issuesFor(`${TYPES}individuals:
  - email: dana@example.com
    name: Dana DBA
    filter:
      and:
        - { field: type, op: eq, value: Operational }
        - { field: priority, op: equals, value: High }
`);
    expect(issues).toEqual([`${file}:13:30: individuals[0].filter.and[1].op: must be one of eq, ne, in, not_in, like, ilike`]);
  });

  test('bad emails and notification targets', () => {
    const { file, issues } = issuesFor(`${TYPES}individuals:
  - { email: dana, name: Dana, filter: { field: priority, op: eq, value: High } }
`);
    expect(issues).toEqual([`${file}:8:7: individuals[0].email: must be an email address such as rita@example.com (got "dana")`]);
    const targets = issuesFor(`${TYPES}notificationTargets:
  - { name: Everyone, kind: email, target: "#incidents" }
  - { name: Chat, kind: slack-channel, target: "Incidents Room" }
  - { name: Pager, kind: sms, target: "555" }
`);
    expect(targets.issues).toEqual([`${targets.file}:10:20: notificationTargets[2].kind: must be one of slack-channel, email (got "sms")`]);
    const fixed = issuesFor(`${TYPES}notificationTargets:
  - { name: Everyone, kind: email, target: "#incidents" }
  - { name: Chat, kind: slack-channel, target: "Incidents Room" }
`);
    expect(fixed.issues).toEqual([
      `${fixed.file}:8:36: notificationTargets[0].target: must be an email address for kind email (got "#incidents")`,
      `${fixed.file}:9:40: notificationTargets[1].target: must be a Slack channel name such as #incidents (lowercase letters, digits, - and _) for kind slack-channel (got "Incidents Room")`,
    ]);
  });

  test('wrong types and missing keys say what is expected', () => {
    const { file, issues } = issuesFor(`${TYPES}severities: High\nteams:\n  - { name: Ops, filter: { field: type, op: eq, value: Operational } }\n`);
    expect(issues).toEqual([`${file}:7:1: severities: must be a list (got "High")`, `${file}:9:5: teams[0].email: is required (a string)`]);
    expect(issuesFor('- a\n').issues[0]).toMatch(/:1:1: \(top level\): must be a mapping \(got a list\)$/);
  });
});

describe('muster config check', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--require', 'tsx/cjs', 'client/cli.ts', 'config', 'check', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, MUSTER_CONFIG: '', TEMPORAL_ADDRESS: '127.0.0.1:1' },
    });

  test('OK and exit 0 for the example, without Temporal', () => {
    const result = run('config/muster.example.yaml');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      'OK: config/muster.example.yaml: 3 incident types, 3 priorities, 5 severities, 3 individuals, 2 teams, 2 on-call services, 2 notification targets\n',
    );
    expect(result.status).toBe(0);
  }, 30_000);

  test('each issue and exit 2 for a bad file', () => {
    const file = write(`${TYPES}  - name: Data\n    default: true\n    visibility: Secret\n`);
    const result = run(file);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${file}:9:5: incidentTypes[2].visibility: must be one of Open, Restricted (got "Secret")\n`);
    expect(result.status).toBe(2);
  }, 30_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
