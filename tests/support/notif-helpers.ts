/**
 * What the notification tests share: a configuration with targets, and readers of the
 * sandbox's Slack channels and mailboxes.
 */
import { musterConfigSchema, type MusterFileConfig } from '../../config/muster-config';
import type { Sandbox } from '../../sandbox/server';
import type { ReceivedMail } from '../../sandbox/smtp';

/** Dana is engaged for database incidents. Everything goes to #incidents; High priority also to leadership by mail; Security to #security; #ghost does not exist. */
export const NOTIFY_CONFIG: MusterFileConfig = musterConfigSchema.parse({
  // Rule-added people are welcomed like everyone else.
  individuals: [{ email: 'dana@example.com', name: 'Dana DBA', filter: { field: 'tags', op: 'in', value: ['database'] } }],
  notificationTargets: [
    { name: 'All incidents', kind: 'slack-channel', target: '#incidents' },
    { name: 'Leadership', kind: 'email', target: 'leadership@example.com', filter: { field: 'priority', op: 'eq', value: 'High' } },
    { name: 'Security desk', kind: 'slack-channel', target: '#security', filter: { field: 'type', op: 'eq', value: 'Security' } },
    { name: 'Ghost', kind: 'slack-channel', target: '#ghost', filter: { field: 'tags', op: 'in', value: ['ghost'] } },
  ],
});

export interface SlackMessage {
  channel: string;
  text: string;
  ts: string;
  ephemeral_to?: string;
  blocks?: Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>;
  metadata?: { event_type: string; event_payload: { dedupe_key?: string } };
}
interface SlackState {
  channels: Array<{ id: string; name: string }>;
  messages: SlackMessage[];
}

export const slackState = (sandbox: Sandbox) => sandbox.state().slack as SlackState;

export function channelId(sandbox: Sandbox, name: string): string | undefined {
  return slackState(sandbox).channels.find((c) => c.name === name)?.id;
}

/** Notifications posted in a channel about one incident (by the key in their metadata). */
export function notificationsIn(sandbox: Sandbox, channelName: string, incidentId: string): SlackMessage[] {
  const id = channelId(sandbox, channelName);
  return slackState(sandbox).messages.filter(
    (m) => m.channel === id && m.metadata?.event_type === 'muster_notification' && m.metadata.event_payload.dedupe_key?.startsWith(`${incidentId}:`),
  );
}

export function ephemeralsIn(sandbox: Sandbox, channel: string | undefined): SlackMessage[] {
  return slackState(sandbox).messages.filter((m) => m.channel === channel && m.ephemeral_to);
}

/** Makes a channel as a workspace admin would, with the bot in it. */
export async function makeChannel(sandbox: Sandbox, name: string): Promise<void> {
  const response = await fetch(`${sandbox.url}/api/conversations.create`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sandbox.fixture.credentials.slackBotToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await response.json()) as { ok: boolean; error?: string };
  if (!body.ok && body.error !== 'name_taken') throw new Error(`could not make #${name}: ${body.error}`);
}

export const smtpMailbox = (sandbox: Sandbox) => (sandbox.state().smtp as { messages: ReceivedMail[]; duplicates: number });

export interface GmailMessage {
  to: string[];
  subject: string;
  body: string;
  headers: Record<string, string>;
}
export const gmailSent = (sandbox: Sandbox) => (sandbox.state().google as { messages: GmailMessage[] }).messages;
