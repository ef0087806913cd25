/**
 * POST /incidents/:id/feedback, and the rule that anonymous feedback never leaves the API with
 * a name on it: every response carrying an incident's feedback is redacted before it is sent.
 */
import type { FastifyInstance } from 'fastify';
import type { MusterClient } from '../../client';
import type { FeedbackEntry, Person } from '../../domain/incident';
import { isIncidentId } from '../../domain/rules';
import { publicFeedback } from '../../domain/feedback';
import type { Authenticate } from '../auth';
import { ApiError } from '../errors';
import { errorSchema, feedbackBodySchema, idParamsSchema, incidentSchema } from '../schemas';

export interface FeedbackRoutesDeps {
  client: MusterClient;
  authenticate: Authenticate;
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema };

function hasFeedback(payload: unknown): payload is { feedback: FeedbackEntry[] } {
  return typeof payload === 'object' && payload !== null && Array.isArray((payload as { feedback?: unknown }).feedback);
}

export function feedbackRoutes(app: FastifyInstance, { client, authenticate }: FeedbackRoutesDeps): void {
  app.addHook('preSerialization', async (_request, _reply, payload) => (hasFeedback(payload) ? { ...payload, feedback: publicFeedback(payload.feedback) } : payload));

  app.post<{ Params: { id: string }; Body: { rating: number; text?: string; anonymous?: boolean; person?: Person } }>(
    '/incidents/:id/feedback',
    {
      schema: {
        summary: 'Give feedback on an incident',
        description: 'Rating 1-5, optional text, optionally anonymous (the person is then never shown). One per person: sending again replaces it.',
        tags: ['incidents'],
        params: idParamsSchema,
        body: feedbackBodySchema,
        response: { 200: incidentSchema, ...errors },
      },
    },
    async (request) => {
      const actor = authenticate(request);
      const id = request.params.id.toUpperCase();
      if (!isIncidentId(id)) throw new ApiError(404, { error: 'not_found', message: `No incident ${request.params.id}` });
      const { person, ...rest } = request.body;
      return client.submitFeedback(id, { ...rest, person: person ?? { email: actor } });
    },
  );
}
