/**
 * After a declaration from Slack: tell the person the channel's link once the workflow has
 * made it (or why it could not). Polls the workflow's state; gives up quietly after a while,
 * since the channel may be waiting on Slack itself.
 */
import type { SlackContext } from './context';

const POLL_MS = 250;
const GIVE_UP_MS = 120_000;

export async function announceWhenReady(ctx: SlackContext, incidentId: string, responseUrl: string | undefined): Promise<void> {
  const deadline = Date.now() + GIVE_UP_MS;
  while (Date.now() < deadline) {
    const incident = await ctx.client.get(incidentId);
    const channel = incident.resources.channel;
    if (channel?.status === 'ready' && channel.externalId) {
      ctx.rememberChannel(channel.externalId, incidentId);
      await ctx.respond(responseUrl, `*${incidentId}* is ready: <#${channel.externalId}>${channel.url ? ` (${channel.url})` : ''}`);
      return;
    }
    if (channel?.status === 'failed') {
      await ctx.respond(responseUrl, `*${incidentId}* is declared, but its channel could not be made: ${channel.error ?? 'unknown error'}. Muster told the commander by email.`);
      return;
    }
    // A deployment without Slack resources never makes a channel.
    if (!channel && incident.assembledAt) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
