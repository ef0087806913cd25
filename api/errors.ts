/**
 * One error shape for every failure: `{ error, message, field? }`. Anything a caller can type
 * is a 4xx that says what to fix; 5xx never leaks internals.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { IncidentNotFoundError, IncidentRejectedError } from '../client';

export interface ApiErrorBody {
  error: string;
  message: string;
  field?: string;
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns the first schema violation into a field path and a sentence a person can act on. */
function fromValidation(errors: AjvError[], context: string): ApiErrorBody {
  const first = errors[0]!;
  const path = first.instancePath.split('/').filter(Boolean).join('.');
  const join = (name: string) => (path ? `${path}.${name}` : name);
  let field = path || context;
  let message: string;
  switch (first.keyword) {
    case 'required':
      field = join(String(first.params.missingProperty));
      message = `${field} is required`;
      break;
    case 'additionalProperties':
      field = join(String(first.params.additionalProperty));
      message = `${field} is not a field of this request`;
      break;
    case 'enum':
      message = `${field} must be one of ${(first.params.allowedValues as string[]).join(', ')}`;
      break;
    case 'minProperties':
      message = `${context} must name at least one field to change`;
      break;
    default:
      message = `${field} ${first.message ?? 'is invalid'}`;
  }
  return { error: 'invalid_field', message, field };
}

const UNAVAILABLE = /UNAVAILABLE|ECONNREFUSED|Connection refused|DEADLINE_EXCEEDED|failed to connect/i;

export function errorHandler(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const validation = (err as FastifyError).validation as AjvError[] | undefined;
  if (validation?.length) {
    void reply.status(400).send(fromValidation(validation, (err as FastifyError).validationContext ?? 'body'));
    return;
  }
  if (err instanceof ApiError) {
    void reply.status(err.statusCode).send(err.body);
    return;
  }
  if (err instanceof IncidentRejectedError) {
    const status = err.code === 'invalid_transition' ? 409 : err.code === 'not_allowed' ? 403 : 400;
    void reply.status(status).send({ error: err.code, message: err.message, field: err.field });
    return;
  }
  if (err instanceof IncidentNotFoundError) {
    void reply.status(404).send({ error: 'not_found', message: err.message });
    return;
  }
  const statusCode = (err as FastifyError).statusCode;
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    // Fastify's own client errors: malformed JSON, wrong content type, body too large.
    void reply.status(statusCode).send({ error: 'bad_request', message: err.message });
    return;
  }
  if (UNAVAILABLE.test(err.message)) {
    request.log.warn({ err }, 'Temporal unavailable');
    void reply.status(503).send({ error: 'unavailable', message: 'Temporal is not reachable right now; retry in a moment' });
    return;
  }
  request.log.error({ err }, 'request failed');
  void reply.status(500).send({ error: 'internal', message: 'Something went wrong on our side; the request id is in the logs' });
}
