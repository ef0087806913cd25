/**
 * Incident rules: what a declaration or a change may contain, which status transitions exist,
 * and how an accepted change is applied (always with a timeline entry). Pure functions: the
 * workflow runs them in its update validator and handler, the API and client run them to
 * answer early.
 */
import {
  CHANGEABLE_FIELDS,
  INCIDENT_LIMITS,
  INCIDENT_STATUSES,
  PRIORITIES,
  ROLES,
  SEVERITIES,
  VISIBILITIES,
  type DeclareIncidentInput,
  type IncidentChanges,
  type IncidentSettings,
  type IncidentState,
  type IncidentStatus,
  type Participant,
  type Resource,
  type RoleChange,
  type Person,
  type Role,
  type TimelineEvent,
  type TimelineKind,
  type TimelineNote,
} from './incident';
import { isResourceKind, RESOURCE_KINDS, RESOURCE_LABELS, type ResourceKind } from './resources';

/**
 * Why a request was refused. `invalid_field` is the caller's input; `invalid_transition` is the
 * incident's state; `not_allowed` is who asked (e.g. only the commander or a scribe may).
 */
export type RuleErrorCode = 'invalid_field' | 'invalid_transition' | 'not_allowed';

export class IncidentRuleError extends Error {
  override readonly name = 'IncidentRuleError';
  constructor(
    readonly code: RuleErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const invalid = (field: string, message: string) => new IncidentRuleError('invalid_field', message, field);

/** Which statuses each status may move to. Closed may reopen: Closed is not the end. */
export const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  Active: ['Stable', 'Closed'],
  Stable: ['Active', 'Closed'],
  Closed: ['Active', 'Stable'],
};

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(field, `${field} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
}

function text(field: string, value: unknown, max: number, { required }: { required: boolean }): string {
  if (typeof value !== 'string') throw invalid(field, `${field} must be a string`);
  const trimmed = value.trim();
  if (required && trimmed === '') throw invalid(field, `${field} must not be empty`);
  if (trimmed.length > max) throw invalid(field, `${field} must be at most ${max} characters (got ${trimmed.length})`);
  return trimmed;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function person(field: string, value: unknown): Person {
  if (typeof value !== 'object' || value === null) throw invalid(field, `${field} must be an object with an email`);
  const { email, name } = value as Record<string, unknown>;
  if (typeof email !== 'string' || !EMAIL.test(email.trim())) {
    throw invalid(`${field}.email`, `${field}.email must be an email address (got ${JSON.stringify(email)})`);
  }
  const result: Person = { email: email.trim().toLowerCase() };
  if (name !== undefined) result.name = text(`${field}.name`, name, 200, { required: false });
  return result;
}

function tags(value: unknown): string[] {
  if (!Array.isArray(value)) throw invalid('tags', 'tags must be a list of strings');
  if (value.length > INCIDENT_LIMITS.tags) throw invalid('tags', `at most ${INCIDENT_LIMITS.tags} tags`);
  const result = value.map((tag, i) => text(`tags[${i}]`, tag, INCIDENT_LIMITS.tag, { required: true }));
  return [...new Set(result)];
}

function incidentType(value: unknown, settings: IncidentSettings): string {
  return oneOf('type', value, settings.incidentTypes);
}

/** Checks a declaration and fills in the defaults. */
export function normalizeDeclaration(input: DeclareIncidentInput, settings: IncidentSettings): Required<DeclareIncidentInput> {
  if (typeof input !== 'object' || input === null) throw invalid('body', 'a declaration must be an object');
  const reporter = person('reporter', input.reporter);
  return {
    title: text('title', input.title, INCIDENT_LIMITS.title, { required: true }),
    description: input.description === undefined ? '' : text('description', input.description, INCIDENT_LIMITS.description, { required: false }),
    type: input.type === undefined ? settings.defaultType : incidentType(input.type, settings),
    severity: input.severity === undefined ? 'Undetermined' : oneOf('severity', input.severity, SEVERITIES),
    priority: input.priority === undefined ? 'Medium' : oneOf('priority', input.priority, PRIORITIES),
    visibility: input.visibility === undefined ? 'Open' : oneOf('visibility', input.visibility, VISIBILITIES),
    tags: input.tags === undefined ? [] : tags(input.tags),
    reporter,
    commander: input.commander === undefined ? reporter : person('commander', input.commander),
  };
}

/** One accepted field change, as it goes to the timeline. */
export interface FieldChange {
  field: keyof IncidentChanges;
  from: string;
  to: string;
}

const show = (value: unknown): string => {
  if (typeof value === 'object' && value !== null && 'email' in value) return (value as Person).email;
  return String(value ?? '');
};

/**
 * Validates `changes` against the incident's current state. Returns the real changes (fields
 * set to their current value are dropped) or throws an IncidentRuleError a person can act on.
 */
export function validateChanges(state: IncidentState, changes: IncidentChanges, settings: IncidentSettings): { normalized: IncidentChanges; diff: FieldChange[] } {
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
    throw invalid('changes', 'changes must be an object of fields to change');
  }
  const unknown = Object.keys(changes).filter((key) => !(CHANGEABLE_FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw invalid(unknown[0]!, `${unknown.join(', ')} cannot be changed; changeable fields are ${CHANGEABLE_FIELDS.join(', ')}`);
  }

  const normalized: IncidentChanges = {};
  if (changes.title !== undefined) normalized.title = text('title', changes.title, INCIDENT_LIMITS.title, { required: true });
  if (changes.description !== undefined) normalized.description = text('description', changes.description, INCIDENT_LIMITS.description, { required: false });
  if (changes.type !== undefined) normalized.type = incidentType(changes.type, settings);
  if (changes.severity !== undefined) normalized.severity = oneOf('severity', changes.severity, SEVERITIES);
  if (changes.priority !== undefined) normalized.priority = oneOf('priority', changes.priority, PRIORITIES);
  if (changes.status !== undefined) normalized.status = oneOf('status', changes.status, INCIDENT_STATUSES);
  if (changes.visibility !== undefined) normalized.visibility = oneOf('visibility', changes.visibility, VISIBILITIES);
  if (changes.commander !== undefined) normalized.commander = person('commander', changes.commander);

  if (normalized.status !== undefined) {
    if (normalized.status === state.status) {
      throw new IncidentRuleError('invalid_transition', `${state.id} is already ${state.status}`, 'status');
    }
    if (!canTransition(state.status, normalized.status)) {
      throw new IncidentRuleError(
        'invalid_transition',
        `${state.id} cannot go from ${state.status} to ${normalized.status}; from ${state.status} it can go to ${TRANSITIONS[state.status].join(' or ')}`,
        'status',
      );
    }
  }

  const diff: FieldChange[] = [];
  for (const field of CHANGEABLE_FIELDS) {
    const to = normalized[field];
    if (to === undefined) continue;
    const from = field === 'commander' ? state.commander : state[field];
    if (show(from) === show(to)) {
      delete normalized[field];
      continue;
    }
    diff.push({ field, from: show(from), to: show(to) });
  }

  const others = diff.filter((change) => change.field !== 'status');
  if (state.status === 'Closed' && normalized.status === undefined && others.length > 0) {
    throw new IncidentRuleError(
      'invalid_transition',
      `${state.id} is Closed; reopen it (status Active or Stable) before changing its ${others.map((c) => c.field).join(', ')}`,
      others[0]!.field,
    );
  }
  if (diff.length === 0) {
    throw invalid('changes', `nothing to change: ${state.id} already has these values`);
  }
  return { normalized, diff };
}

/** Who is acting: an email or a service name, recorded in the timeline. */
export function validateActor(actor: unknown): string {
  return text('actor', actor, 200, { required: true });
}

export function validateNote(note: TimelineNote): TimelineNote {
  if (typeof note !== 'object' || note === null) throw invalid('body', 'a timeline event must be an object with text');
  const result: TimelineNote = {
    text: text('text', note.text, INCIDENT_LIMITS.note, { required: true }),
    actor: validateActor(note.actor),
  };
  if (note.at !== undefined) {
    if (typeof note.at !== 'string' || Number.isNaN(Date.parse(note.at))) throw invalid('at', 'at must be an ISO 8601 timestamp');
    result.at = new Date(note.at).toISOString();
  }
  return result;
}

export function addEvent(state: IncidentState, event: Omit<TimelineEvent, 'seq'>): void {
  const last = state.timeline[state.timeline.length - 1];
  state.timeline.push({ seq: (last?.seq ?? 0) + 1, ...event });
}

export function touch(state: IncidentState, at: string): void {
  state.updatedAt = at;
  state.version += 1;
}

/** Adds one timeline event and bumps the version: for changes made by other rule modules (tasks, reports, reminders). */
export function applyEvent(state: IncidentState, event: Omit<TimelineEvent, 'seq'>): void {
  addEvent(state, event);
  touch(state, event.at);
}

function withRole(state: IncidentState, who: Person, role: Role, at: string): void {
  const existing = state.participants.find((p) => p.email === who.email);
  if (existing) {
    if (!existing.roles.includes(role)) existing.roles.push(role);
    if (who.name && !existing.name) existing.name = who.name;
    return;
  }
  const participant: Participant = { ...who, roles: [role], joinedAt: at };
  state.participants.push(participant);
}

function withoutRole(state: IncidentState, email: string, role: Role): void {
  const participant = state.participants.find((p) => p.email === email);
  if (!participant) return;
  participant.roles = participant.roles.filter((r) => r !== role);
  // Someone who held a role stays involved: they keep a participant role.
  if (participant.roles.length === 0) participant.roles.push('Participant');
}

/** A brand-new incident from a checked declaration. */
export function newIncident(id: string, number: number, declaration: Required<DeclareIncidentInput>, at: string): IncidentState {
  const state: IncidentState = {
    id,
    number,
    title: declaration.title,
    description: declaration.description,
    type: declaration.type,
    severity: declaration.severity,
    priority: declaration.priority,
    status: 'Active',
    visibility: declaration.visibility,
    tags: declaration.tags,
    reporter: declaration.reporter,
    commander: declaration.commander,
    participants: [],
    timeline: [],
    resources: {},
    declaredAt: at,
    updatedAt: at,
    version: 1,
  };
  withRole(state, declaration.reporter, 'Reporter', at);
  withRole(state, declaration.commander, 'Commander', at);
  addEvent(state, {
    at,
    actor: declaration.reporter.email,
    kind: 'declared',
    text: `${declaration.reporter.email} declared ${id}: ${declaration.title} (${declaration.priority} priority, ${declaration.severity} severity), commander ${declaration.commander.email}`,
  });
  return state;
}

const KIND_OF: Partial<Record<keyof IncidentChanges, TimelineKind>> = { status: 'status', commander: 'role' };

/** Applies validated changes in place, one timeline event per changed field. */
export function applyChanges(state: IncidentState, normalized: IncidentChanges, diff: FieldChange[], actor: string, at: string): void {
  for (const change of diff) {
    switch (change.field) {
      case 'commander': {
        const next = normalized.commander!;
        withoutRole(state, state.commander.email, 'Commander');
        withRole(state, next, 'Commander', at);
        state.commander = next;
        break;
      }
      case 'status': {
        const to = normalized.status!;
        if (to === 'Stable' && !state.stableAt) state.stableAt = at;
        if (to === 'Closed') state.closedAt = at;
        else delete state.closedAt;
        state.status = to;
        break;
      }
      default:
        Object.assign(state, { [change.field]: normalized[change.field] });
    }
    const reopened = change.field === 'status' && change.from === 'Closed';
    addEvent(state, {
      at,
      actor,
      kind: KIND_OF[change.field] ?? 'changed',
      field: change.field,
      from: change.from,
      to: change.to,
      text: reopened
        ? `${actor} reopened the incident as ${change.to}`
        : `${actor} changed ${change.field} from ${change.from || '(empty)'} to ${change.to || '(empty)'}`,
    });
  }
  touch(state, at);
}

export function applyNote(state: IncidentState, note: TimelineNote, at: string): void {
  addEvent(state, { at: note.at ?? at, actor: note.actor, kind: 'note', text: note.text });
  touch(state, at);
}

/** Whether this actor directs the incident: its commander or one of its scribes. */
export function directs(state: IncidentState, actor: string): boolean {
  const who = actor.trim().toLowerCase();
  return state.commander.email === who || state.participants.some((p) => p.email === who && p.roles.includes('Scribe'));
}

/** Refuses (not_allowed, field actor) an actor who is neither the commander nor a scribe; `what` completes "… can <what>". */
export function validateDirector(state: IncidentState, actor: string, what: string): void {
  if (!directs(state, actor)) {
    throw new IncidentRuleError('not_allowed', `only the commander (${state.commander.email}) or the scribe of ${state.id} can ${what}`, 'actor');
  }
}

/**
 * Checks a role change. The commander is changed by assigning a new one (the previous keeps a
 * participant role); nobody can leave an incident without a commander, and the reporter is
 * whoever declared it.
 */
export function validateRoleChange(state: IncidentState, change: RoleChange): RoleChange {
  if (typeof change !== 'object' || change === null) throw invalid('body', 'a role change needs action, role and person');
  const action = oneOf('action', change.action, ['assign', 'renounce'] as const);
  const role = oneOf('role', change.role, ROLES);
  const who = person('person', change.person);
  const label = who.name ?? who.email;
  if (state.status === 'Closed') {
    throw new IncidentRuleError('invalid_transition', `${state.id} is Closed; reopen it before changing roles`, 'status');
  }
  if (role === 'Reporter') {
    throw new IncidentRuleError('invalid_transition', `the Reporter of ${state.id} is whoever declared it; that role cannot be ${action === 'assign' ? 'assigned' : 'renounced'}`, 'role');
  }
  const holds = state.participants.find((p) => p.email === who.email)?.roles.includes(role) ?? false;
  if (action === 'assign' && holds) {
    throw new IncidentRuleError('invalid_transition', `${label} is already ${role} of ${state.id}`, 'role');
  }
  if (action === 'renounce' && !holds) {
    throw new IncidentRuleError('invalid_transition', `${label} is not ${role} of ${state.id}`, 'role');
  }
  if (action === 'renounce' && role === 'Commander') {
    throw new IncidentRuleError('invalid_transition', `${state.id} needs a commander: assign someone else as Commander first`, 'role');
  }
  return { action, role, person: who };
}

/** Applies a checked role change, with a timeline event. */
export function applyRoleChange(state: IncidentState, change: RoleChange, actor: string, at: string): void {
  const { action, role, person: who } = change;
  if (action === 'assign' && role === 'Commander') {
    const previous = state.commander.email;
    withoutRole(state, previous, 'Commander');
    withRole(state, who, 'Commander', at);
    state.commander = who;
    addEvent(state, { at, actor, kind: 'role', field: 'commander', from: previous, to: who.email, text: `${actor} made ${who.email} Commander (was ${previous})` });
  } else if (action === 'assign') {
    withRole(state, who, role, at);
    addEvent(state, { at, actor, kind: 'role', field: role.toLowerCase(), to: who.email, text: `${actor} made ${who.email} ${role}` });
  } else {
    const participant = state.participants.find((p) => p.email === who.email)!;
    participant.roles = participant.roles.filter((r) => r !== role);
    // Giving up a duty keeps you involved; giving up being involved is leaving.
    if (participant.roles.length === 0) {
      if (role === 'Participant' || role === 'Observer') state.participants = state.participants.filter((p) => p !== participant);
      else participant.roles.push('Participant');
    }
    addEvent(state, { at, actor, kind: 'role', field: role.toLowerCase(), from: who.email, text: `${who.email} is no longer ${role} (${actor})` });
  }
  touch(state, at);
}

/** An operator may retry a resource only once it has failed. */
export function validateRetry(state: IncidentState, resource: string): ResourceKind {
  if (!isResourceKind(resource)) {
    throw invalid('resource', `${resource} is not a resource; resources are ${RESOURCE_KINDS.join(', ')}`);
  }
  const current = state.resources[resource];
  if (current?.status !== 'failed') {
    const why = current ? `it is ${current.status}` : `${state.id} has none`;
    throw new IncidentRuleError('invalid_transition', `${RESOURCE_LABELS[resource]} cannot be retried: ${why}; only failed resources can`, 'resource');
  }
  return resource;
}

/** Records a resource's new state; becoming ready or failing is a timeline event, starting is not. */
export function applyResource(state: IncidentState, kind: string, resource: Resource, label: string, at: string): void {
  const previous = state.resources[kind];
  state.resources[kind] = { ...resource, updatedAt: at };
  if (resource.status !== previous?.status || resource.error !== previous?.error) {
    if (resource.status === 'ready') {
      addEvent(state, { at, actor: 'muster', kind: 'resource', field: kind, to: 'ready', text: `${label} is ready${resource.url ? `: ${resource.url}` : ''}` });
    } else if (resource.status === 'failed') {
      addEvent(state, { at, actor: 'muster', kind: 'resource', field: kind, to: 'failed', text: `${label} could not be made: ${resource.error ?? 'unknown error'}` });
    }
  }
  touch(state, at);
}

/** The first time all resources are settled and tied together: a milestone for metrics. */
export function applyAssembled(state: IncidentState, ready: number, planned: number, at: string): void {
  if (state.assembledAt) return;
  state.assembledAt = at;
  const seconds = ((Date.parse(at) - Date.parse(state.declaredAt)) / 1000).toFixed(1);
  addEvent(state, { at, actor: 'muster', kind: 'resource', text: `Assembled in ${seconds} s: ${ready} of ${planned} resources ready` });
  touch(state, at);
}

/** Marks an incident brought back from the store after its workflow had completed. */
export function applyResumed(state: IncidentState, at: string): void {
  addEvent(state, { at, actor: 'muster', kind: 'resumed', text: `${state.id} resumed from its stored record` });
  touch(state, at);
}

/** Human incident ids: a prefix and a number, e.g. INC-42. */
export function formatIncidentId(prefix: string, number: number): string {
  return `${prefix}-${number}`;
}

const INCIDENT_ID = /^[A-Z][A-Z0-9]{0,9}-[1-9][0-9]{0,9}$/;

export function isIncidentId(value: string): boolean {
  return INCIDENT_ID.test(value);
}

/**
 * For the rules in other domain modules (transitions, feedback): one timeline, one version
 * counter. `partOf`: the event belongs to a change already counted (e.g. a status change).
 */
export function recordEvent(state: IncidentState, event: Omit<TimelineEvent, 'seq' | 'at'>, at: string, { partOf = false } = {}): void {
  addEvent(state, { ...event, at });
  if (!partOf) touch(state, at);
}

/** The field checks declarations use, for other domain modules' requests. */
export const checkPerson = person;
export const checkText = text;
export const invalidField = invalid;

/** Checks a person (an object with an email, optionally a name), lowercasing the email. */
export const validatePerson = (field: string, value: unknown): Person => person(field, value);
