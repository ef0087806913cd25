/**
 * The sandbox's machinery, shared by every vendor emulator: routing, request parsing, fault
 * injection, added latency and the request log. Vendor modules (slack.ts, google.ts, ...)
 * only declare routes and keep their own state.
 */

export type Vendor = 'slack' | 'google' | 'jira' | 'pagerduty' | 'sandbox' | 'smtp';

export interface SandboxRequest {
  method: string;
  /** Path without the query string, e.g. /api/conversations.create */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** JSON body, or form fields as an object, or undefined. */
  body: unknown;
  rawBody: string;
  params: Record<string, string>;
}

export interface SandboxResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless it is a string. */
  body?: unknown;
}

export type Handler = (request: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export interface Route {
  vendor: Vendor;
  method: string;
  /** Express-like pattern: /drive/v3/files/:fileId/copy. Slack routes are /api/<method>. */
  pattern: string;
  /** The name faults and the request log use, e.g. "conversations.create" or "POST /rest/api/3/issue". */
  name: string;
  handler: Handler;
  regex: RegExp;
  keys: string[];
}

export function compile(pattern: string): { regex: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        keys.push(part.slice(1).match(/^[A-Za-z0-9_]*/)![0]);
        // Google puts verbs after ids (documents/{id}:batchUpdate), so stop a parameter at ':'.
        const suffix = part.slice(1).match(/[^A-Za-z0-9_].*$/)?.[0] ?? '';
        return `([^/:]+)${escape(suffix)}`;
      }
      return escape(part);
    })
    .join('/');
  return { regex: new RegExp(`^${source}/?$`), keys };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Router {
  readonly routes: Route[] = [];

  add(vendor: Vendor, method: string, pattern: string, handler: Handler, name = `${method} ${pattern}`): this {
    this.routes.push({ vendor, method: method.toUpperCase(), pattern, name, handler, ...compile(pattern) });
    return this;
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method.toUpperCase()) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params = Object.fromEntries(route.keys.map((key, i) => [key, decodeURIComponent(m[i + 1]!)]));
      return { route, params };
    }
    return undefined;
  }
}

/**
 * A fault on one route (by its name) or a whole vendor. `fail` answers with `status` (default
 * 503) for the next `times` calls; `rateLimit` answers 429 with Retry-After; `permanent`
 * answers `status` (default 403) until removed; `latency` delays every call by `latencyMs`.
 */
export interface Fault {
  id?: number;
  vendor?: Vendor;
  route?: string;
  mode: 'fail' | 'rateLimit' | 'permanent' | 'latency';
  times?: number;
  status?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
  /** Body to answer with instead of the vendor's usual error shape. */
  body?: unknown;
  /** The vendor does the work first and only the answer fails (a lost reply): for exactly-once tests. */
  afterHandler?: boolean;
}

export interface LoggedRequest {
  seq: number;
  /** When the answer was sent (after any added latency). */
  at: string;
  /** When the request arrived. */
  startedAt: string;
  vendor: Vendor;
  route: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  response: unknown;
  /** Set when the answer came from a fault rather than the emulator. */
  fault?: Fault['mode'];
}

export class Faults {
  private next = 1;
  private faults: Fault[] = [];
  /** Added to every vendor call (benchmarks use it to stand for network and vendor time). */
  globalLatencyMs = 0;

  add(fault: Fault): Fault {
    const stored = { ...fault, id: this.next++ };
    this.faults.push(stored);
    return stored;
  }

  clear(): void {
    this.faults = [];
    this.globalLatencyMs = 0;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** The fault to apply to this call, consuming one use of a counted fault. */
  take(route: Route): { latencyMs: number; fault?: Fault } {
    const applies = (f: Fault) => (f.route === undefined || f.route === route.name) && (f.vendor === undefined || f.vendor === route.vendor);
    const latencyMs =
      this.globalLatencyMs + this.faults.filter((f) => f.mode === 'latency' && applies(f)).reduce((sum, f) => sum + (f.latencyMs ?? 0), 0);
    const fault = this.faults.find((f) => f.mode !== 'latency' && applies(f));
    if (fault && fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
    }
    return { latencyMs, fault };
  }
}

export class RequestLog {
  private seq = 0;
  entries: LoggedRequest[] = [];

  add(entry: Omit<LoggedRequest, 'seq' | 'at'>): LoggedRequest {
    const logged = { seq: ++this.seq, at: new Date().toISOString(), ...entry };
    this.entries.push(logged);
    // Bounded so a long `npm start` does not grow without end.
    if (this.entries.length > 20_000) this.entries.splice(0, this.entries.length - 20_000);
    return logged;
  }

  find(filter: { vendor?: string; route?: string } = {}): LoggedRequest[] {
    return this.entries.filter((e) => (!filter.vendor || e.vendor === filter.vendor) && (!filter.route || e.route === filter.route));
  }

  clear(): void {
    this.entries = [];
  }
}

/** One section of the read-only web page: a heading and a table. */
export interface ViewSection {
  heading: string;
  columns: string[];
  rows: string[][];
}

/** What every vendor module gives the server. */
export interface VendorModule {
  vendor: Vendor;
  register(router: Router): void;
  /** Back to the fixture's state. */
  reset(): void;
  /** What a person sees of this vendor on the sandbox page. */
  view(): ViewSection[];
  /** The vendor's state as JSON, for tests and the control API. */
  snapshot(): unknown;
}

/** Sequential ids that look like the vendor's (C0001, 10001, P1ABCD, ...). */
export class Ids {
  private counters = new Map<string, number>();
  next(prefix: string, width = 6, start = 1): string {
    const n = (this.counters.get(prefix) ?? start - 1) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${String(n).padStart(width, '0')}`;
  }
  reset(): void {
    this.counters.clear();
  }
}
