/**
 * The welcome every new participant gets (ephemeral in the incident channel, and by email):
 * what their role means and the commands they will need. Pure text.
 */
import type { Role } from './incident';
import type { IncidentBrief } from './resources';

/** What each role is for, in one or two sentences a responder reads in passing. */
export const ROLE_DUTIES: Record<Role, string> = {
  Commander: 'You lead the response: keep status, severity and priority current, assign roles, and post tactical and executive reports.',
  Liaison: 'You keep everyone outside the channel informed: stakeholders, customers-facing teams and leadership. Post executive reports.',
  Scribe: 'You keep the timeline: add notes on decisions, findings and actions as they happen.',
  Reporter: 'Thanks for reporting. Stay around: the commander may need what you saw.',
  Participant: 'You are working on the incident. Say in the channel what you are doing, and take tasks the commander assigns.',
  Observer: 'You were brought in to follow along. Speak up if you can help; join as a participant when you start working on it.',
};

/** The commands each role needs, most useful first. */
export const ROLE_COMMANDS: Record<Role, ReadonlyArray<readonly [command: string, what: string]>> = {
  Commander: [
    ['/muster update', 'change status, severity, priority or title'],
    ['/muster role assign <role> <email>', 'give someone a role (Liaison, Scribe, ...)'],
    ['/muster report tactical', 'post conditions, actions and needs'],
    ['/muster task add', 'assign work and follow it'],
  ],
  Liaison: [
    ['/muster report executive', 'post a summary for leadership'],
    ['/muster status', 'see the incident at a glance'],
  ],
  Scribe: [
    ['/muster timeline add <text>', 'record a decision or finding'],
    ['/muster status', 'see the incident at a glance'],
  ],
  Reporter: [['/muster status', 'see the incident at a glance']],
  Participant: [
    ['/muster status', 'see the incident at a glance'],
    ['/muster task add', 'track work you are doing'],
    ['/muster timeline add <text>', 'record a finding'],
  ],
  Observer: [
    ['/muster status', 'see the incident at a glance'],
    ['/muster subscribe', 'get every update by email'],
  ],
};

/** Roles in the order a welcome mentions them. */
const ORDER: Role[] = ['Commander', 'Liaison', 'Scribe', 'Reporter', 'Participant', 'Observer'];

export interface Welcome {
  subject: string;
  text: string;
}

/** The welcome for someone holding `roles` in an incident; commands listed once even if roles share them. */
export function welcomeMessage(incident: Pick<IncidentBrief, 'id' | 'title'>, roles: readonly Role[], channelUrl?: string): Welcome {
  const held = ORDER.filter((role) => roles.includes(role));
  const shown = held.length > 0 ? held : (['Participant'] as Role[]);
  const seen = new Set<string>();
  const commands = shown
    .flatMap((role) => ROLE_COMMANDS[role])
    .filter(([command]) => !seen.has(command) && seen.add(command))
    .map(([command, what]) => `• \`${command}\`: ${what}`);
  const text = [
    `Welcome to ${incident.id} (${incident.title}). You are ${shown.map(article).join(' and ')}.`,
    ...shown.map((role) => ROLE_DUTIES[role]),
    '',
    'Commands you will need:',
    ...commands,
    channelUrl ? `\nIncident channel: ${channelUrl}` : '',
  ]
    .filter((line, i, all) => line !== '' || (i > 0 && all[i - 1] !== ''))
    .join('\n')
    .trim();
  return { subject: `Welcome to ${incident.id}: you are ${shown.join(' and ')}`, text };
}

const article = (role: Role) => `the ${role}`;
