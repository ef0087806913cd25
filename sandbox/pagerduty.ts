/**
 * PagerDuty emulator: REST API v2 (on-call, services, escalation policies, users, incidents)
 * and Events API v2 (`POST /v2/enqueue`, which the server's https listener also answers, since
 * pdjs only speaks https to Events). Events dedup by key exactly as PagerDuty does: a trigger
 * for a key whose incident is still open is dropped (no new incident, no new alert), and the
 * answer is the same "Event processed" with the same dedup_key.
 */
import { randomBytes } from 'node:crypto';
import type { Ids, SandboxRequest, SandboxResponse, VendorModule, ViewSection } from './core';
import type { FixtureUser, SandboxFixture } from './fixture';

const API = 'https://api.pagerduty.com';
const WEB = 'https://sandbox.pagerduty.com';

interface Incident {
  id: string;
  number: number;
  title: string;
  serviceId: string;
  urgency: 'high' | 'low';
  status: 'triggered' | 'acknowledged' | 'resolved';
  incidentKey: string;
  details: unknown;
  /** Who opened it: a From email, or "Events API". */
  from: string;
  alerts: number;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  links: Array<{ href: string; text?: string }>;
}

interface EventRecord {
  at: string;
  action: string;
  dedupKey: string;
  serviceId: string;
  summary: string;
  result: string;
}

/**
 * Events v2 routing keys the sandbox accepts, one per service (PagerDuty gives each service's
 * Events integration its own key). They are the fixture's key with the service id as suffix;
 * the bare fixture key also works and routes to the first service.
 */
export function sandboxRoutingKeys(fixture: SandboxFixture): Record<string, string> {
  const base = fixture.credentials.pagerdutyRoutingKey;
  return Object.fromEntries(fixture.pagerduty.services.map((s) => [s.id, base.slice(0, base.length - s.id.length) + s.id]));
}

const pdError = (status: number, message: string, code: number, errors?: string[]): SandboxResponse => ({
  status,
  body: { error: { message, code, ...(errors ? { errors } : {}) } },
});

const NOT_FOUND = pdError(404, 'Not Found', 2100);
const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'];

export function pagerdutyModule(fixture: SandboxFixture, ids: Ids): VendorModule {
  const { services, escalationPolicies } = fixture.pagerduty;
  const users = fixture.users.filter((u): u is FixtureUser & { pagerdutyId: string } => u.pagerdutyId !== undefined);
  const routingKeys = sandboxRoutingKeys(fixture);
  let incidents: Incident[] = [];
  let events: EventRecord[] = [];
  /**
   * Events answered only after this many ms, once processed: a test can kill the sender after
   * PagerDuty has the page but before the sender hears back.
   */
  let eventHoldMs = 0;

  const reset = () => {
    incidents = [];
    events = [];
    eventHoldMs = 0;
  };

  const ref = (type: string, path: string, id: string, summary: string, htmlPath = path) => ({
    id,
    type: `${type}_reference`,
    summary,
    self: `${API}/${path}/${id}`,
    html_url: `${WEB}/${htmlPath}/${id}`,
  });
  const userRef = (u: FixtureUser & { pagerdutyId: string }) => ref('user', 'users', u.pagerdutyId, u.name);
  const userJson = (u: FixtureUser & { pagerdutyId: string }) => ({
    ...userRef(u),
    type: 'user',
    name: u.name,
    email: u.email,
    time_zone: 'Etc/UTC',
    color: 'purple',
    role: 'user',
    description: null,
    invitation_sent: false,
    job_title: '',
    teams: [],
    contact_methods: [],
    notification_rules: [],
  });
  const policyRef = (p: (typeof escalationPolicies)[number]) => ref('escalation_policy', 'escalation_policies', p.id, p.name);
  const serviceRef = (s: (typeof services)[number]) => ref('service', 'services', s.id, s.name, 'service-directory');
  const serviceOf = (id: string) => services.find((s) => s.id === id);
  const policyOf = (id: string) => escalationPolicies.find((p) => p.id === id);
  const userOf = (id: string) => users.find((u) => u.pagerdutyId === id);

  function incidentJson(incident: Incident) {
    const service = serviceOf(incident.serviceId)!;
    const policy = policyOf(service.escalationPolicyId)!;
    const firstResponder = policy.oncall.filter((o) => o.level === 1).map((o) => userOf(o.userId)).filter((u) => u !== undefined);
    return {
      id: incident.id,
      type: 'incident',
      summary: `[#${incident.number}] ${incident.title}`,
      self: `${API}/incidents/${incident.id}`,
      html_url: `${WEB}/incidents/${incident.id}`,
      incident_number: incident.number,
      title: incident.title,
      created_at: incident.createdAt,
      updated_at: incident.updatedAt,
      status: incident.status,
      incident_key: incident.incidentKey,
      service: serviceRef(service),
      assignments: incident.status === 'resolved' ? [] : firstResponder.map((u) => ({ at: incident.createdAt, assignee: userRef(u) })),
      assigned_via: 'escalation_policy',
      last_status_change_at: incident.updatedAt,
      resolved_at: incident.resolvedAt,
      alert_counts: { all: incident.alerts, triggered: incident.status === 'resolved' ? 0 : incident.alerts, resolved: incident.status === 'resolved' ? incident.alerts : 0 },
      is_mergeable: true,
      escalation_policy: policyRef(policy),
      teams: [],
      pending_actions: [],
      acknowledgements: [],
      urgency: incident.urgency,
    };
  }

  /** PagerDuty's offset pagination: limit (max 100), offset, more, and total only if asked. */
  function paginate<T>(request: SandboxRequest, items: T[]): { page: T[]; limit: number; offset: number; more: boolean; total: number | null } {
    const limit = Math.min(Math.max(Number(request.query.get('limit') ?? 25) || 25, 1), 100);
    const offset = Math.max(Number(request.query.get('offset') ?? 0) || 0, 0);
    return {
      page: items.slice(offset, offset + limit),
      limit,
      offset,
      more: offset + limit < items.length,
      total: request.query.get('total') === 'true' ? items.length : null,
    };
  }

  const list = (request: SandboxRequest, name: string) => request.query.getAll(`${name}[]`).concat(request.query.getAll(name)).flatMap((v) => v.split(','));

  function oncalls(request: SandboxRequest): SandboxResponse {
    const policyIds = list(request, 'escalation_policy_ids');
    const userIds = list(request, 'user_ids');
    const include = list(request, 'include');
    // Every fixture on-call comes from a weekly schedule that started this Monday.
    const start = new Date();
    start.setUTCHours(0, 0, 0, 0);
    start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
    const end = new Date(start.getTime() + 7 * 24 * 3600 * 1000);
    const entries = escalationPolicies
      .filter((p) => policyIds.length === 0 || policyIds.includes(p.id))
      .flatMap((policy) =>
        [...policy.oncall]
          .sort((a, b) => a.level - b.level)
          .filter((o) => userIds.length === 0 || userIds.includes(o.userId))
          .map((o) => {
            const user = userOf(o.userId)!;
            return {
              escalation_policy: include.includes('escalation_policies') ? { ...policyRef(policy), type: 'escalation_policy', name: policy.name } : policyRef(policy),
              escalation_level: o.level,
              schedule: ref('schedule', 'schedules', `PSCH${policy.id.slice(-3)}${o.level}`, `${policy.name} level ${o.level}`),
              user: include.includes('users') ? userJson(user) : userRef(user),
              start: start.toISOString(),
              end: end.toISOString(),
            };
          }),
      );
    const { page, ...pagination } = paginate(request, entries);
    return { body: { oncalls: page, ...pagination } };
  }

  function serviceJson(service: (typeof services)[number]) {
    return {
      ...serviceRef(service),
      type: 'service',
      name: service.name,
      description: `${service.name} (sandbox)`,
      // PagerDuty's defaults for a new service (null would mean disabled).
      auto_resolve_timeout: 14400,
      acknowledgement_timeout: 1800,
      created_at: '2024-01-01T00:00:00Z',
      status: incidents.some((i) => i.serviceId === service.id && i.status !== 'resolved') ? 'critical' : 'active',
      escalation_policy: policyRef(policyOf(service.escalationPolicyId)!),
      teams: [],
      integrations: [],
      alert_creation: 'create_alerts_and_incidents',
    };
  }

  function policyJson(policy: (typeof escalationPolicies)[number]) {
    const levels = [...new Set(policy.oncall.map((o) => o.level))].sort((a, b) => a - b);
    return {
      ...policyRef(policy),
      type: 'escalation_policy',
      name: policy.name,
      num_loops: 0,
      on_call_handoff_notifications: 'if_has_services',
      escalation_rules: levels.map((level) => ({
        id: `PRULE${policy.id.slice(-2)}${level}`,
        escalation_delay_in_minutes: 30,
        targets: policy.oncall.filter((o) => o.level === level).map((o) => userRef(userOf(o.userId)!)),
      })),
      services: services.filter((s) => s.escalationPolicyId === policy.id).map(serviceRef),
      teams: [],
    };
  }

  function openIncident(input: Omit<Incident, 'id' | 'number' | 'status' | 'alerts' | 'createdAt' | 'updatedAt' | 'resolvedAt'>): Incident {
    const now = new Date().toISOString();
    const incident: Incident = { ...input, id: ids.next('PINC', 3), number: incidents.length + 1, status: 'triggered', alerts: 1, createdAt: now, updatedAt: now, resolvedAt: null };
    incidents.push(incident);
    return incident;
  }

  const openWithKey = (serviceId: string, key: string) => incidents.find((i) => i.serviceId === serviceId && i.incidentKey === key && i.status !== 'resolved');

  function createIncident(request: SandboxRequest): SandboxResponse {
    const from = request.headers.from;
    if (!from) return pdError(400, 'Invalid Input Provided', 2001, ['You must specify a user\'s email address in the "From" header to perform this action.']);
    if (!users.some((u) => u.email.toLowerCase() === from.toLowerCase())) {
      return pdError(400, 'Invalid Input Provided', 2001, ['The email address in the "From" header does not belong to a user on this account.']);
    }
    const input = (request.body as { incident?: Record<string, unknown> } | undefined)?.incident;
    if (!input) return pdError(400, 'Invalid Input Provided', 2001, ['Incident is required.']);
    const errors: string[] = [];
    if (input.type !== 'incident') errors.push('Incident type must be "incident".');
    if (typeof input.title !== 'string' || input.title.trim() === '') errors.push('Incident title is required.');
    const serviceInput = input.service as { id?: string; type?: string } | undefined;
    const service = serviceInput?.id ? serviceOf(serviceInput.id) : undefined;
    if (!service || serviceInput?.type !== 'service_reference') errors.push('Service is invalid.');
    if (input.urgency !== undefined && input.urgency !== 'high' && input.urgency !== 'low') errors.push('Urgency must be one of high or low.');
    if (errors.length > 0) return pdError(400, 'Invalid Input Provided', 2001, errors);

    const key = typeof input.incident_key === 'string' ? input.incident_key : randomBytes(16).toString('hex');
    if (openWithKey(service!.id, key)) return pdError(400, 'Incident Already Exists', 2001, ['Open incident with matching dedup key already exists on this service']);
    const incident = openIncident({
      title: input.title as string,
      serviceId: service!.id,
      urgency: (input.urgency as 'high' | 'low' | undefined) ?? 'high',
      incidentKey: key,
      details: (input.body as { details?: unknown } | undefined)?.details,
      from,
      links: [],
    });
    return { status: 201, body: { incident: incidentJson(incident) } };
  }

  function listIncidents(request: SandboxRequest): SandboxResponse {
    const key = request.query.get('incident_key');
    const serviceIds = list(request, 'service_ids');
    const statuses = list(request, 'statuses');
    const found = incidents.filter(
      (i) => (key === null || i.incidentKey === key) && (serviceIds.length === 0 || serviceIds.includes(i.serviceId)) && (statuses.length === 0 || statuses.includes(i.status)),
    );
    const { page, ...pagination } = paginate(request, found);
    return { body: { incidents: page.map(incidentJson), ...pagination } };
  }

  const serviceForKey = (routingKey: string) =>
    routingKey === fixture.credentials.pagerdutyRoutingKey ? services[0]?.id : Object.entries(routingKeys).find(([, key]) => key === routingKey)?.[0];

  const invalidEvent = (message: string, errors: string[]): SandboxResponse => ({ status: 400, body: { status: 'invalid event', message, errors } });

  /** Events API v2: validated like PagerDuty, then trigger/acknowledge/resolve by dedup key. */
  async function enqueue(request: SandboxRequest): Promise<SandboxResponse> {
    const response = processEvent(request);
    if (eventHoldMs > 0) await new Promise((resolve) => setTimeout(resolve, eventHoldMs).unref());
    return response;
  }

  function processEvent(request: SandboxRequest): SandboxResponse {
    const body = request.body;
    if (typeof body !== 'object' || body === null) return invalidEvent('Event object is invalid', ['Request body is not a JSON object.']);
    const event = body as { routing_key?: unknown; event_action?: unknown; dedup_key?: unknown; payload?: Record<string, unknown>; links?: unknown };
    const errors: string[] = [];
    const known = typeof event.routing_key === 'string' && serviceForKey(event.routing_key) !== undefined;
    if (typeof event.routing_key !== 'string' || event.routing_key === '') errors.push("'routing_key' is missing or blank");
    // Known keys pass whatever their length: the default fixture's key has 33 characters.
    else if (!known && event.routing_key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
    if (!EVENT_ACTIONS.includes(event.event_action as string)) errors.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
    if (event.dedup_key !== undefined && (typeof event.dedup_key !== 'string' || event.dedup_key.length > 255)) errors.push("'dedup_key' must be a string of at most 255 characters");
    if (event.event_action === 'trigger') {
      const payload = event.payload;
      if (typeof payload !== 'object' || payload === null) errors.push("'payload' is missing or blank");
      else {
        if (typeof payload.summary !== 'string' || payload.summary.trim() === '') errors.push("'payload.summary' is missing or blank");
        if (typeof payload.source !== 'string' || payload.source.trim() === '') errors.push("'payload.source' is missing or blank");
        if (!SEVERITIES.includes(payload.severity as string)) errors.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)");
      }
    } else if (typeof event.dedup_key !== 'string' || event.dedup_key === '') {
      errors.push("'dedup_key' is missing or blank");
    }
    if (errors.length > 0) return invalidEvent('Event object is invalid', errors);

    const serviceId = serviceForKey(event.routing_key as string);
    if (!serviceId) return invalidEvent('Event object is invalid', ['Invalid routing key']);

    const action = event.event_action as string;
    const dedupKey = (event.dedup_key as string | undefined) ?? randomBytes(16).toString('hex');
    const summary = String(event.payload?.summary ?? '').slice(0, 1024);
    const existing = openWithKey(serviceId, dedupKey);
    let result: string;
    if (action === 'trigger') {
      if (existing) {
        // PagerDuty drops a trigger whose dedup key has an open alert: no new alert, no new page.
        result = `deduplicated into #${existing.number}`;
      } else {
        const links = Array.isArray(event.links) ? (event.links as Incident['links']) : [];
        const incident = openIncident({ title: summary, serviceId, urgency: 'high', incidentKey: dedupKey, details: event.payload?.custom_details, from: 'Events API', links });
        result = `opened #${incident.number}`;
      }
    } else if (!existing) {
      result = 'no open incident';
    } else {
      existing.status = action === 'resolve' ? 'resolved' : 'acknowledged';
      existing.updatedAt = new Date().toISOString();
      if (action === 'resolve') existing.resolvedAt = existing.updatedAt;
      result = `${existing.status} #${existing.number}`;
    }
    events.push({ at: new Date().toISOString(), action, dedupKey, serviceId, summary, result });
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  }

  const authorized = (request: SandboxRequest) => request.headers.authorization === `Token token=${fixture.credentials.pagerdutyToken}`;

  /** REST answers 401 without the fixture's API token; Events authenticate by routing key instead. */
  const authed =
    (handler: (request: SandboxRequest) => SandboxResponse) =>
    (request: SandboxRequest): SandboxResponse =>
      authorized(request) ? handler(request) : pdError(401, 'Unauthorized', 2006);

  const byId = <T>(find: (id: string) => T | undefined, wrap: (item: T) => SandboxResponse) => (request: SandboxRequest) => {
    const item = find(request.params.id!);
    return item === undefined ? NOT_FOUND : wrap(item);
  };

  return {
    vendor: 'pagerduty',
    register(router) {
      const add = (method: string, pattern: string, handler: (request: SandboxRequest) => SandboxResponse) => router.add('pagerduty', method, pattern, authed(handler));
      add('GET', '/oncalls', oncalls);
      add('GET', '/services/:id', byId(serviceOf, (s) => ({ body: { service: serviceJson(s) } })));
      add('GET', '/escalation_policies/:id', byId(policyOf, (p) => ({ body: { escalation_policy: policyJson(p) } })));
      add('GET', '/users/:id', byId(userOf, (u) => ({ body: { user: userJson(u) } })));
      add('POST', '/incidents', createIncident);
      add('GET', '/incidents', listIncidents);
      router.add('pagerduty', 'POST', '/v2/enqueue', enqueue);
      router.add('sandbox', 'PUT', '/_sandbox/pagerduty/event-hold', (request) => {
        const ms = Number((request.body as { ms?: unknown } | undefined)?.ms);
        if (!Number.isFinite(ms) || ms < 0) return { status: 400, body: { error: 'send {"ms": <non-negative number>}' } };
        eventHoldMs = ms;
        return { body: { eventHoldMs } };
      });
    },
    reset,
    view(): ViewSection[] {
      const nameOf = (serviceId: string) => serviceOf(serviceId)?.name ?? serviceId;
      return [
        {
          heading: 'On-call',
          columns: ['service', 'level', 'person'],
          rows: services.flatMap((s) =>
            [...(policyOf(s.escalationPolicyId)?.oncall ?? [])]
              .sort((a, b) => a.level - b.level)
              .map((o) => {
                const user = userOf(o.userId);
                return [s.name, String(o.level), user ? `${user.name} <${user.email}>` : o.userId];
              }),
          ),
        },
        {
          heading: 'Pages',
          columns: ['incident', 'title', 'service', 'dedup key', 'status', 'from'],
          rows: incidents.map((i) => [`#${i.number}`, i.title, nameOf(i.serviceId), i.incidentKey, i.status, i.from]),
        },
        {
          heading: 'Events',
          columns: ['at', 'action', 'service', 'dedup key', 'summary', 'result'],
          rows: events.map((e) => [e.at, e.action, nameOf(e.serviceId), e.dedupKey, e.summary, e.result]),
        },
      ];
    },
    snapshot() {
      return {
        routingKeys,
        incidents: incidents.map((i) => ({
          id: i.id,
          number: i.number,
          title: i.title,
          serviceId: i.serviceId,
          status: i.status,
          incidentKey: i.incidentKey,
          urgency: i.urgency,
          alerts: i.alerts,
          from: i.from,
          details: i.details,
          links: i.links,
        })),
        events,
        // What people were paged for: one per incident opened by an event (dedup folds resends in).
        pages: incidents.filter((i) => i.from === 'Events API').map((i) => ({ dedupKey: i.incidentKey, serviceId: i.serviceId, title: i.title, alerts: i.alerts, links: i.links })),
      };
    },
  };
}
