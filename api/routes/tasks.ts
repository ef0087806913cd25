/** Tasks: POST/GET /incidents/:id/tasks, resolve and reopen, and GET /tasks?person= (from the store). */
import type { FastifyInstance } from 'fastify';
import type { MusterClient } from '../../client';
import type { IncidentStore } from '../../store';
import type { Authenticate } from '../auth';
import { errorSchema, idParamsSchema, taskSchema } from '../schemas';
import { incidentId } from './incidents';

export interface TaskRoutesDeps {
  client: MusterClient;
  store: IncidentStore;
  authenticate: Authenticate;
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema };
const taskParams = {
  type: 'object',
  required: ['id', 'taskId'],
  properties: { id: idParamsSchema.properties.id, taskId: { type: 'string', description: 'task id, e.g. T1' } },
} as const;
const taskItem = {
  type: 'object',
  properties: { ...taskSchema.properties, incidentId: { type: 'string' }, incidentTitle: { type: 'string' } },
} as const;

export const addTaskBodySchema = {
  type: 'object',
  required: ['description'],
  additionalProperties: false,
  properties: {
    description: { type: 'string', minLength: 1, maxLength: 2000 },
    owner: { type: 'string', format: 'email', description: 'defaults to the caller' },
    assignees: { type: 'array', maxItems: 20, items: { type: 'string', format: 'email' } },
    resolveBy: { type: 'string', format: 'date-time', description: 'defaults to a day from now (a week for review tasks)' },
    review: { type: 'boolean', description: 'a post-incident review task' },
  },
} as const;

export function taskRoutes(app: FastifyInstance, { client, store, authenticate }: TaskRoutesDeps): void {
  app.post<{ Params: { id: string }; Body: { description: string; owner?: string; assignees?: string[]; resolveBy?: string; review?: boolean } }>(
    '/incidents/:id/tasks',
    {
      schema: {
        summary: 'Add a task',
        description: 'Overdue open tasks remind their owner and assignees once a day until resolved.',
        tags: ['tasks'],
        params: idParamsSchema,
        body: addTaskBodySchema,
        response: { 201: taskSchema, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticate(request);
      const task = await client.addTask(incidentId(request.params.id), { ...request.body, actor });
      return reply.status(201).send(task);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/incidents/:id/tasks',
    {
      schema: {
        summary: "An incident's tasks (live)",
        tags: ['tasks'],
        params: idParamsSchema,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: taskSchema } } }, ...errors },
      },
    },
    async (request) => {
      authenticate(request);
      return { items: await client.listTasks(incidentId(request.params.id)) };
    },
  );

  for (const action of ['resolve', 'reopen'] as const) {
    app.post<{ Params: { id: string; taskId: string } }>(
      `/incidents/:id/tasks/:taskId/${action}`,
      {
        schema: {
          summary: action === 'resolve' ? 'Resolve a task' : 'Reopen a resolved task',
          description: '409 when the task already has that status or the incident is Closed.',
          tags: ['tasks'],
          params: taskParams,
          response: { 200: taskSchema, ...errors },
        },
      },
      async (request) => {
        const actor = authenticate(request);
        const id = incidentId(request.params.id);
        return action === 'resolve' ? client.resolveTask(id, request.params.taskId, actor) : client.reopenTask(id, request.params.taskId, actor);
      },
    );
  }

  app.get<{ Querystring: { person: string; status?: 'Open' | 'Resolved' } }>(
    '/tasks',
    {
      schema: {
        summary: "A person's tasks across incidents",
        description: 'Reads the store: tasks owned by or assigned to the person, open ones first.',
        tags: ['tasks'],
        querystring: {
          type: 'object',
          required: ['person'],
          additionalProperties: false,
          properties: { person: { type: 'string', format: 'email' }, status: { type: 'string', enum: ['Open', 'Resolved'] } },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: taskItem } } }, ...errors },
      },
    },
    async (request) => {
      authenticate(request);
      return { items: await store.listTasksFor(request.query.person, { status: request.query.status }) };
    },
  );
}
