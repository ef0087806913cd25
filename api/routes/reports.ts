/** Reports and their reminders: POST /incidents/:id/reports, POST /incidents/:id/reminders/snooze. */
import type { FastifyInstance } from 'fastify';
import type { MusterClient } from '../../client';
import { REPORT_FIELD_LIMIT, type PostReportRequest } from '../../domain/reports';
import { SNOOZE_MINUTES } from '../../domain/reminders';
import type { Authenticate } from '../auth';
import { errorSchema, idParamsSchema, incidentSchema, reportSchema } from '../schemas';
import { incidentId } from './incidents';

export interface ReportRoutesDeps {
  client: MusterClient;
  authenticate: Authenticate;
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema };
const field = { type: 'string', minLength: 1, maxLength: REPORT_FIELD_LIMIT } as const;

export const reportBodySchema = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  description: 'tactical: conditions, actions, needs; executive: currentStatus, overview, nextSteps',
  properties: {
    kind: { type: 'string', enum: ['tactical', 'executive'] },
    conditions: field,
    actions: field,
    needs: field,
    currentStatus: field,
    overview: field,
    nextSteps: field,
  },
} as const;

type ReportBody = { kind: 'tactical' | 'executive' } & Record<string, string>;

export function reportRoutes(app: FastifyInstance, { client, authenticate }: ReportRoutesDeps): void {
  app.post<{ Params: { id: string }; Body: ReportBody }>(
    '/incidents/:id/reports',
    {
      schema: {
        summary: 'Post a tactical or executive report',
        description:
          'Kept as the latest report of its kind, posted to the incident channel and restarting its reminder; an executive report is also written as a document from the type\'s template. 400 names a missing field.',
        tags: ['reports'],
        params: idParamsSchema,
        body: reportBodySchema,
        response: { 201: reportSchema, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticate(request);
      // The rules name the missing field of the kind given (400 invalid_field).
      const report = await client.postReport(incidentId(request.params.id), { ...request.body, actor } as PostReportRequest);
      return reply.status(201).send(report);
    },
  );

  app.post<{ Params: { id: string }; Body: { kind: 'tactical' | 'executive'; minutes: number } }>(
    '/incidents/:id/reminders/snooze',
    {
      schema: {
        summary: 'Snooze the next report reminder',
        tags: ['reports'],
        params: idParamsSchema,
        body: {
          type: 'object',
          required: ['kind', 'minutes'],
          additionalProperties: false,
          properties: { kind: { type: 'string', enum: ['tactical', 'executive'] }, minutes: { type: 'integer', enum: SNOOZE_MINUTES } },
        },
        response: { 200: incidentSchema, ...errors },
      },
    },
    async (request) => {
      const actor = authenticate(request);
      return client.snoozeReminder(incidentId(request.params.id), { ...request.body, actor });
    },
  );
}
