/**
 * `muster`: the command line on MusterClient. Reads the same environment as the worker
 * (TEMPORAL_ADDRESS, MUSTER_TASK_QUEUE, ...); MUSTER_ACTOR says who you are.
 */
import { hostname, userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { loadConfig } from '../config/env';
import { ConfigFileError, loadMusterConfig, summarizeMusterConfig } from '../config/muster-config';
import { PRIORITIES, SEVERITIES, INCIDENT_STATUSES, VISIBILITIES, type IncidentChanges, type Role } from '../domain/incident';
import { RESOURCE_KINDS } from '../domain/resources';
import { formatIncident, formatList, formatResources } from './format';
import { publicFeedback } from '../domain/feedback';
import { IncidentNotFoundError, IncidentRejectedError, MusterClient } from './muster-client';

function defaultActor(): string {
  return process.env.MUSTER_ACTOR ?? `${userInfo().username}@${hostname()}`;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

async function withClient<T>(fn: (client: MusterClient) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const client = await MusterClient.connect({
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    incidentPrefix: config.incidentPrefix,
    settings: config.settings,
  });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function print(json: boolean, value: unknown, text: string): void {
  console.log(json ? JSON.stringify(value, null, 2) : text);
}

export function buildCli(): Command {
  const program = new Command('muster')
    .description('Declare and drive incidents on Muster')
    .option('--json', 'print JSON instead of text', false)
    .option('--as <actor>', 'who is acting (default: $MUSTER_ACTOR or user@host)', defaultActor())
    .showHelpAfterError();
  const globals = () => program.opts<{ json: boolean; as: string }>();

  program
    .command('declare')
    .description('declare a new incident')
    .requiredOption('-t, --title <title>', 'what is happening, in a few words')
    .option('-d, --description <text>', 'what is known so far')
    .addOption(new Option('-p, --priority <priority>').choices(PRIORITIES))
    .addOption(new Option('-s, --severity <severity>').choices(SEVERITIES))
    .option('--type <type>', 'incident type')
    .option('--commander <email>', 'incident commander (default: you)')
    .option('--reporter <email>', 'who reports it (default: you)')
    .option('--tag <tag>', 'a tag (repeat for more)', collect)
    .option('--restricted', 'visible to its participants only')
    .option('--idempotency-key <key>', 'repeat a declaration safely: the same key gives the same incident')
    .action(async (o) => {
      const me = globals().as;
      const result = await withClient((c) =>
        c.declare(
          {
            title: o.title,
            description: o.description,
            priority: o.priority,
            severity: o.severity,
            type: o.type,
            tags: o.tag,
            visibility: o.restricted ? 'Restricted' : undefined,
            reporter: { email: o.reporter ?? me },
            commander: o.commander ? { email: o.commander } : undefined,
          },
          { idempotencyKey: o.idempotencyKey },
        ),
      );
      const verb = result.created ? 'Declared' : 'Already declared';
      print(globals().json, result, `${verb} ${result.incident.id}\n\n${formatIncident(result.incident)}`);
    });

  program
    .command('list')
    .description('list incidents, newest first')
    .addOption(new Option('--status <status...>').choices(INCIDENT_STATUSES))
    .addOption(new Option('--severity <severity...>').choices(SEVERITIES))
    .addOption(new Option('--priority <priority...>').choices(PRIORITIES))
    .option('--type <type...>')
    .option('--commander <email>')
    .option('--limit <n>', 'at most this many', (v) => Number.parseInt(v, 10), 50)
    .action(async (o) => {
      const items = await withClient((c) =>
        c.list({ status: o.status, severity: o.severity, priority: o.priority, type: o.type, commander: o.commander }, o.limit),
      );
      print(globals().json, items, formatList(items));
    });

  program
    .command('show <id>')
    .description("an incident's live state and timeline")
    .action(async (id: string) => {
      const incident = await withClient((c) => c.get(id.toUpperCase()));
      print(globals().json, incident, formatIncident(incident));
    });

  program
    .command('update <id>')
    .description('change an incident (status, severity, priority, ...)')
    .option('--title <title>')
    .option('--description <text>')
    .option('--type <type>')
    .addOption(new Option('--severity <severity>').choices(SEVERITIES))
    .addOption(new Option('--priority <priority>').choices(PRIORITIES))
    .addOption(new Option('--status <status>').choices(INCIDENT_STATUSES))
    .addOption(new Option('--visibility <visibility>').choices(VISIBILITIES))
    .option('--commander <email>')
    .action(async (id: string, o) => {
      const changes: IncidentChanges = {};
      for (const field of ['title', 'description', 'type', 'severity', 'priority', 'status', 'visibility'] as const) {
        if (o[field] !== undefined) Object.assign(changes, { [field]: o[field] });
      }
      if (o.commander) changes.commander = { email: o.commander };
      if (Object.keys(changes).length === 0) throw new IncidentRejectedError('invalid_field', 'say what to change, e.g. --status Stable', 'changes');
      const incident = await withClient((c) => c.update(id.toUpperCase(), changes, globals().as));
      print(globals().json, incident, `Updated ${incident.id}\n\n${formatIncident(incident)}`);
    });

  const timeline = program.command('timeline').description("an incident's timeline");
  timeline
    .command('add <id> <text...>')
    .description('add a note to the timeline')
    .option('--at <time>', 'when it happened (ISO 8601), if not now')
    .action(async (id: string, words: string[], o) => {
      const incidentId = id.toUpperCase();
      await withClient((c) => c.addTimelineEvent(incidentId, { text: words.join(' '), actor: globals().as, at: o.at }));
      print(globals().json, { ok: true }, `Added to ${incidentId}'s timeline.`);
    });

  const role = program.command('role').description('assign or renounce roles: Commander, Liaison, Scribe, Participant, Observer');
  for (const action of ['assign', 'renounce'] as const) {
    role
      .command(`${action} <id> <role> <email>`)
      .description(action === 'assign' ? 'give someone a role (Commander hands over command)' : 'take a role away from someone')
      .action(async (id: string, roleName: string, email: string) => {
        const normalized = roleName.charAt(0).toUpperCase() + roleName.slice(1).toLowerCase();
        const incident = await withClient((c) => c.changeRole(id.toUpperCase(), { action, role: normalized as Role, person: { email } }, globals().as));
        const who = incident.participants.map((p) => `  ${p.email}  ${p.roles.join(', ')}`).join('\n');
        print(globals().json, incident.participants, `${incident.id} participants:\n${who}`);
      });
  }

  program
    .command('engage-oncall <id> <service>')
    .description("bring a service's current on-call into the incident (service: config name or PagerDuty id)")
    .option('--role <role>', 'their role: Participant (default), Observer, Liaison, Scribe, Commander')
    .option('--page', 'also page them through PagerDuty')
    .action(async (id: string, service: string, o: { role?: string; page?: boolean }) => {
      const role = o.role ? ((o.role.charAt(0).toUpperCase() + o.role.slice(1).toLowerCase()) as Role) : undefined;
      const incident = await withClient((c) => c.engageOncall(id.toUpperCase(), { service, role, page: o.page ?? false, actor: globals().as }));
      const engaged = incident.timeline.filter((e) => e.kind === 'engagement').slice(-2).map((e) => `  ${e.text}`).join('\n');
      print(globals().json, incident.participants, `${incident.id}:\n${engaged}`);
    });

  const resources = program.command('resources').description("an incident's resources (channel, ticket, documents, ...)");
  resources
    .command('list <id>', { isDefault: true })
    .description('each resource and its state')
    .action(async (id: string) => {
      const incident = await withClient((c) => c.get(id.toUpperCase()));
      print(globals().json, incident.resources, formatResources(incident));
    });
  resources
    .command('retry <id> <resource>')
    .description(`make a failed resource again (${RESOURCE_KINDS.join(', ')})`)
    .action(async (id: string, resource: string) => {
      const incident = await withClient((c) => c.retryResource(id.toUpperCase(), resource, globals().as));
      print(globals().json, incident.resources, `Retrying ${resource} of ${incident.id}.\n\n${formatResources(incident)}`);
    });

  program
    .command('subscribe <id> <email>')
    .description("add someone to the incident's notifications group (every update by email)")
    .action(async (id: string, email: string) => {
      const incident = await withClient((c) => c.subscribe(id.toUpperCase(), { person: { email }, actor: globals().as }));
      print(globals().json, { ok: true, incident: incident.id, email }, `Subscribed ${email} to ${incident.id}'s notifications.`);
    });

  const config = program.command('config').description('the configuration file (incident types, priorities, engagement rules)');
  config
    .command('check [file]')
    .description('validate a config file (default: $MUSTER_CONFIG or config/muster.yaml); needs no server')
    .action((file?: string) => {
      try {
        const { config: loaded, source } = loadMusterConfig(file);
        console.log(`OK: ${source}: ${summarizeMusterConfig(loaded)}`);
      } catch (err) {
        if (!(err instanceof ConfigFileError)) throw err;
        for (const issue of err.issues) console.error(issue);
        process.exitCode = 2;
      }
    });

  program
    .command('feedback <id>')
    .description('give feedback on an incident you took part in (as --as / $MUSTER_ACTOR, an email); again to replace it')
    .requiredOption('--rating <n>', 'how the response went, 1 (poor) to 5 (excellent)')
    .option('--text <text>', 'what to keep or change (up to 4000 characters)')
    .option('--anonymous', 'do not show your name with it', false)
    .action(async (id: string, o: { rating: string; text?: string; anonymous: boolean }) => {
      const rating = /^\d+$/.test(o.rating) ? Number(o.rating) : Number.NaN;
      const request = { person: { email: globals().as }, rating, text: o.text, anonymous: o.anonymous };
      const incident = await withClient((c) => c.submitFeedback(id.toUpperCase(), request));
      print(globals().json, publicFeedback(incident.feedback), `Thanks: your feedback on ${incident.id} is recorded (${rating}/5${o.anonymous ? ', anonymous' : ''}).`);
    });

  return program;
}

/** Exit codes: 2 refused, 3 not found, 1 anything else. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof IncidentRejectedError) {
      console.error(`Refused: ${err.message}`);
      process.exitCode = 2;
    } else if (err instanceof IncidentNotFoundError) {
      console.error(err.message);
      process.exitCode = 3;
    } else {
      const message = err instanceof Error ? err.message : String(err);
      const unreachable = /connect|UNAVAILABLE|ECONNREFUSED|deadline/i.test(message);
      console.error(unreachable ? `Cannot reach Temporal (${message}). Is \`npm start\` running?` : message);
      process.exitCode = 1;
    }
  }
}

if (require.main === module) void main(process.argv);
