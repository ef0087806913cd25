/**
 * The slash command (/muster by default) and its subcommands. Every invocation is acked at once
 * (help is the ack itself); the work runs after, and its result goes to the command's
 * response_url as an ephemeral reply. Modals open with the command's trigger_id.
 */
import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { INCIDENT_STATUSES, ROLES, type IncidentState, type IncidentStatus, type Person, type Role } from '../../domain/incident';
import { EMAIL, mentionedUser, UserError, type SlackContext } from './context';
import type { SlackExtensions } from './extensions';
import { declareModal, engageOncallModal, executiveModal, tacticalModal, updateModal, type ModalMetadata } from './modals';
import { formatIncidentLine, formatParticipants, formatResources, formatSummary } from './format';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
type Command = CommandArgs['command'];

export function helpText(command: string): string {
  return [
    `*${command}* runs incidents from Slack. In an incident's channel the incident is implied; elsewhere name it after the subcommand, e.g. \`${command} status INC-7 stable\`.`,
    `• \`${command} declare\`: declare an incident (opens a form)`,
    `• \`${command} update\`: change title, description, type, severity, priority, visibility (commander or scribe)`,
    `• \`${command} status\`: the incident at a glance; \`${command} status active|stable|closed\` changes it`,
    `• \`${command} assign-role <role> @person\`: roles ${ROLES.filter((r) => r !== 'Reporter').join(', ')} (commander or scribe)`,
    `• \`${command} engage-oncall\`: add a service's on-call, optionally paging them`,
    `• \`${command} report tactical\` / \`${command} report executive\` (commander or scribe)`,
    `• \`${command} timeline <text>\`: add a note to the timeline (commander or scribe)`,
    `• \`${command} task add <description>\` (commander or scribe), \`task list\`, \`task mine\`, \`task done <task id>\``,
    `• \`${command} subscribe\`: get every update by email`,
    `• \`${command} participants\`, \`${command} resources\`, \`${command} list\` (active incidents)`,
    `React with :stopwatch: to a message in an incident channel to put it in the timeline.`,
  ].join('\n');
}

/** Splits the command text on spaces; Slack sends mentions as <@U123|name>. */
export function tokenize(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

const statusOf = (word: string | undefined): IncidentStatus => {
  const found = INCIDENT_STATUSES.find((s) => s.toLowerCase() === word?.toLowerCase());
  if (!found) throw new UserError(`Say which status: ${INCIDENT_STATUSES.map((s) => s.toLowerCase()).join(', ')}.`);
  return found;
};

const roleOf = (word: string | undefined): Role => {
  const found = ROLES.find((r) => r.toLowerCase() === word?.toLowerCase());
  if (!found || found === 'Reporter') throw new UserError(`Unknown role ${word ? `"${word}"` : ''}; roles are ${ROLES.filter((r) => r !== 'Reporter').join(', ')}.`);
  return found;
};

export function registerCommands(app: App, ctx: SlackContext, extensions: SlackExtensions): void {
  const { command: name } = ctx.settings;

  app.command(name, async ({ command, ack, client }: CommandArgs) => {
    const args = tokenize(command.text ?? '');
    const sub = args.shift()?.toLowerCase();
    if (!sub || sub === 'help') return void (await ack({ response_type: 'ephemeral', text: helpText(name) }));
    if (!SUBCOMMANDS.has(sub)) {
      return void (await ack({ response_type: 'ephemeral', text: `Unknown subcommand "${sub}". \`${name} help\` lists what Muster can do.` }));
    }
    await ack();
    try {
      const reply = await run(sub, args, command, client.views.open.bind(client.views));
      if (reply) await ctx.respond(command.response_url, reply);
    } catch (err) {
      await ctx.respond(command.response_url, ctx.explain(err));
    }
  });

  type OpenView = CommandArgs['client']['views']['open'];

  async function run(sub: string, args: string[], command: Command, openView: OpenView): Promise<string | undefined> {
    const metadata = (incidentId?: string): ModalMetadata => ({ responseUrl: command.response_url, channel: command.channel_id, incidentId });
    const open = async (view: Parameters<OpenView>[0]['view']) => {
      await openView({ trigger_id: command.trigger_id, view });
    };
    const me = () => ctx.person(command.user_id);
    const incidentFor = (usage: string) => ctx.incidentFor(args, command.channel_id, usage);
    const directed = async (incidentId: string, what: string): Promise<[IncidentState, Person]> => {
      const [incident, who] = await Promise.all([ctx.client.get(incidentId), me()]);
      ctx.assertDirects(incident, who, what);
      return [incident, who];
    };

    switch (sub) {
      case 'declare':
        await open(declareModal(ctx, metadata()));
        return undefined;

      case 'update': {
        const id = await incidentFor('update INC-7');
        const [incident] = await directed(id, 'update it');
        await open(updateModal(ctx, incident, metadata(id)));
        return undefined;
      }

      case 'status': {
        const id = await incidentFor('status INC-7 stable');
        // Without a status: the incident at a glance.
        if (args.length === 0) return formatSummary(await ctx.client.get(id));
        const status = statusOf(args[0]);
        const who = await me();
        await ctx.client.update(id, { status }, who.email);
        return `*${id}* is now ${status}.`;
      }

      case 'assign-role': {
        const id = await incidentFor('assign-role INC-7 scribe @person');
        const role = roleOf(args[0]);
        const target = await personNamed(args[1]);
        const [, who] = await directed(id, 'assign roles');
        await ctx.client.changeRole(id, { action: 'assign', role, person: target }, who.email);
        return `${target.name ?? target.email} is now ${role} of *${id}*.`;
      }

      case 'engage-oncall': {
        const id = await incidentFor('engage-oncall INC-7');
        await open(engageOncallModal(id, metadata(id)));
        return undefined;
      }

      case 'report': {
        const kind = args.shift()?.toLowerCase();
        if (kind !== 'tactical' && kind !== 'executive') throw new UserError(`Which report: \`${name} report tactical\` or \`${name} report executive\`.`);
        const id = await incidentFor(`report ${kind} INC-7`);
        await directed(id, `post a ${kind} report`);
        await open(kind === 'tactical' ? tacticalModal(id, metadata(id)) : executiveModal(id, metadata(id)));
        return undefined;
      }

      case 'timeline': {
        const id = await incidentFor('timeline INC-7 <text>');
        // `timeline add <text>` reads the same (Muster's welcome messages say it that way).
        if (args[0]?.toLowerCase() === 'add') args.shift();
        const text = args.join(' ').trim();
        if (!text) throw new UserError(`Say what happened: \`${name} timeline Failed over to the replica\`.`);
        // One round trip: the workflow checks the actor (commander or scribe) and adds the note.
        const who = await me();
        await ctx.client.addTimelineNote(id, { text, actor: who.email, requireDirector: true });
        return `Added to the timeline of *${id}*.`;
      }

      case 'task':
        return task(args, command);

      case 'subscribe': {
        const id = await incidentFor('subscribe INC-7');
        const who = await me();
        return extensions.subscribe(id, { person: who, actor: who.email });
      }

      case 'participants': {
        const id = await incidentFor('participants INC-7');
        return formatParticipants(await ctx.client.get(id));
      }

      case 'resources': {
        const id = await incidentFor('resources INC-7');
        return formatResources(await ctx.client.get(id));
      }

      case 'list': {
        const active = await ctx.store.listIncidents({ status: ['Active', 'Stable'] }, { limit: 25 });
        if (active.items.length === 0) return 'No active incidents.';
        return ['*Active incidents*', ...active.items.map(formatIncidentLine)].join('\n');
      }
    }
    return undefined;
  }

  async function task(args: string[], command: Command): Promise<string> {
    const action = args.shift()?.toLowerCase();
    const me = () => ctx.person(command.user_id);
    switch (action) {
      case 'mine': {
        return extensions.tasksFor((await me()).email);
      }
      case 'list': {
        const id = await ctx.incidentFor(args, command.channel_id, 'task list INC-7');
        return extensions.listTasks(id);
      }
      case 'add': {
        const id = await ctx.incidentFor(args, command.channel_id, 'task add INC-7 <description>');
        const description = args.join(' ').trim();
        if (!description) throw new UserError(`Describe the task: \`${name} task add Check the replica lag\`.`);
        // The workflow checks the actor (commander or scribe) as it adds the task: no query first.
        const who = await me();
        return extensions.addTask(id, { description, actor: who.email, requireDirector: true });
      }
      case 'done': {
        const id = await ctx.incidentFor(args, command.channel_id, 'task done INC-7 <task id>');
        const taskId = args[0];
        if (!taskId) throw new UserError(`Which task: \`${name} task done <task id>\` (\`${name} task list\` shows them).`);
        return extensions.resolveTask(id, taskId, (await me()).email);
      }
      default:
        throw new UserError(`\`${name} task add <description>\`, \`task list\`, \`task mine\` or \`task done <task id>\`.`);
    }
  }

  async function personNamed(token: string | undefined): Promise<Person> {
    const userId = mentionedUser(token);
    if (userId) return ctx.person(userId);
    if (token && EMAIL.test(token)) return { email: token.toLowerCase() };
    throw new UserError(`Say who: \`${name} assign-role scribe @person\`.`);
  }
}

const SUBCOMMANDS = new Set(['declare', 'update', 'status', 'assign-role', 'engage-oncall', 'report', 'timeline', 'task', 'subscribe', 'participants', 'resources', 'list']);
