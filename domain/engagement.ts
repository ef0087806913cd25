/**
 * Engagement: who a rule pulls into an incident, and how that lands on the incident. Pure, so
 * the workflow can apply a resolution and the activity can evaluate rules with the same code.
 * Re-resolution only adds: anyone a rule engaged before (and anyone added by hand) is left as is.
 */
import { matches, type Filter, type IncidentLike } from './filters';
import { ROLES, type IncidentState, type Person, type Priority, type Role } from './incident';
import { IncidentRuleError } from './rules';

export interface EngagementRules {
  individuals: ReadonlyArray<{ email: string; name: string; filter: Filter }>;
  teams: ReadonlyArray<{ name: string; email: string; filter: Filter }>;
  oncallServices: ReadonlyArray<{ name: string; pagerdutyServiceId: string; filter: Filter }>;
}

/** A PagerDuty service engageOncall may name, by its config name or its id. */
export interface OncallServiceRef {
  name: string;
  serviceId: string;
}

/** The config slice the workflow needs, as an activity result (so replays never read config). */
export interface EngagementSettings {
  services: OncallServiceRef[];
  /** Priorities whose incidents page the commander on declare. */
  pagingPriorities: Priority[];
  /** Per incident type: the services whose on-call becomes commander / liaison. */
  types: Record<string, { commanderService?: string; liaisonService?: string }>;
  roles: { commander: 'oncall' | 'reporter'; liaison: 'oncall' | 'none' };
}

/** What the rules matched, with each matching service's current on-call. */
export interface EngagementResolution {
  individuals: Person[];
  teams: Array<{ name: string; email: string }>;
  oncall: Array<{ service: OncallServiceRef; people: Person[] }>;
}

export function matchRules(rules: EngagementRules, incident: IncidentLike): { individuals: Person[]; teams: Array<{ name: string; email: string }>; services: OncallServiceRef[] } {
  return {
    individuals: rules.individuals.filter((i) => matches(i.filter, incident)).map((i) => ({ email: i.email, name: i.name })),
    teams: rules.teams.filter((t) => matches(t.filter, incident)).map((t) => ({ name: t.name, email: t.email })),
    services: rules.oncallServices.filter((s) => matches(s.filter, incident)).map((s) => ({ name: s.name, serviceId: s.pagerdutyServiceId })),
  };
}

/** The fields rules look at; re-resolution runs when this changes. */
export function ruleFingerprint(incident: IncidentLike): string {
  const { type, priority, severity, status, visibility, tags, title, description, commander, reporter } = incident;
  return JSON.stringify([type, priority, severity, status, visibility, tags, title, description, commander.email, reporter.email]);
}

/** Finds a service by config name (any case) or PagerDuty id; unknown -> invalid_field 'service'. */
export function findService(services: readonly OncallServiceRef[], wanted: unknown): OncallServiceRef {
  if (typeof wanted !== 'string' || wanted.trim() === '') {
    throw new IncidentRuleError('invalid_field', 'service must name an on-call service', 'service');
  }
  const key = wanted.trim().toLowerCase();
  const found = services.find((s) => s.serviceId.toLowerCase() === key || s.name.toLowerCase() === key);
  if (found) return found;
  const known = services.map((s) => `${s.name} (${s.serviceId})`).join(', ') || 'none are configured';
  throw new IncidentRuleError('invalid_field', `${wanted} is not an on-call service; known services: ${known}`, 'service');
}

export interface EngageOncallRequest {
  /** A configured on-call service: its name or PagerDuty service id. */
  service: string;
  /** Default Participant. */
  role?: Role;
  /** Also page the service's on-call (PagerDuty). */
  page?: boolean;
  actor: string;
}

/** Checks an engageOncall request against the incident and the known services. */
export function validateEngageOncall(state: IncidentState, services: readonly OncallServiceRef[], request: EngageOncallRequest): { service: OncallServiceRef; role: Role; page: boolean } {
  if (typeof request !== 'object' || request === null) throw new IncidentRuleError('invalid_field', 'engaging on-call needs a service', 'body');
  const service = findService(services, request.service);
  const role = request.role === undefined ? 'Participant' : request.role;
  if (!(ROLES as readonly string[]).includes(role) || role === 'Reporter') {
    throw new IncidentRuleError('invalid_field', `role must be one of ${ROLES.filter((r) => r !== 'Reporter').join(', ')} (got ${JSON.stringify(role)})`, 'role');
  }
  if (request.page !== undefined && typeof request.page !== 'boolean') throw new IncidentRuleError('invalid_field', 'page must be true or false', 'page');
  if (state.status === 'Closed') {
    throw new IncidentRuleError('invalid_transition', `${state.id} is Closed; reopen it before engaging on-call`, 'status');
  }
  return { service, role, page: request.page ?? false };
}

/**
 * PagerDuty's dedup key for one page: the same incident, target and request always give the
 * same key, so a retried or re-run send is folded into the first page by PagerDuty.
 */
export function pageDedupKey(incidentId: string, target: string, request: string): string {
  return `muster/${incidentId}/${target}/${request}`.slice(0, 255);
}

/** Jira labels naming who holds the roles that run the incident, e.g. muster-commander-ic. */
export function roleLabels(state: Pick<IncidentState, 'participants'>): string[] {
  return state.participants.flatMap((p) =>
    p.roles
      .filter((role) => role === 'Commander' || role === 'Liaison' || role === 'Scribe')
      .map((role) => `muster-${role.toLowerCase()}-${p.email.split('@')[0]!.replace(/[^a-z0-9._-]/g, '-')}`),
  );
}

/** Emails a rule has engaged before (kept in the timeline, so it survives hand-overs). */
function engagedBefore(state: IncidentState, field: string): Set<string> {
  return new Set(state.timeline.filter((e) => e.kind === 'engagement' && e.field === field && e.to).map((e) => e.to!));
}

/** Teams that rules put in the notifications group so far. */
export function engagedTeams(state: IncidentState): string[] {
  return [...engagedBefore(state, 'team')];
}

function addEvent(state: IncidentState, at: string, field: string, to: string, text: string): void {
  const last = state.timeline[state.timeline.length - 1];
  state.timeline.push({ seq: (last?.seq ?? 0) + 1, at, actor: 'muster', kind: 'engagement', field, to, text });
}

/**
 * Adds what a resolution newly matched: individuals as Observers, on-call people as
 * Participants, teams (to be added to the notifications group). Nobody already in the incident
 * is touched, and nobody a rule engaged before is added again (they may have left on purpose).
 * Returns whether anything changed.
 */
export function applyEngagement(state: IncidentState, resolution: EngagementResolution, at: string): { people: string[]; teams: string[] } {
  const present = new Set(state.participants.map((p) => p.email));
  const before = new Set([...engagedBefore(state, 'observer'), ...engagedBefore(state, 'participant')]);
  const people: string[] = [];
  const add = (who: Person, role: 'Observer' | 'Participant', why: string) => {
    const email = who.email.toLowerCase();
    if (present.has(email) || before.has(email)) return;
    present.add(email);
    state.participants.push({ email, ...(who.name ? { name: who.name } : {}), roles: [role], joinedAt: at });
    addEvent(state, at, role.toLowerCase(), email, `${who.name ?? email} joined as ${role}: ${why}`);
    people.push(email);
  };
  for (const who of resolution.individuals) add(who, 'Observer', 'an individual rule matches');
  for (const { service, people: oncall } of resolution.oncall) {
    for (const who of oncall) add(who, 'Participant', `on call for ${service.name}`);
  }
  const known = engagedBefore(state, 'team');
  const teams: string[] = [];
  for (const team of resolution.teams) {
    const email = team.email.toLowerCase();
    if (known.has(email)) continue;
    known.add(email);
    addEvent(state, at, 'team', email, `${team.name} (${email}) added to the notifications group: a team rule matches`);
    teams.push(email);
  }
  if (people.length || teams.length) {
    state.updatedAt = at;
    state.version += 1;
  }
  return { people, teams };
}

/** Records an engagement event that is not a rule match (a page, an on-call engaged by hand). */
export function applyEngagementNote(state: IncidentState, at: string, actor: string, field: string, to: string, text: string): void {
  const last = state.timeline[state.timeline.length - 1];
  state.timeline.push({ seq: (last?.seq ?? 0) + 1, at, actor, kind: 'engagement', field, to, text });
  state.updatedAt = at;
  state.version += 1;
}

/**
 * What engagement has done that a later run must not do again: continue-as-new carries it, so a
 * run that takes over neither resolves the rules again nor re-adds labels and teams.
 */
export interface EngagementProgress {
  /** The rule fingerprint (ruleFingerprint) the rules were last resolved for. */
  resolvedFor?: string;
  /** The role labels the ticket was last given. */
  labelled: string[];
  /** The teams added to the notifications group. */
  addedTeams: string[];
}
