/**
 * The incident model: plain JSON types (they travel in workflow payloads, so ISO strings and
 * arrays, never Date or Map) and the constants that define the allowed values.
 */

export const INCIDENT_STATUSES = ['Active', 'Stable', 'Closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const SEVERITIES = ['Undetermined', 'Low', 'Medium', 'High', 'Critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const PRIORITIES = ['Low', 'Medium', 'High'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const VISIBILITIES = ['Open', 'Restricted'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const ROLES = ['Commander', 'Liaison', 'Scribe', 'Reporter', 'Participant', 'Observer'] as const;
export type Role = (typeof ROLES)[number];

/** A person is identified by email, as in the vendors Muster talks to (Slack, Google, PagerDuty). */
export interface Person {
  email: string;
  name?: string;
}

export interface Participant extends Person {
  roles: Role[];
  joinedAt: string;
  /** Messages they posted in the incident channel (an Observer becomes a Participant after a few). */
  activity?: number;
  /** Set when closing renounced every role; `previousRoles` keeps what they held, for a reopen. */
  renouncedAt?: string;
  previousRoles?: Role[];
}

export type TimelineKind = 'declared' | 'changed' | 'status' | 'role' | 'note' | 'resumed' | 'resource' | 'engagement' | 'report' | 'feedback' | 'task' | 'reminder';

export interface TimelineEvent {
  /** 1-based, gap-free within an incident: the store keys events by (incident, seq). */
  seq: number;
  at: string;
  actor: string;
  kind: TimelineKind;
  text: string;
  field?: string;
  from?: string;
  to?: string;
}

export type ResourceStatus = 'pending' | 'ready' | 'failed';

export interface Resource {
  status: ResourceStatus;
  url?: string;
  /** The vendor's id: channel id, ticket key, file id, group email. */
  externalId?: string;
  /** Why it failed, or what it waits for; for the commander and the operator. */
  error?: string;
  /** How many times Muster set out to make it (an operator's retry adds one). */
  attempts?: number;
  updatedAt?: string;
}

export interface IncidentState {
  id: string;
  number: number;
  title: string;
  description: string;
  type: string;
  severity: Severity;
  priority: Priority;
  status: IncidentStatus;
  visibility: Visibility;
  tags: string[];
  reporter: Person;
  commander: Person;
  participants: Participant[];
  timeline: TimelineEvent[];
  /** Keyed by resource kind (channel, ticket, folder, document, conference, ...). */
  resources: Record<string, Resource>;
  declaredAt: string;
  updatedAt: string;
  stableAt?: string;
  closedAt?: string;
  /** When every resource that could be made was made and tied together the first time. */
  assembledAt?: string;
  /** Bumped on every accepted change; the store keeps only the newest version. */
  version: number;
  /** Participants' feedback after closing, one per person (domain/feedback.ts). */
  feedback?: FeedbackEntry[];
  /** Follow-up work (domain/tasks.ts). */
  tasks?: Task[];
  /** The latest report of each kind (domain/reports.ts). */
  reports?: IncidentReports;
  /** When each reminder's clock started (domain/reminders.ts). */
  reminders?: ReminderClocks;
}

export interface FeedbackEntry {
  /** Who gave it; the API hides it for anonymous feedback. */
  person: Person;
  /** 1 (poor) to 5 (excellent). */
  rating: number;
  text?: string;
  anonymous: boolean;
  submittedAt: string;
}

export type TaskStatus = 'Open' | 'Resolved';

export interface Task {
  /** Per incident: T1, T2, ... */
  id: string;
  description: string;
  /** Email of the person who answers for it. */
  owner: string;
  assignees: string[];
  /** ISO 8601: after this the owner and assignees are reminded once a day until it is resolved. */
  resolveBy: string;
  /** A post-incident review task (resolve-by a week out by default). */
  review?: boolean;
  status: TaskStatus;
  createdAt: string;
  createdBy: string;
  resolvedAt?: string;
  /** When the last overdue reminder went out. */
  remindedAt?: string;
}

export type ReportKind = 'tactical' | 'executive';

export interface TacticalReport {
  kind: 'tactical';
  conditions: string;
  actions: string;
  needs: string;
  author: string;
  at: string;
}

export interface ExecutiveReport {
  kind: 'executive';
  currentStatus: string;
  overview: string;
  nextSteps: string;
  author: string;
  at: string;
  /** The report written as a document in the incident folder, once it exists. */
  documentUrl?: string;
}

export interface IncidentReports {
  tactical?: TacticalReport;
  executive?: ExecutiveReport;
}

export interface ReminderClock {
  /** The cadence counts from here: the last report, the last reminder, or becoming Active. */
  since: string;
  /** A snooze moves the next reminder to this time. */
  snoozedUntil?: string;
}

export interface ReminderClocks {
  /** The status the clocks were last set for; a change of status restarts or stops them. */
  status: IncidentStatus;
  tactical?: ReminderClock;
  executive?: ReminderClock;
  /** While Stable: counts towards the close reminder. */
  close?: ReminderClock;
}

export interface DeclareIncidentInput {
  title: string;
  description?: string;
  type?: string;
  severity?: Severity;
  priority?: Priority;
  visibility?: Visibility;
  tags?: string[];
  reporter: Person;
  /** Defaults to the reporter: someone has to be in charge from the first minute. */
  commander?: Person;
}

/** The fields `updateIncident` may change. */
export interface IncidentChanges {
  title?: string;
  description?: string;
  type?: string;
  severity?: Severity;
  priority?: Priority;
  status?: IncidentStatus;
  visibility?: Visibility;
  commander?: Person;
}

/** In the order changes are applied and recorded: status first, so a reopen precedes what it allows. */
export const CHANGEABLE_FIELDS = [
  'status',
  'title',
  'description',
  'type',
  'severity',
  'priority',
  'visibility',
  'commander',
] as const satisfies ReadonlyArray<keyof IncidentChanges>;

export interface UpdateIncidentRequest {
  changes: IncidentChanges;
  /** Who asked for the change (email or service name); recorded in the timeline. */
  actor: string;
}

/** Assign someone a role, or have them give it up. */
export interface RoleChange {
  action: 'assign' | 'renounce';
  role: Role;
  person: Person;
}

export interface ChangeRoleRequest extends RoleChange {
  actor: string;
}

export interface TimelineNote {
  text: string;
  actor: string;
  /** When it happened, if not now (e.g. an imported Slack message). ISO 8601. */
  at?: string;
}

/** Per-deployment settings a workflow needs; passed in its input so replays stay deterministic. */
export interface IncidentSettings {
  incidentTypes: string[];
  defaultType: string;
  /** How long a Closed incident's workflow waits for a reopen before completing, in ms. */
  closedRetentionMs: number;
  /** Report reminder cadence per priority in ms (null: never); without it, no report reminders. */
  reportReminders?: Partial<Record<Priority, { tactical: number | null; executive: number | null }>>;
  /** Incident types whose commanders get no report reminders. */
  excludeFromReminders?: string[];
  /** How long an incident stays Stable before its commander is reminded to close it, in ms (default 7 days). */
  closeReminderMs?: number;
  /** How often an overdue task reminds its people, in ms (default 1 day). */
  taskReminderMs?: number;
}

export const DEFAULT_INCIDENT_TYPES = ['Operational', 'Security', 'Data', 'Other'];

export const DEFAULT_SETTINGS: IncidentSettings = {
  incidentTypes: DEFAULT_INCIDENT_TYPES,
  defaultType: 'Operational',
  closedRetentionMs: 7 * 24 * 60 * 60 * 1000,
};

export const INCIDENT_LIMITS = {
  title: 200,
  description: 10_000,
  tags: 20,
  tag: 64,
  note: 4_000,
} as const;

/** What lists and search show: the incident without its timeline. */
export type IncidentRecord = Omit<IncidentState, 'timeline'>;

export interface IncidentFilter {
  status?: IncidentStatus[];
  severity?: Severity[];
  priority?: Priority[];
  type?: string[];
  /** Commander's email. */
  commander?: string;
  tag?: string;
  /** Case-insensitive substring of the title. */
  q?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** Someone joined the incident (e.g. the channel, or a Join button); nothing happens if they are in it already. */
export interface AddParticipantRequest {
  person: Person;
  /** Observer (watching, e.g. joined the channel) or Participant (asked to take part). */
  role: 'Observer' | 'Participant';
  actor: string;
}

/** Someone left the incident (e.g. the channel); duties (Liaison, Scribe) stay, the commander cannot leave. */
export interface RemoveParticipantRequest {
  person: Person;
  actor: string;
}

/** A message someone posted in the incident channel. */
export interface ChannelActivity {
  person: Person;
}
