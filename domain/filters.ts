/**
 * Search filters: the JSON expressions engagement rules use to say which incidents an
 * individual, team or on-call service cares about. Pure and deterministic (no Node modules,
 * no clock, no module state), so the workflow evaluates them on every change and replays agree.
 *
 * Shape: a condition `{ "field": "priority", "op": "eq", "value": "High" }`, or a combination
 * `{ "and": [...] }`, `{ "or": [...] }`, `{ "not": {...} }`, nested to MAX_FILTER_DEPTH levels.
 */
import { INCIDENT_STATUSES, PRIORITIES, SEVERITIES, VISIBILITIES, type IncidentState } from './incident';

export const FILTER_FIELDS = [
  'type',
  'priority',
  'severity',
  'status',
  'visibility',
  'tags',
  'title',
  'description',
  'commander',
  'reporter',
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export const FILTER_OPS = ['eq', 'ne', 'in', 'not_in', 'like', 'ilike'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** Evaluation recurses once per level; the limit keeps it (and validation) shallow whatever the input. */
export const MAX_FILTER_DEPTH = 10;

export type FilterCondition =
  | { readonly field: FilterField; readonly op: 'eq' | 'ne' | 'like' | 'ilike'; readonly value: string }
  | { readonly field: FilterField; readonly op: 'in' | 'not_in'; readonly value: readonly string[] };

export type Filter =
  | FilterCondition
  | { readonly and: readonly Filter[] }
  | { readonly or: readonly Filter[] }
  | { readonly not: Filter };

/** What a filter can see: IncidentState, IncidentRecord and IncidentBrief-plus-tags all fit. */
export type IncidentLike = Pick<
  IncidentState,
  'type' | 'priority' | 'severity' | 'status' | 'visibility' | 'tags' | 'title' | 'description' | 'commander' | 'reporter'
>;

/**
 * Fields with a fixed vocabulary: `eq`/`in` values outside it could never match, which in a
 * config is always a typo ("high" for "High"), so validation refuses them. `type` is
 * per-deployment (IncidentSettings), so it is checked where the settings are known.
 */
const FIELD_VALUES: Partial<Record<FilterField, readonly string[]>> = {
  priority: PRIORITIES,
  severity: SEVERITIES,
  status: INCIDENT_STATUSES,
  visibility: VISIBILITIES,
};

/** Emails are stored lowercased (domain/rules), and people write them in any case. */
const EMAIL_FIELDS: ReadonlySet<FilterField> = new Set(['commander', 'reporter']);

const COMBINATORS = ['and', 'or', 'not'] as const;
const CONDITION_KEYS = ['field', 'op', 'value'] as const;

// ---------------------------------------------------------------------------------------------
// Validation

export class FilterError extends Error {
  override readonly name = 'FilterError';
  constructor(readonly issues: readonly string[]) {
    super(issues.join('; '));
  }
}

type IssuePath = Array<string | number>;
export interface Issue {
  path: IssuePath;
  message: string;
}

/**
 * Validates and returns a fresh copy. Hand-written rather than a zod union because a union
 * failure says "invalid input" at the node; walking by hand names the exact key and what is
 * allowed there. No zod here: workflows import this module, and every cached workflow would
 * evaluate zod's modules again (domain/filter-schema.ts wraps it for config schemas).
 */
export function readFilterIssues(input: unknown): { filter?: Filter; issues: Issue[] } {
  const issues: Issue[] = [];
  const filter = readFilter(input, [], 1, issues);
  return issues.length === 0 && filter ? { filter, issues } : { issues };
}

/** Parses a filter from config; the error names each bad key by its path under `path`. */
export function parseFilter(input: unknown, path = 'filter'): Filter {
  const { filter, issues } = readFilterIssues(input);
  if (filter) return filter;
  throw new FilterError(issues.map((i) => `${formatIssuePath(i.path, path)}: ${i.message}`));
}

/** `['rules', 2, 'filter', 'and', 1, 'op']` -> `rules[2].filter.and[1].op`, for any zod issue path. */
export function formatIssuePath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const oneOf = (allowed: readonly string[]) => `must be one of ${allowed.join(', ')}`;

function readFilter(input: unknown, path: IssuePath, depth: number, issues: Issue[]): Filter | undefined {
  const issue = (message: string, ...keys: IssuePath) => {
    issues.push({ path: [...path, ...keys], message });
    return undefined;
  };
  if (!isObject(input)) {
    return issue('must be a condition {field, op, value} or one of {and: [...]}, {or: [...]}, {not: {...}}');
  }
  const keys = Object.keys(input);
  const combinators = COMBINATORS.filter((c) => keys.includes(c));
  if (combinators.length === 0) return readCondition(input, path, issues);
  if (combinators.length > 1) return issue(`must have only one of and, or, not (has ${combinators.join(', ')})`);
  const [kind] = combinators as [(typeof COMBINATORS)[number]];
  for (const key of keys) if (key !== kind) issue(`unknown key; a filter with "${kind}" has no other keys`, key);
  // Checked before descending, so a hostile document cannot make validation itself recurse deeply.
  if (depth > MAX_FILTER_DEPTH) return issue(`nesting deeper than ${MAX_FILTER_DEPTH} levels`);

  if (kind === 'not') {
    const inner = readFilter(input.not, [...path, 'not'], depth + 1, issues);
    return inner && keys.length === 1 ? { not: inner } : undefined;
  }
  const list = input[kind];
  if (!Array.isArray(list)) return issue('must be a list of filters', kind);
  const children = list.map((child, i) => readFilter(child, [...path, kind, i], depth + 1, issues));
  if (keys.length > 1 || children.some((c) => c === undefined)) return undefined;
  return kind === 'and' ? { and: children as Filter[] } : { or: children as Filter[] };
}

function readCondition(input: Record<string, unknown>, path: IssuePath, issues: Issue[]): FilterCondition | undefined {
  const before = issues.length;
  const issue = (message: string, ...keys: IssuePath) => void issues.push({ path: [...path, ...keys], message });
  for (const key of Object.keys(input)) {
    if (!(CONDITION_KEYS as readonly string[]).includes(key)) {
      issue(`unknown key; allowed: ${CONDITION_KEYS.join(', ')} (or one of ${COMBINATORS.join(', ')})`, key);
    }
  }
  const { field, op, value } = input;
  const fieldOk = (FILTER_FIELDS as readonly unknown[]).includes(field);
  const opOk = (FILTER_OPS as readonly unknown[]).includes(op);
  if (!fieldOk) issue(oneOf(FILTER_FIELDS), 'field');
  if (!opOk) issue(oneOf(FILTER_OPS), 'op');
  if (!fieldOk || !opOk) return undefined; // what `value` must be depends on both

  const f = field as FilterField;
  const o = op as FilterOp;
  const vocabulary = o === 'like' || o === 'ilike' ? undefined : FIELD_VALUES[f];
  const checkString = (v: unknown, ...at: IssuePath) => {
    if (typeof v !== 'string') issue('must be a string', ...at);
    else if (vocabulary && !vocabulary.includes(v)) issue(`${oneOf(vocabulary)} for ${f}`, ...at);
    // PostgreSQL refuses this pattern too: the final backslash has nothing to escape.
    else if ((o === 'like' || o === 'ilike') && /(^|[^\\])(\\\\)*\\$/.test(v)) {
      issue('must not end with a lone \\ (write \\\\ for a literal backslash)', ...at);
    }
  };
  if (o === 'in' || o === 'not_in') {
    if (!Array.isArray(value)) issue(`must be a list of strings for ${o}`, 'value');
    else value.forEach((v, i) => checkString(v, 'value', i));
  } else if (typeof value !== 'string') {
    issue(`must be a string for ${o}${Array.isArray(value) ? `; use ${o === 'ne' ? 'not_in' : 'in'} for a list` : ''}`, 'value');
  } else {
    checkString(value, 'value');
  }
  if (issues.length > before) return undefined;
  return Array.isArray(value)
    ? { field: f, op: o as 'in' | 'not_in', value: [...(value as string[])] }
    : { field: f, op: o as 'eq' | 'ne' | 'like' | 'ilike', value: value as string };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Whether the incident matches. Assumes a filter from parseFilter/filterSchema (or typed code). */
export function matches(filter: Filter, incident: IncidentLike): boolean {
  if ('and' in filter) return filter.and.every((f) => matches(f, incident));
  if ('or' in filter) return filter.or.some((f) => matches(f, incident));
  if ('not' in filter) return !matches(filter.not, incident);
  return matchesCondition(filter, incident);
}

function fieldValues(incident: IncidentLike, field: FilterField): readonly string[] {
  switch (field) {
    case 'tags':
      return incident.tags;
    case 'commander':
    case 'reporter':
      return [incident[field].email];
    default:
      return [incident[field]];
  }
}

/**
 * Every field is read as a list (scalars as a list of one), so list semantics fall out:
 * eq/in/like/ilike hold if any value does; ne/not_in are their negations, i.e. no value does.
 */
function matchesCondition(condition: FilterCondition, incident: IncidentLike): boolean {
  const fold = condition.op === 'ilike' || EMAIL_FIELDS.has(condition.field) ? lower : same;
  const actual = fieldValues(incident, condition.field).map(fold);
  switch (condition.op) {
    case 'eq':
    case 'ne': {
      const found = actual.includes(fold(condition.value));
      return condition.op === 'eq' ? found : !found;
    }
    case 'in':
    case 'not_in': {
      const wanted = condition.value.map(fold);
      const found = actual.some((a) => wanted.includes(a));
      return condition.op === 'in' ? found : !found;
    }
    case 'like':
    case 'ilike': {
      const pattern = compileLike(fold(condition.value));
      return actual.some((a) => likeMatches(pattern, a));
    }
  }
}

const lower = (s: string) => s.toLowerCase();
const same = (s: string) => s;

// LIKE without regular expressions: nothing in a pattern can be read as regex syntax, `%` spans
// newlines, and the matcher below is O(text x pattern) at worst, where a regex built from
// `%a%a%a%b` can backtrack exponentially over a 10,000-character description.
const ANY_ONE = Symbol('_');
const ANY_RUN = Symbol('%');
type LikeToken = string | typeof ANY_ONE | typeof ANY_RUN;

/** `%` any run, `_` one character, `\` escapes the next character (PostgreSQL's default). */
function compileLike(pattern: string): LikeToken[] {
  const tokens: LikeToken[] = [];
  const chars = Array.from(pattern); // by code point, so `_` matches one emoji, not half of one
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') tokens.push(chars[++i] ?? '\\');
    else if (c === '%') {
      if (tokens[tokens.length - 1] !== ANY_RUN) tokens.push(ANY_RUN); // `%%` is `%`
    } else tokens.push(c === '_' ? ANY_ONE : c);
  }
  return tokens;
}

/** Greedy wildcard match: on a mismatch, let the last `%` swallow one more character and retry. */
function likeMatches(pattern: readonly LikeToken[], value: string): boolean {
  const text = Array.from(value);
  let t = 0;
  let p = 0;
  let runAt = -1; // pattern index of the last `%` seen
  let runFrom = 0; // text index that `%` currently stops before
  while (t < text.length) {
    const token = pattern[p];
    if (token === ANY_RUN) {
      runAt = p++;
      runFrom = t;
    } else if (token !== undefined && (token === ANY_ONE || token === text[t])) {
      t++;
      p++;
    } else if (runAt >= 0) {
      p = runAt + 1;
      t = ++runFrom;
    } else {
      return false;
    }
  }
  while (pattern[p] === ANY_RUN) p++;
  return p === pattern.length;
}

// ---------------------------------------------------------------------------------------------
// Rendering

const OP_WORDS: Record<FilterOp, string> = { eq: '=', ne: '!=', in: 'in', not_in: 'not in', like: 'like', ilike: 'ilike' };

/** One line for logs and config errors: `priority = High and (tags in [db, payments] or title ilike "%latency%")`. */
export function describeFilter(filter: Filter): string {
  if ('and' in filter) return describeList(filter.and, 'and', 'true');
  if ('or' in filter) return describeList(filter.or, 'or', 'false');
  if ('not' in filter) return `not (${describeFilter(filter.not)})`;
  const { field, op, value } = filter;
  const shown =
    typeof value !== 'string' ? `[${value.map(word).join(', ')}]` : op === 'like' || op === 'ilike' ? JSON.stringify(value) : word(value);
  return `${field} ${OP_WORDS[op]} ${shown}`;
}

function describeList(list: readonly Filter[], joiner: 'and' | 'or', empty: string): string {
  if (list.length === 0) return empty;
  return list.map((f) => (isCompound(f) ? `(${describeFilter(f)})` : describeFilter(f))).join(` ${joiner} `);
}

/** An and/or of two or more: parenthesised inside another and/or so the grouping stays visible. */
function isCompound(filter: Filter): boolean {
  return ('and' in filter && filter.and.length > 1) || ('or' in filter && filter.or.length > 1);
}

/** Plain values read bare (High, db, rita@example.com); anything with spaces or punctuation is quoted. */
function word(value: string): string {
  return /^[\w.@+-]+$/.test(value) ? value : JSON.stringify(value);
}
