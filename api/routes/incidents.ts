/** /incidents: declare, list (store), get (live query), update, timeline. */
import type { FastifyInstance } from 'fastify';
import type { IncidentChanges, IncidentFilter, IncidentStatus, Priority, Role, Severity } from '../../domain/incident';
import { isIncidentId } from '../../domain/rules';
import { RESOURCE_KINDS } from '../../domain/resources';
import type { MusterClient } from '../../client';
import { InvalidCursorError, type IncidentStore } from '../../store';
import type { Authenticate } from '../auth';
import { ApiError } from '../errors';
import {
  changesBodySchema,
  declareBodySchema,
  engageOncallBodySchema,
  errorSchema,
  idParamsSchema,
  incidentRecordSchema,
  incidentSchema,
  listQuerySchema,
  noteBodySchema,
  roleBodySchema,
  subscriberBodySchema,
  timelineEventSchema,
} from '../schemas';

export interface IncidentRoutesDeps {
  client: MusterClient;
  store: IncidentStore;
  authenticate: Authenticate;
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema };

function csv<T extends string>(field: string, value: string | undefined, allowed?: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const values = value.split(',').map((v) => v.trim()).filter(Boolean);
  const wrong = allowed ? values.find((v) => !(allowed as readonly string[]).includes(v)) : undefined;
  if (wrong !== undefined) {
    throw new ApiError(400, { error: 'invalid_field', field, message: `${field} must be one of ${allowed!.join(', ')} (got ${JSON.stringify(wrong)})` });
  }
  return values as T[];
}

/** Incident ids are case-insensitive for people: inc-7 is INC-7. */
function incidentId(raw: string): string {
  const id = raw.toUpperCase();
  if (!isIncidentId(id)) throw new ApiError(404, { error: 'not_found', message: `No incident ${raw}` });
  return id;
}

export function incidentRoutes(app: FastifyInstance, { client, store, authenticate }: IncidentRoutesDeps): void {
  app.post<{ Body: Parameters<MusterClient['declare']>[0]; Headers: { 'idempotency-key'?: string } }>(
    '/incidents',
    {
      schema: {
        summary: 'Declare an incident',
        description: 'Send an Idempotency-Key header to retry safely: the same key returns the same incident (200 instead of 201).',
        tags: ['incidents'],
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } } },
        body: declareBodySchema,
        response: { 200: incidentSchema, 201: incidentSchema, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticate(request);
      const body = request.body;
      const { incident, created } = await client.declare(
        { ...body, reporter: body.reporter ?? { email: actor } },
        { idempotencyKey: request.headers['idempotency-key'] },
      );
      return reply.status(created ? 201 : 200).header('location', `/incidents/${incident.id}`).send(incident);
    },
  );

  app.get<{ Querystring: Record<string, string | number | undefined> }>(
    '/incidents',
    {
      schema: {
        summary: 'List incidents, newest first',
        description: 'Reads the store. Follow nextCursor for the next page.',
        tags: ['incidents'],
        querystring: listQuerySchema,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: incidentRecordSchema }, nextCursor: { type: 'string' } } },
          ...errors,
        },
      },
    },
    async (request) => {
      authenticate(request);
      const q = request.query as Record<string, string | undefined> & { limit?: number };
      const filter: IncidentFilter = {
        status: csv<IncidentStatus>('status', q.status, ['Active', 'Stable', 'Closed']),
        severity: csv<Severity>('severity', q.severity, ['Undetermined', 'Low', 'Medium', 'High', 'Critical']),
        priority: csv<Priority>('priority', q.priority, ['Low', 'Medium', 'High']),
        type: csv('type', q.type),
        commander: q.commander,
        tag: q.tag,
        q: q.q,
      };
      try {
        return await store.listIncidents(filter, { limit: q.limit, cursor: q.cursor });
      } catch (err) {
        if (err instanceof InvalidCursorError) {
          throw new ApiError(400, { error: 'invalid_field', field: 'cursor', message: 'cursor must be a nextCursor from a previous page' });
        }
        throw err;
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/incidents/:id',
    { schema: { summary: "An incident's live state", tags: ['incidents'], params: idParamsSchema, response: { 200: incidentSchema, ...errors } } },
    async (request) => {
      authenticate(request);
      return client.get(incidentId(request.params.id));
    },
  );

  app.patch<{ Params: { id: string }; Body: IncidentChanges }>(
    '/incidents/:id',
    {
      schema: {
        summary: 'Change an incident',
        description: 'Status moves Active <-> Stable -> Closed, and Closed back to Active or Stable. 409 when the incident cannot make the change, with the reason.',
        tags: ['incidents'],
        params: idParamsSchema,
        body: changesBodySchema,
        response: { 200: incidentSchema, ...errors },
      },
    },
    async (request) => {
      const actor = authenticate(request);
      return client.update(incidentId(request.params.id), request.body, actor);
    },
  );

  app.post<{ Params: { id: string }; Body: { text: string; at?: string } }>(
    '/incidents/:id/timeline',
    {
      schema: {
        summary: 'Add a note to the timeline',
        tags: ['incidents'],
        params: idParamsSchema,
        body: noteBodySchema,
        response: { 202: { type: 'object', properties: { accepted: { type: 'boolean' } } }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticate(request);
      await client.addTimelineEvent(incidentId(request.params.id), { ...request.body, actor });
      return reply.status(202).send({ accepted: true });
    },
  );

  app.post<{ Params: { id: string }; Body: { action: 'assign' | 'renounce'; role: Role; email: string; name?: string } }>(
    '/incidents/:id/roles',
    {
      schema: {
        summary: 'Assign or renounce a role',
        description: 'Assigning Commander hands over command (the previous one stays a participant). 409 with the reason when refused, e.g. renouncing the only commander.',
        tags: ['incidents'],
        params: idParamsSchema,
        body: roleBodySchema,
        response: { 200: incidentSchema, ...errors },
      },
    },
    async (request) => {
      const actor = authenticate(request);
      const { action, role, email, name } = request.body;
      return client.changeRole(incidentId(request.params.id), { action, role, person: name ? { email, name } : { email } }, actor);
    },
  );

  app.post<{ Params: { id: string }; Body: { service: string; role?: Role; page?: boolean } }>(
    '/incidents/:id/oncall',
    {
      schema: {
        summary: "Engage a service's current on-call",
        description: 'Looks up who is on call now, adds them with the role (default Participant) and pages them if asked. 400 for an unknown service, 409 when the incident is Closed or nobody is on call.',
        tags: ['incidents'],
        params: idParamsSchema,
        body: engageOncallBodySchema,
        response: { 200: incidentSchema, ...errors },
      },
    },
    async (request) => {
      const actor = authenticate(request);
      const { service, role, page } = request.body;
      return client.engageOncall(incidentId(request.params.id), { service, role, page, actor });
    },
  );

  app.post<{ Params: { id: string }; Body: { email: string; name?: string } }>(
    '/incidents/:id/subscribers',
    {
      schema: {
        summary: "Subscribe someone to the incident's notifications",
        description: 'Adds them to the notifications group (every update by email). 409 when the incident has no notifications group.',
        tags: ['incidents'],
        params: idParamsSchema,
        body: subscriberBodySchema,
        response: { 200: incidentSchema, ...errors },
      },
    },
    async (request) => {
      const actor = authenticate(request);
      const { email, name } = request.body;
      return client.subscribe(incidentId(request.params.id), { person: name ? { email, name } : { email }, actor });
    },
  );

  app.post<{ Params: { id: string; resource: string } }>(
    '/incidents/:id/resources/:resource/retry',
    {
      schema: {
        summary: 'Make a failed resource again',
        description: 'Once the cause is fixed (credentials, template, permissions). 409 unless the resource failed.',
        tags: ['incidents'],
        params: {
          type: 'object',
          required: ['id', 'resource'],
          properties: { id: idParamsSchema.properties.id, resource: { type: 'string', enum: RESOURCE_KINDS } },
        },
        response: { 200: incidentSchema, ...errors },
      },
    },
    async (request) => {
      const actor = authenticate(request);
      return client.retryResource(incidentId(request.params.id), request.params.resource, actor);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { afterSeq?: number; limit?: number } }>(
    '/incidents/:id/timeline',
    {
      schema: {
        summary: "An incident's recorded timeline",
        description: 'Reads the store; events arrive there moments after they happen.',
        tags: ['incidents'],
        params: idParamsSchema,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { afterSeq: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: timelineEventSchema } } }, ...errors },
      },
    },
    async (request) => {
      authenticate(request);
      const id = incidentId(request.params.id);
      const items = await store.listTimeline(id, request.query);
      if (items.length === 0 && !(await store.getIncident(id))) throw new ApiError(404, { error: 'not_found', message: `No incident ${id}` });
      return { items };
    },
  );
}
