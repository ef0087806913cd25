/** The App Home tab: the user's open incidents and their roles in each. */
import type { View } from '@slack/types';
import { section } from './blocks';
import type { SlackContext } from './context';
import { formatIncidentLine } from './format';

export async function publishHome(ctx: SlackContext, userId: string): Promise<void> {
  const me = await ctx.person(userId);
  const open = await ctx.store.listIncidents({ status: ['Active', 'Stable'] }, { limit: 200 });
  const mine = open.items.flatMap((incident) => {
    const roles = incident.participants.find((p) => p.email === me.email)?.roles;
    return roles?.length ? [{ incident, roles }] : [];
  });
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: 'Your open incidents' } },
    ...(mine.length === 0
      ? [section(`You are in no open incident. \`${ctx.settings.command} list\` shows the active ones; \`${ctx.settings.command} declare\` starts one.`)]
      : mine.map(({ incident, roles }) => section(`${formatIncidentLine(incident)}\nYour roles: *${roles.join(', ')}*`))),
  ];
  await ctx.web.views.publish({ user_id: userId, view: { type: 'home', blocks } as unknown as View });
}
