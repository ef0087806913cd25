/**
 * Buttons other parts of Muster put on messages (notifications, reminders, tasks). Acked at
 * once; the result goes to the message's response_url as an ephemeral reply.
 */
import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { isIncidentId } from '../../domain/rules';
import { UserError, type SlackContext } from './context';
import type { SlackExtensions } from './extensions';
import { feedbackModal } from './modals';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export const ACTION_IDS = {
  join: 'muster_join',
  subscribe: 'muster_subscribe',
  taskDone: 'muster_task_done',
  snooze: 'muster_snooze',
  feedback: 'muster_feedback',
} as const;

function incidentIdIn(value: string | undefined): string {
  const id = value?.split(':')[0];
  if (!id || !isIncidentId(id)) throw new UserError('This button does not name an incident; it may be from an older Muster.');
  return id;
}

export function registerActions(app: App, ctx: SlackContext, extensions: SlackExtensions): void {
  const button = (actionId: string, work: (args: ButtonArgs) => Promise<string | undefined>) => {
    app.action<BlockAction<ButtonAction>>(actionId, async (args) => {
      await args.ack();
      const responseUrl = args.body.response_url;
      try {
        const reply = await work(args as ButtonArgs);
        if (reply) await ctx.respond(responseUrl, reply);
      } catch (err) {
        await ctx.respond(responseUrl, ctx.explain(err));
      }
    });
  };

  button(ACTION_IDS.join, async ({ action, body }) => {
    const id = incidentIdIn(action.value);
    const person = await ctx.person(body.user.id);
    const incident = await ctx.client.addParticipant(id, { person, role: 'Participant', actor: person.email });
    const roles = incident.participants.find((p) => p.email === person.email)?.roles ?? [];
    const channel = incident.resources.channel?.externalId;
    return `You are in *${id}* (${roles.join(', ')})${channel ? `; its channel is <#${channel}>` : ''}.`;
  });

  button(ACTION_IDS.subscribe, async ({ action, body }) => {
    const id = incidentIdIn(action.value);
    const person = await ctx.person(body.user.id);
    return extensions.subscribe(id, { person, actor: person.email });
  });

  button(ACTION_IDS.taskDone, async ({ action, body }) => {
    const [id, taskId] = [incidentIdIn(action.value), action.value?.split(':')[1]];
    if (!taskId) throw new UserError('This button does not name a task.');
    return extensions.resolveTask(id, taskId, (await ctx.person(body.user.id)).email);
  });

  button(ACTION_IDS.snooze, async ({ action, body }) => {
    const id = incidentIdIn(action.value);
    const [, kind, minutesText] = action.value!.split(':');
    const minutes = Number(minutesText);
    if ((kind !== 'tactical' && kind !== 'executive') || !Number.isInteger(minutes) || minutes <= 0) throw new UserError('This reminder button is malformed.');
    return extensions.snooze(id, { kind, minutes, actor: (await ctx.person(body.user.id)).email });
  });

  button(ACTION_IDS.feedback, async ({ action, body, client }) => {
    const id = incidentIdIn(action.value);
    await client.views.open({ trigger_id: body.trigger_id, view: feedbackModal(id, { responseUrl: body.response_url, incidentId: id, channel: body.channel?.id }) });
    return undefined;
  });
}
