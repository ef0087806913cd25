/**
 * Events API listeners (Bolt acks events before they run): people joining and leaving an
 * incident channel, messages there (toward Observer -> Participant), the timeline reaction, and
 * the App Home tab.
 */
import type { App } from '@slack/bolt';
import type { SlackContext } from './context';
import { publishHome } from './home';

/** Slack message timestamps are seconds.micro since the epoch. */
export const tsToIso = (ts: string): string => new Date(Math.round(Number(ts) * 1000)).toISOString();

export function registerEvents(app: App, ctx: SlackContext): void {
  let bot: Promise<string | undefined> | undefined;
  const botUserId = () => (bot ??= ctx.web.auth.test().then((r) => r.user_id, () => (bot = undefined)));

  app.event('member_joined_channel', async ({ event }) => {
    const incidentId = await ctx.incidentOfChannel(event.channel);
    if (!incidentId || event.user === (await botUserId())) return;
    try {
      const person = await ctx.person(event.user);
      await ctx.client.addParticipant(incidentId, { person, role: 'Observer', actor: person.email });
    } catch (err) {
      ctx.logger?.warn({ err, incidentId }, 'could not add a channel member to the incident');
    }
  });

  app.event('member_left_channel', async ({ event }) => {
    const incidentId = await ctx.incidentOfChannel(event.channel);
    if (!incidentId) return;
    try {
      const person = await ctx.person(event.user);
      await ctx.client.removeParticipant(incidentId, { person, actor: person.email });
    } catch (err) {
      // The commander leaving the channel stays commander; the rules refuse, which is the point.
      ctx.logger?.info({ err: String(err), incidentId }, 'a channel member stays in the incident');
    }
  });

  app.event('message', async ({ event }) => {
    if (event.subtype !== undefined || !('user' in event) || !event.user || 'bot_id' in event) return;
    const incidentId = await ctx.incidentOfChannel(event.channel);
    if (!incidentId) return;
    try {
      await ctx.client.recordChannelActivity(incidentId, { person: await ctx.person(event.user) });
    } catch (err) {
      ctx.logger?.warn({ err, incidentId }, 'could not count a channel message');
    }
  });

  app.event('reaction_added', async ({ event }) => {
    if (event.reaction !== ctx.settings.timelineReaction || event.item.type !== 'message') return;
    const { channel, ts } = event.item;
    const incidentId = await ctx.incidentOfChannel(channel);
    if (!incidentId) return;
    try {
      const history = await ctx.web.conversations.history({ channel, latest: ts, oldest: ts, inclusive: true, limit: 1 });
      const message = history.messages?.find((m) => m.ts === ts);
      if (!message?.text) return;
      const [reactor, author] = await Promise.all([ctx.person(event.user), message.user ? ctx.person(message.user).catch(() => undefined) : undefined]);
      const text = `${author ? `${author.name ?? author.email}: ` : ''}${message.text}`.slice(0, 4_000);
      const at = tsToIso(ts);
      // A second reaction (or Slack's retry) on the same message must not import it twice: `once`.
      await ctx.client.addTimelineNote(incidentId, { text, actor: reactor.email, at, once: true });
    } catch (err) {
      ctx.logger?.warn({ err, incidentId }, 'could not import a message into the timeline');
      await ctx.tell(channel, event.user, ctx.explain(err));
    }
  });

  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    try {
      await publishHome(ctx, event.user);
    } catch (err) {
      ctx.logger?.warn({ err }, 'could not publish the App Home');
    }
  });
}
