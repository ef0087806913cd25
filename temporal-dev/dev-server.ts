/**
 * Starts `temporal server start-dev` as a child process and resolves only once the server
 * really serves the namespace with the incident search attributes registered, so callers can
 * start workflows and run visibility queries right away.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { Connection } from '@temporalio/client';
import { ensureTemporalCli } from './cli-binary';
import { INCIDENT_SEARCH_ATTRIBUTES } from './search-attributes';

export interface DevServerOptions {
  /** Temporal CLI binary; default: ensureTemporalCli(). */
  cliPath?: string;
  ip?: string;
  port?: number;
  /** Default: port + 1000, as the CLI does (8233 for the default port). */
  uiPort?: number;
  headless?: boolean;
  namespace?: string;
  /** SQLite file for persistence; null/undefined = in-memory. */
  dbFile?: string | null;
  searchAttributes?: Record<string, string>;
  logLevel?: string;
  /** Server dynamic config, e.g. { 'system.enableActivityEagerExecution': true } (the default). */
  dynamicConfig?: Record<string, unknown>;
  /** Receives the server's output lines (and build progress if the CLI must be built). */
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface DevServer {
  /** host:port for `Connection.connect({ address })`. */
  address: string;
  /** Undefined when headless. */
  uiUrl?: string;
  namespace: string;
  pid: number;
  /** Resolves when the server process has exited (for whatever reason). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after 10 s; safe to call more than once. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

/**
 * Eager activities: a workflow task that schedules an activity gets it back in the same round
 * trip, which takes a poll off every step of an incident's assembly.
 */
export const DEFAULT_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = { 'system.enableActivityEagerExecution': true };

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port ?? 7233;
  const uiPort = opts.uiPort ?? port + 1000;
  const headless = opts.headless ?? false;
  const namespace = opts.namespace ?? 'default';
  const searchAttributes = opts.searchAttributes ?? INCIDENT_SEARCH_ATTRIBUTES;
  const log = opts.log ?? (() => {});
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const cliPath = opts.cliPath ?? (await ensureTemporalCli({ log }));

  // Fail fast with a clear message rather than a Go stack trace (or, worse, silently talking
  // to some other server that already owns the port).
  await assertPortFree(ip, port);
  if (!headless) await assertPortFree(ip, uiPort);

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--namespace', namespace, '--log-level', opts.logLevel ?? 'warn'];
  if (headless) args.push('--headless');
  else args.push('--ui-port', String(uiPort));
  for (const [name, type] of Object.entries(searchAttributes)) args.push('--search-attribute', `${name}=${type}`);
  const dynamicConfig = opts.dynamicConfig ?? DEFAULT_DYNAMIC_CONFIG;
  for (const [key, value] of Object.entries(dynamicConfig)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  if (opts.dbFile) {
    const dbFile = path.resolve(opts.dbFile);
    fs.mkdirSync(path.dirname(dbFile), { recursive: true });
    // WAL + synchronous=NORMAL: with the default pragmas every write waits for the disk and
    // timers fall minutes behind under load (see reference/integrations.md).
    args.push('--db-filename', dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=NORMAL');
  }

  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = []; // last lines of output, for error messages
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      if (!line.trim()) return;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      log(line);
    });
  }

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (err) => {
      tail.push(String(err));
      resolve({ code: null, signal: null });
    });
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  // If our process exits (normally or via process.exit) the server must not linger holding the
  // ports and the SQLite file. Only synchronous work is possible here; SIGKILL is safe because
  // SQLite in WAL mode survives a killed process.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((r) => (timer = setTimeout(r, STOP_GRACE_MS, 'timeout')));
      const outcome = await Promise.race([exited, grace]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    })());

  const hostForAddress = ip.includes(':') ? `[${ip}]` : ip;
  const address = `${hostForAddress}:${port}`;

  let failure: string;
  const abort = new AbortController();
  const ready = waitUntilReady(address, namespace, Object.keys(searchAttributes), abort.signal);
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      ready.then(() => 'ready' as const),
      exited.then(() => 'exited' as const),
      new Promise<'timeout'>((r) => (timer = setTimeout(r, startTimeoutMs, 'timeout'))),
    ]);
    if (result === 'ready') {
      return { address, uiUrl: headless ? undefined : `http://${hostForAddress}:${uiPort}`, namespace, pid: child.pid!, exited, stop };
    }
    failure = result === 'exited' ? 'exited before it was ready' : `was not ready within ${startTimeoutMs} ms`;
  } catch (err) {
    failure = `could not be reached: ${String(err)}`;
  } finally {
    clearTimeout(timer);
    abort.abort();
    await ready.catch(() => {}); // its connection is closed before we return or throw
  }
  await stop();
  throw new Error(`Temporal dev server ${failure}.\nCommand: ${cliPath} ${args.join(' ')}\nLast output:\n${tail.join('\n')}`);
}

/**
 * Polls until the namespace answers and every expected search attribute is listed. The
 * attributes are registered just after the frontend starts, so "port open" is not enough.
 */
async function waitUntilReady(address: string, namespace: string, attributes: string[], signal: AbortSignal): Promise<void> {
  // One lazy connection (gRPC reconnects by itself), closed whatever happens. No retry
  // interceptor: it would retry each call with backoff for seconds; we poll ourselves.
  const connection = Connection.lazy({ address, interceptors: [] });
  const call = <T>(fn: () => Promise<T>) =>
    connection.withAbortSignal(signal, () => connection.withDeadline(Date.now() + 2000, fn));
  try {
    while (!signal.aborted) {
      try {
        await call(() => connection.workflowService.describeNamespace({ namespace }));
        const { customAttributes } = await call(() => connection.operatorService.listSearchAttributes({ namespace }));
        if (attributes.every((name) => name in customAttributes)) return;
      } catch {
        // not up yet (or aborted: the loop condition ends it)
      }
      await sleep(200, signal);
    }
  } finally {
    await connection.close().catch(() => {});
  }
}

/** setTimeout that ends early when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is already in use`) : err),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** A port that was free a moment ago (the OS picks it); good enough for tests. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
