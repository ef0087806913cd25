/** The REST API: incidents, health, and its own OpenAPI document with a docs page. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import type { MusterClient } from '../client';
import type { IncidentStore } from '../store';
import { authenticator } from './auth';
import { errorHandler } from './errors';
import { incidentRoutes } from './routes/incidents';
import { feedbackRoutes } from './routes/feedback';

export interface ApiDeps {
  client: MusterClient;
  store: IncidentStore;
  /** token -> caller name; absent = open API for local development. */
  tokens?: Record<string, string>;
  logger?: Logger;
}

export async function buildApi({ client, store, tokens, logger }: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : { logger: false }),
    // Unknown fields are an error the caller should hear about, not something to drop silently.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    bodyLimit: 256 * 1024,
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: 'not_found', message: `No route ${request.method} ${request.url}; see /docs` });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Muster API', version: '1', description: 'Declare and drive incidents. Each incident is a Temporal workflow.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: tokens ? [{ bearer: [] }] : [],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/health',
    {
      schema: {
        summary: 'Is Muster able to serve?',
        tags: ['health'],
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, temporal: { type: 'string' }, store: { type: 'string' } } },
          503: { type: 'object', properties: { status: { type: 'string' }, temporal: { type: 'string' }, store: { type: 'string' } } },
        },
      },
    },
    async (_request, reply) => {
      const check = async (probe: () => Promise<unknown>) => probe().then(() => 'ok', () => 'unavailable');
      const [temporal, storeState] = await Promise.all([
        check(() => client.temporal.workflowService.getSystemInfo({})),
        check(() => store.ping()),
      ]);
      const ok = temporal === 'ok' && storeState === 'ok';
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', temporal, store: storeState });
    },
  );

  // First: it redacts anonymous feedback in every response, the incident routes' included.
  feedbackRoutes(app, { client, authenticate: authenticator(tokens) });
  incidentRoutes(app, { client, store, authenticate: authenticator(tokens) });
  return app;
}
