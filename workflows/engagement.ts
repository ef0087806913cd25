/**
 * Pulls the right people into an incident: the role policy on declare (commander and liaison
 * from the type's on-call services), the configuration's rules on declare and whenever a field
 * they look at changes while Active, the commander's page once the channel and document exist,
 * and on-call engaged by hand. Runs as one coroutine inside the incident workflow.
 */
import { ActivityFailure, ApplicationFailure, condition, log, patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { MusterActivities } from '../activities';
import {
  applyEngagement,
  applyEngagementNote,
  engagedTeams,
  pageDedupKey,
  roleLabels,
  ruleFingerprint,
  type EngagementProgress,
  type EngagementSettings,
  type OncallServiceRef,
} from '../domain/engagement';
import type { IncidentLike } from '../domain/filters';
import type { IncidentState, Person, Role } from '../domain/incident';
import { applyRoleChange } from '../domain/rules';

/** Lookups and group changes: retried like resource steps (a dead worker is noticed by heartbeat). */
const vendor = proxyActivities<MusterActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 12 },
});

/**
 * Pages are visible side effects: attempts are capped. A retry is safe (the dedup key folds it
 * into the first page) so a worker killed mid-send costs a resend, never a second page.
 */
const paging = proxyActivities<MusterActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

/** The configuration slice is read from the worker: a local activity, no round trip to the server. */
const local = proxyLocalActivities<MusterActivities>({ startToCloseTimeout: '10 seconds' });

export interface EngagementControl {
  /** The configuration slice, once loaded (update validators wait for it). */
  settings?: EngagementSettings;
  /** True while an activity of this coroutine runs or a page waits: no hand-over then. */
  busy: boolean;
  progress: EngagementProgress;
  /** Whether a change waits to be acted on (set once the coroutine runs). */
  hasWork?: () => boolean;
}

/** Where a run starts: carried over, or from nothing (a new incident, or a run of older code). */
export function startEngagement(carried: EngagementProgress | undefined): EngagementControl {
  return { busy: false, progress: { resolvedFor: carried?.resolvedFor, labelled: [...(carried?.labelled ?? [])], addedTeams: [...(carried?.addedTeams ?? [])] } };
}

export const engagementProgressOf = ({ progress }: EngagementControl): EngagementProgress => ({
  ...(progress.resolvedFor !== undefined ? { resolvedFor: progress.resolvedFor } : {}),
  labelled: [...progress.labelled],
  addedTeams: [...progress.addedTeams],
});

export interface EngagementHooks {
  /** The commander or other roles changed: publish and sync the resources. */
  rolesChanged(): void;
  /** New people: invite them to the channel and the tactical group. */
  peopleAdded(): void;
}

/** What the run that declared the incident knows about the declaration. */
export interface Declared {
  commanderNamed: boolean;
}

/** How long a page waits for the channel and document to link to before it goes without them. */
const PAGE_WAITS_FOR_LINKS = '2 minutes';

const now = () => new Date().toISOString();

function reason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return String(cause);
}

/** Only what filters read: the timeline stays out of the payload. */
function filterView(incident: IncidentState): IncidentLike {
  const { type, priority, severity, status, visibility, tags, title, description, commander, reporter } = incident;
  return { type, priority, severity, status, visibility, tags, title, description, commander, reporter };
}

function linksFor(incident: IncidentState): Array<{ href: string; text: string }> {
  return (['channel', 'document'] as const).flatMap((kind) => {
    const resource = incident.resources[kind];
    return resource?.status === 'ready' && resource.url ? [{ href: resource.url, text: kind === 'channel' ? 'Incident channel' : 'Incident document' }] : [];
  });
}

/** The channel and document are each made, failed, or not part of this deployment. */
function linksSettled(incident: IncidentState): boolean {
  if (Object.keys(incident.resources).length === 0) return false; // not planned yet
  return (['channel', 'document'] as const).every((kind) => incident.resources[kind]?.status !== 'pending');
}

function serviceName(settings: EngagementSettings, serviceId: string): string {
  return settings.services.find((s) => s.serviceId === serviceId)?.name ?? serviceId;
}

async function sendPage(incident: IncidentState, settings: EngagementSettings, serviceId: string, target: Person, request: string, actor: string): Promise<void> {
  const name = serviceName(settings, serviceId);
  const links = linksFor(incident);
  try {
    const { id } = await paging.page({
      incidentId: incident.id,
      serviceId,
      dedupKey: pageDedupKey(incident.id, serviceId, request),
      title: `${incident.id}: ${incident.title} (${incident.priority} priority)`,
      details: `${target.name ?? target.email} is needed on ${incident.id}. ${links.map((l) => `${l.text}: ${l.href}`).join(' ')}`.trim(),
      links,
    });
    applyEngagementNote(incident, now(), actor, 'page', target.email, `Paged ${target.name ?? target.email} through ${name} (PagerDuty ${id})`);
  } catch (err) {
    applyEngagementNote(incident, now(), actor, 'page', target.email, `Could not page ${target.name ?? target.email} through ${name}: ${reason(err)}`);
  }
}

/** The commander and liaison the role policy picks from the type's on-call services. */
async function applyRolePolicy(incident: IncidentState, settings: EngagementSettings, declaration: Declared, hooks: EngagementHooks): Promise<void> {
  const type = settings.types[incident.type] ?? {};
  const picks: Array<[Role, string]> = [];
  if (!declaration.commanderNamed && settings.roles.commander === 'oncall' && type.commanderService) picks.push(['Commander', type.commanderService]);
  if (settings.roles.liaison === 'oncall' && type.liaisonService) picks.push(['Liaison', type.liaisonService]);
  const found = await Promise.all(
    picks.map(([role, serviceId]) =>
      vendor.currentOncall(serviceId).then(
        (people) => ({ role, serviceId, person: people[0] }),
        (err: unknown) => {
          log.warn('Could not look up on-call for the role policy', { role, serviceId, error: reason(err) });
          return { role, serviceId, person: undefined };
        },
      ),
    ),
  );
  for (const { role, serviceId, person } of found) {
    if (!person) continue;
    const holds = incident.participants.find((p) => p.email === person.email)?.roles.includes(role) ?? false;
    if (holds) continue;
    applyRoleChange(incident, { action: 'assign', role, person }, 'muster', now());
    applyEngagementNote(incident, now(), 'muster', role.toLowerCase(), person.email, `${person.name ?? person.email} is ${role}: on call for ${serviceName(settings, serviceId)}`);
    hooks.rolesChanged();
  }
}

/**
 * The coroutine. `declaration` is set only in the run that declared the incident: the role
 * policy and the commander's page belong to the declaration, never to a later run.
 * `settingsWhenAsked`: a run without a declaration loads the configuration only when someone
 * engages an on-call (runs of older code load it at once, and replay so).
 */
export async function runEngagement(
  incident: IncidentState,
  control: EngagementControl,
  declaration: Declared | undefined,
  hooks: EngagementHooks,
  since: (patch: string) => boolean = patched,
  settingsWhenAsked = false,
): Promise<never> {
  control.busy = true;
  // Only a declaration's role policy and page use it here.
  const settings = declaration || !settingsWhenAsked ? (control.settings = await local.engagementSettings()) : undefined;

  const { progress } = control;
  const resolve = async () => {
    progress.resolvedFor = ruleFingerprint(incident);
    try {
      const resolution = await vendor.resolveEngagement(filterView(incident));
      if (applyEngagement(incident, resolution, now()).people.length > 0) hooks.peopleAdded();
    } catch (err) {
      log.warn('Could not resolve engagement rules', { incidentId: incident.id, error: reason(err) });
    }
  };

  let pagePending = false;
  if (declaration) {
    pagePending = settings!.pagingPriorities.includes(incident.priority);
    await Promise.all([applyRolePolicy(incident, settings!, declaration, hooks), resolve()]);
  }

  const labelsOnTicket = since('engagement-ticket-roles');
  const ticketId = () => (incident.resources.ticket?.status === 'ready' ? incident.resources.ticket.externalId : undefined);
  const labelsStale = () => {
    if (!labelsOnTicket || !ticketId()) return false;
    const current = roleLabels(incident);
    return current.length !== progress.labelled.length || current.some((label) => !progress.labelled.includes(label));
  };

  // Teams the group refused are not tried again in this run (the next one tries once more).
  const refusedTeams = new Set<string>();
  const groupId = () => (incident.resources.notificationsGroup?.status === 'ready' ? incident.resources.notificationsGroup.externalId : undefined);
  const teamsToAdd = () => (groupId() ? engagedTeams(incident).filter((team) => !progress.addedTeams.includes(team) && !refusedTeams.has(team)) : []);
  const needsResolve = () => incident.status === 'Active' && ruleFingerprint(incident) !== progress.resolvedFor;
  let pageDeadlinePassed = false;
  const pageReady = () => pagePending && (linksSettled(incident) || pageDeadlinePassed);
  const wake = () => pageReady() || needsResolve() || teamsToAdd().length > 0 || labelsStale();
  control.hasWork = () => pagePending || wake();

  for (;;) {
    if (pageReady()) {
      pagePending = false;
      // A page is pending only in a declaration's run, which loaded the settings.
      const serviceId = settings!.types[incident.type]?.commanderService;
      if (serviceId) await sendPage(incident, settings!, serviceId, incident.commander, 'declare', 'muster');
      else {
        applyEngagementNote(incident, now(), 'muster', 'page', incident.commander.email, `${incident.priority} priority pages the commander, but type ${incident.type} has no commander on-call service to page through`);
      }
      continue;
    }
    if (needsResolve()) {
      await resolve();
      continue;
    }
    const teams = teamsToAdd();
    if (teams.length > 0) {
      try {
        await vendor.addTeamsToGroup(groupId()!, teams);
        progress.addedTeams.push(...teams);
      } catch (err) {
        log.warn('Could not add teams to the notifications group', { incidentId: incident.id, error: reason(err) });
        for (const team of teams) refusedTeams.add(team);
      }
      continue;
    }
    if (labelsStale()) {
      const target = roleLabels(incident);
      try {
        await vendor.updateTicketRoles(ticketId()!, target.filter((l) => !progress.labelled.includes(l)), progress.labelled.filter((l) => !target.includes(l)));
      } catch (err) {
        log.warn('Could not show roles on the ticket', { incidentId: incident.id, error: reason(err) });
      }
      // Not retried until roles change again: a ticket that refuses labels must not spin the loop.
      progress.labelled = target;
      continue;
    }
    if (pagePending) {
      // A pending page holds the hand-over: it belongs to this run's declaration.
      if (!(await condition(wake, PAGE_WAITS_FOR_LINKS))) pageDeadlinePassed = true;
      continue;
    }
    control.busy = false;
    await condition(wake);
    control.busy = true;
  }
}

/** The configuration slice, loaded here if the coroutine has not (an incident older than it never runs it). */
export async function engagementSettings(control: EngagementControl): Promise<EngagementSettings> {
  control.settings ??= await local.engagementSettings();
  return control.settings;
}

/** engageOncall, once validated: the service's on-call gets the role and, if asked, a page. */
export async function engageOncall(
  incident: IncidentState,
  settings: EngagementSettings,
  request: { service: OncallServiceRef; role: Role; page: boolean; actor: string },
  hooks: EngagementHooks,
): Promise<IncidentState> {
  const { service, role, page, actor } = request;
  const people = await vendor.currentOncall(service.serviceId);
  const who = people[0];
  if (!who) {
    throw ApplicationFailure.create({ type: 'invalid_transition', message: `nobody is on call for ${service.name} right now`, details: [{ field: 'service' }], nonRetryable: true });
  }
  const holds = incident.participants.find((p) => p.email === who.email)?.roles.includes(role) ?? false;
  if (!holds) {
    applyRoleChange(incident, { action: 'assign', role, person: who }, actor, now());
    hooks.rolesChanged();
  }
  applyEngagementNote(incident, now(), actor, 'oncall', who.email, `${actor} engaged ${who.name ?? who.email}, on call for ${service.name}, as ${role}`);
  if (page) {
    // The engagement event's seq names this request: a retried update pages with the same key.
    const request = `engage-${incident.timeline.at(-1)!.seq}`;
    await sendPage(incident, settings, service.serviceId, who, request, actor);
  }
  return incident;
}

/** The person must have a chat account before they get a role (no chat configured: anyone goes). */
export async function checkPersonExists(email: string): Promise<void> {
  if (await vendor.personExists(email)) return;
  throw ApplicationFailure.create({
    type: 'invalid_field',
    message: `${email} has no chat account; check the address (people must be in the workspace to take a role)`,
    details: [{ field: 'person' }],
    nonRetryable: true,
  });
}

/** Whoever left the incident altogether leaves the tactical group too. */
export async function removeLeavers(incident: IncidentState, before: string[]): Promise<void> {
  const present = new Set(incident.participants.map((p) => p.email));
  const left = before.filter((email) => !present.has(email));
  const group = incident.resources.tacticalGroup;
  if (left.length === 0 || group?.status !== 'ready' || !group.externalId) return;
  await vendor.removeFromTacticalGroup(group.externalId, left).catch((err: unknown) =>
    log.warn('Could not remove people from the tactical group', { incidentId: incident.id, error: reason(err) }),
  );
}
