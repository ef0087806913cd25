/**
 * The sandbox: one stateful HTTP server on loopback that answers Slack, Google, Jira and
 * PagerDuty SDKs as the vendors would, plus an https listener for PagerDuty Events. A control
 * API under /_sandbox/ sets faults and reads the request log; / is a read-only page of
 * everything it holds.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Faults, Ids, RequestLog, Router, type Fault, type SandboxRequest, type SandboxResponse, type VendorModule } from './core';
import { DEFAULT_FIXTURE, type SandboxFixture } from './fixture';
import { renderPage } from './page';
import { ensureSandboxCertificate } from './tls';
import { startSmtpSandbox, type SmtpSandbox } from './smtp';
import { vendorModules } from './vendors';

export interface SandboxOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tlsPort?: number;
  fixture?: SandboxFixture;
  /** Where the TLS certificate is kept. */
  dataDir?: string;
  latencyMs?: number;
  /** The SMTP listener's port; 0 (default) picks a free one. */
  smtpPort?: number;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  url: string;
  /** host:port of the https listener (PagerDuty Events' `server` option). */
  tlsServer: string;
  /** PEM of the certificate the https listener uses, to trust it explicitly. */
  ca: string;
  caPath: string;
  fixture: SandboxFixture;
  faults: Faults;
  log: RequestLog;
  modules: VendorModule[];
  /** The loopback SMTP listener; what it received is under `smtp` in state(). */
  smtp: SmtpSandbox;
  /** Each vendor's state, as the control API returns it. */
  state(): Record<string, unknown>;
  reset(): void;
  stop(): Promise<void>;
}

type Server = ReturnType<typeof createHttpServer> | ReturnType<typeof createHttpsServer>;

const MAX_BODY = 5 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function send(res: ServerResponse, response: SandboxResponse): void {
  const status = response.status ?? 200;
  const isText = typeof response.body === 'string';
  const payload = response.body === undefined ? '' : isText ? (response.body as string) : JSON.stringify(response.body);
  res.writeHead(status, {
    ...(response.body === undefined ? {} : { 'content-type': isText ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8' }),
    ...response.headers,
  });
  res.end(payload);
}

/** The error body each vendor uses, so SDKs raise their real error types. */
function faultBody(vendor: string, status: number, mode: Fault['mode']): unknown {
  if (vendor === 'slack') return mode === 'rateLimit' ? { ok: false, error: 'ratelimited' } : { ok: false, error: status >= 500 ? 'internal_error' : 'access_denied' };
  if (vendor === 'google') return { error: { code: status, message: `sandbox fault ${status}`, errors: [{ reason: mode === 'rateLimit' ? 'rateLimitExceeded' : 'backendError' }] } };
  if (vendor === 'jira') return { errorMessages: [`sandbox fault ${status}`], errors: {} };
  return { error: { message: `sandbox fault ${status}`, code: status } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const fixture = options.fixture ?? DEFAULT_FIXTURE;
  const ids = new Ids();
  const modules = vendorModules(fixture, ids);
  const router = new Router();
  for (const module of modules) module.register(router);
  const faults = new Faults();
  faults.globalLatencyMs = options.latencyMs ?? 0;
  const log = new RequestLog();
  const smtp = await startSmtpSandbox({ host, port: options.smtpPort ?? 0, faults, log });
  modules.push(smtp.module);

  const state = () => Object.fromEntries(modules.map((m) => [m.vendor, m.snapshot()]));
  const reset = () => {
    ids.reset();
    for (const module of modules) module.reset();
    faults.clear();
    log.clear();
  };

  async function control(method: string, path: string, query: URLSearchParams, body: unknown): Promise<SandboxResponse | undefined> {
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /_sandbox/state':
        return { body: state() };
      case 'GET /_sandbox/requests':
        return { body: log.find({ vendor: query.get('vendor') ?? undefined, route: query.get('route') ?? undefined }) };
      case 'DELETE /_sandbox/requests':
        log.clear();
        return { status: 204 };
      case 'GET /_sandbox/faults':
        return { body: { faults: faults.list(), latencyMs: faults.globalLatencyMs } };
      case 'POST /_sandbox/faults':
        if (typeof body !== 'object' || body === null || !('mode' in body)) return { status: 400, body: { error: 'a fault needs a mode: fail, rateLimit, permanent or latency' } };
        return { status: 201, body: faults.add(body as Fault) };
      case 'DELETE /_sandbox/faults':
        faults.clear();
        return { status: 204 };
      case 'PUT /_sandbox/latency': {
        const ms = Number((body as { ms?: unknown } | undefined)?.ms);
        if (!Number.isFinite(ms) || ms < 0) return { status: 400, body: { error: 'send {"ms": <non-negative number>}' } };
        faults.globalLatencyMs = ms;
        return { body: { latencyMs: ms } };
      }
      case 'POST /_sandbox/reset':
        reset();
        return { status: 204 };
      case 'GET /':
        return { body: renderPage(modules) };
      default:
        return undefined;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const method = (req.method ?? 'GET').toUpperCase();
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      send(res, { status: 413, body: { error: 'body too large' } });
      return;
    }
    const body = parseBody(raw, req.headers['content-type']);

    const answered = await control(method, url.pathname, url.searchParams, body);
    if (answered) {
      send(res, answered);
      return;
    }

    const matched = router.match(method, url.pathname);
    if (!matched) {
      send(res, { status: 404, body: { error: `the sandbox does not emulate ${method} ${url.pathname}` } });
      return;
    }
    const { route, params } = matched;
    const request: SandboxRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v])),
      body,
      rawBody: raw,
      params,
    };

    const startedAt = new Date().toISOString();
    const { latencyMs, fault } = faults.take(route);
    if (latencyMs > 0) await sleep(latencyMs);

    let response: SandboxResponse;
    // A lost reply: the emulator acts, then the caller gets the fault instead of its answer.
    if (fault?.afterHandler) await Promise.resolve(route.handler(request)).catch(() => undefined);
    if (fault) {
      const status = fault.mode === 'rateLimit' ? 429 : (fault.status ?? (fault.mode === 'fail' ? 503 : 403));
      const headers: Record<string, string> = fault.mode === 'rateLimit' ? { 'retry-after': String(fault.retryAfterSeconds ?? 1) } : {};
      // Slack reports errors with HTTP 200 except rate limits and server errors.
      const httpStatus = route.vendor === 'slack' && status < 500 && status !== 429 ? 200 : status;
      response = { status: httpStatus, headers, body: fault.body ?? faultBody(route.vendor, status, fault.mode) };
    } else {
      try {
        response = await route.handler(request);
      } catch (err) {
        response = { status: 500, body: { error: `sandbox bug: ${(err as Error).message}` } };
      }
    }
    log.add({
      startedAt,
      vendor: route.vendor,
      route: route.name,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      status: response.status ?? 200,
      response: response.body,
      fault: fault?.mode,
    });
    send(res, response);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => send(res, { status: 500, body: { error: String(err) } }));
  };

  const certificate = ensureSandboxCertificate(options.dataDir ?? join(tmpdir(), 'muster-sandbox-tls'));
  const http = createHttpServer(onRequest);
  const https = createHttpsServer({ cert: certificate.cert, key: certificate.key }, onRequest);
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(http, options.port ?? 0);
  const tlsPort = await listen(https, options.tlsPort ?? 0);

  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  return {
    url: `http://${host}:${port}`,
    tlsServer: `${host}:${tlsPort}`,
    ca: certificate.cert,
    caPath: certificate.certPath,
    fixture,
    faults,
    log,
    modules,
    smtp,
    state,
    reset,
    stop: async () => {
      await Promise.all([close(http), close(https), smtp.stop()]);
    },
  };
}
