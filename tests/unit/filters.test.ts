import { z } from 'zod';
import {
  describeFilter,
  FilterError,
  formatIssuePath,
  matches,
  MAX_FILTER_DEPTH,
  parseFilter,
  type Filter,
  type IncidentLike,
} from '../../domain/filters';
import { filterSchema } from '../../domain/filter-schema';

const INCIDENT: IncidentLike = {
  type: 'Operational',
  priority: 'High',
  severity: 'Medium',
  status: 'Active',
  visibility: 'Open',
  tags: ['db', 'Payments'],
  title: 'DB latency in eu-west',
  description: 'p99 up 3x\nsince the 10:00 deploy',
  commander: { email: 'cora@example.com', name: 'Cora' },
  reporter: { email: 'rita@example.com' },
};

const incident = (overrides: Partial<IncidentLike> = {}): IncidentLike => ({ ...INCIDENT, ...overrides });

/** Parses first, so every test also exercises validation of what it evaluates. */
const match = (filter: unknown, target: IncidentLike = INCIDENT) => matches(parseFilter(filter), target);
const cond = (field: string, op: string, value: unknown) => ({ field, op, value });

function refusal(input: unknown, path?: string): FilterError {
  try {
    parseFilter(input, path);
  } catch (err) {
    if (err instanceof FilterError) return err;
    throw err;
  }
  throw new Error('expected parseFilter to refuse');
}
const parseError = (input: unknown, path?: string) => refusal(input, path).message;

describe('scalar fields', () => {
  test.each([
    ['eq', 'High', true],
    ['eq', 'Low', false],
    ['ne', 'Low', true],
    ['ne', 'High', false],
    ['in', ['Medium', 'High'], true],
    ['in', ['Low', 'Medium'], false],
    ['in', [], false],
    ['not_in', ['Low', 'Medium'], true],
    ['not_in', ['High'], false],
    ['not_in', [], true],
    ['like', 'H%', true],
    ['like', 'h%', false],
    ['ilike', 'h%', true],
    ['ilike', 'l%', false],
  ])('priority %s %j -> %s', (op, value, expected) => {
    expect(match(cond('priority', op, value))).toBe(expected);
  });

  test('every scalar field is reachable', () => {
    expect(match(cond('type', 'eq', 'Operational'))).toBe(true);
    expect(match(cond('severity', 'eq', 'Medium'))).toBe(true);
    expect(match(cond('status', 'eq', 'Active'))).toBe(true);
    expect(match(cond('visibility', 'eq', 'Open'))).toBe(true);
    expect(match(cond('title', 'eq', 'DB latency in eu-west'))).toBe(true);
    expect(match(cond('description', 'like', '%deploy'))).toBe(true);
    expect(match(cond('commander', 'eq', 'cora@example.com'))).toBe(true);
    expect(match(cond('reporter', 'in', ['rita@example.com', 'x@example.com']))).toBe(true);
    expect(match(cond('reporter', 'eq', 'cora@example.com'))).toBe(false);
  });

  test('eq, ne and in are case-sensitive on text fields', () => {
    expect(match(cond('type', 'eq', 'operational'))).toBe(false);
    expect(match(cond('title', 'ne', 'db latency in eu-west'))).toBe(true);
    expect(match(cond('title', 'in', ['db latency in eu-west']))).toBe(false);
  });

  test('emails compare case-insensitively with every operator (they are stored lowercased)', () => {
    expect(match(cond('commander', 'eq', 'Cora@Example.COM'))).toBe(true);
    expect(match(cond('commander', 'ne', 'Cora@Example.COM'))).toBe(false);
    expect(match(cond('commander', 'not_in', ['CORA@example.com']))).toBe(false);
    expect(match(cond('reporter', 'like', '%@EXAMPLE.com'))).toBe(true);
    expect(match(cond('commander', 'eq', 'cora@example.com'), incident({ commander: { email: 'Cora@Example.com' } }))).toBe(true);
  });
});

describe('tags (a list field)', () => {
  test.each([
    ['eq', 'db', true],
    ['eq', 'payments', false], // case-sensitive: the tag is "Payments"
    ['eq', 'cache', false],
    ['ne', 'cache', true],
    ['ne', 'db', false], // ne holds only if no tag equals it
    ['in', ['cache', 'db'], true],
    ['in', ['cache', 'auth'], false],
    ['not_in', ['cache', 'auth'], true],
    ['not_in', ['cache', 'db'], false],
    ['like', 'Pay%', true],
    ['like', 'pay%', false],
    ['ilike', 'pay%', true],
    ['ilike', '%x%', false],
  ])('tags %s %j -> %s', (op, value, expected) => {
    expect(match(cond('tags', op, value))).toBe(expected);
  });

  test('no tags: nothing positive matches, every negation does', () => {
    const untagged = incident({ tags: [] });
    expect(match(cond('tags', 'eq', 'db'), untagged)).toBe(false);
    expect(match(cond('tags', 'in', ['db']), untagged)).toBe(false);
    expect(match(cond('tags', 'ilike', '%'), untagged)).toBe(false);
    expect(match(cond('tags', 'ne', 'db'), untagged)).toBe(true);
    expect(match(cond('tags', 'not_in', ['db']), untagged)).toBe(true);
  });
});

describe('like and ilike patterns', () => {
  const title = (pattern: string, value: string, op = 'like') => match(cond('title', op, pattern), incident({ title: value }));

  test('like is case-sensitive, ilike is not', () => {
    expect(title('%Latency%', 'DB latency')).toBe(false);
    expect(title('%Latency%', 'DB latency', 'ilike')).toBe(true);
    expect(title('%LATENCY%', 'db Latency', 'ilike')).toBe(true);
    expect(title('ÉTÉ', 'été', 'ilike')).toBe(true);
  });

  test('% is any run, including none and including newlines', () => {
    expect(title('%', '')).toBe(true);
    expect(title('a%', 'a')).toBe(true);
    expect(title('a%c', 'abbbc')).toBe(true);
    expect(title('a%c', 'abbbcd')).toBe(false);
    expect(title('%b%', 'ab\ncd')).toBe(true);
    expect(title('a%d', 'ab\ncd')).toBe(true);
    expect(title('%a%b%a%', 'xaxbxa')).toBe(true);
    expect(title('%a%b%a%', 'xaxbx')).toBe(false);
  });

  test('_ is exactly one character (a code point, so one emoji)', () => {
    expect(title('a_c', 'abc')).toBe(true);
    expect(title('a_c', 'ac')).toBe(false);
    expect(title('a_c', 'abbc')).toBe(false);
    expect(title('a__', 'a\nb')).toBe(true);
    expect(title('fire _', 'fire 🔥')).toBe(true);
  });

  test('the pattern must cover the whole value', () => {
    expect(title('latency', 'DB latency')).toBe(false);
    expect(title('DB', 'DB latency')).toBe(false);
  });

  test('regex characters are literal', () => {
    expect(title('a.b', 'axb')).toBe(false);
    expect(title('a.b', 'a.b')).toBe(true);
    expect(title('.*', 'anything')).toBe(false);
    expect(title('.*', '.*')).toBe(true);
    expect(title('(a|b)+[x]?{2}^$', '(a|b)+[x]?{2}^$')).toBe(true);
    expect(title('a+', 'aa')).toBe(false);
  });

  test('backslash escapes %, _ and itself', () => {
    expect(title('100\\%', '100%')).toBe(true);
    expect(title('100\\%', '1000')).toBe(false);
    expect(title('a\\_b', 'a_b')).toBe(true);
    expect(title('a\\_b', 'axb')).toBe(false);
    expect(title('C:\\\\%', 'C:\\temp')).toBe(true);
  });

  test('many % over a long value stays fast (no regex backtracking)', () => {
    const started = Date.now();
    expect(title('%a%a%a%a%a%a%a%a%a%a%b', 'a'.repeat(10_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('and, or, not', () => {
  const high = cond('priority', 'eq', 'High');
  const low = cond('priority', 'eq', 'Low');
  const db = cond('tags', 'in', ['db']);

  test('and needs all, or needs one, not negates', () => {
    expect(match({ and: [high, db] })).toBe(true);
    expect(match({ and: [high, low] })).toBe(false);
    expect(match({ or: [low, db] })).toBe(true);
    expect(match({ or: [low, cond('tags', 'eq', 'cache')] })).toBe(false);
    expect(match({ not: low })).toBe(true);
    expect(match({ not: high })).toBe(false);
    expect(match({ not: { not: high } })).toBe(true);
  });

  test('an empty and is true, an empty or is false', () => {
    expect(match({ and: [] })).toBe(true);
    expect(match({ or: [] })).toBe(false);
    expect(match({ not: { or: [] } })).toBe(true);
  });

  test('nesting', () => {
    const filter = {
      and: [high, { or: [cond('tags', 'in', ['cache', 'payments']), cond('title', 'ilike', '%LATENCY%')] }, { not: low }],
    };
    expect(match(filter)).toBe(true);
    expect(match(filter, incident({ title: 'Checkout errors' }))).toBe(false);
    expect(match(filter, incident({ title: 'Checkout errors', tags: ['payments'] }))).toBe(true);
    expect(match(filter, incident({ priority: 'Medium' }))).toBe(false);
  });

  test('deterministic: the same answer every time, and the filter is not changed', () => {
    const filter = parseFilter({ or: [cond('title', 'ilike', '%latency%'), cond('tags', 'in', ['db'])] });
    const copy = JSON.parse(JSON.stringify(filter)) as Filter;
    for (let i = 0; i < 3; i++) expect(matches(filter, INCIDENT)).toBe(true);
    expect(filter).toEqual(copy);
  });
});

describe('validation', () => {
  test('accepts the documented shape and returns a fresh, equal copy', () => {
    const input = {
      and: [cond('priority', 'eq', 'High'), { or: [cond('tags', 'in', ['db', 'payments']), cond('title', 'ilike', '%latency%')] }],
    };
    const filter = parseFilter(input);
    expect(filter).toEqual(input);
    expect(filter).not.toBe(input);
  });

  test.each<[string, unknown, string]>([
    ['not an object', 'priority = High', 'filter: must be a condition {field, op, value} or one of {and: [...]}, {or: [...]}, {not: {...}}'],
    ['null', null, 'filter: must be a condition {field, op, value} or one of {and: [...]}, {or: [...]}, {not: {...}}'],
    ['an array', [], 'filter: must be a condition {field, op, value} or one of {and: [...]}, {or: [...]}, {not: {...}}'],
    ['two combinators', { and: [], or: [] }, 'filter: must have only one of and, or, not (has and, or)'],
    ['a combinator with other keys', { not: { and: [] }, field: 'title' }, 'filter.field: unknown key; a filter with "not" has no other keys'],
    ['and not a list', { and: { field: 'title' } }, 'filter.and: must be a list of filters'],
    ['or not a list', { or: 'x' }, 'filter.or: must be a list of filters'],
    ['a bad child', { or: [cond('title', 'eq', 'x'), 7] }, 'filter.or[1]: must be a condition {field, op, value} or one of {and: [...]}, {or: [...]}, {not: {...}}'],
    [
      'an unknown field',
      { and: [cond('owner', 'eq', 'x')] },
      'filter.and[0].field: must be one of type, priority, severity, status, visibility, tags, title, description, commander, reporter',
    ],
    [
      'a missing field',
      { op: 'eq', value: 'x' },
      'filter.field: must be one of type, priority, severity, status, visibility, tags, title, description, commander, reporter',
    ],
    ['an unknown op', { not: cond('title', 'contains', 'x') }, 'filter.not.op: must be one of eq, ne, in, not_in, like, ilike'],
    ['a missing op', { field: 'title', value: 'x' }, 'filter.op: must be one of eq, ne, in, not_in, like, ilike'],
    ['an unknown key', { ...cond('title', 'eq', 'x'), case: 'i' }, 'filter.case: unknown key; allowed: field, op, value (or one of and, or, not)'],
    ['a key needing quotes', { ...cond('title', 'eq', 'x'), 'my key': 1 }, 'filter["my key"]: unknown key; allowed: field, op, value (or one of and, or, not)'],
    ['eq with a list', cond('tags', 'eq', ['a']), 'filter.value: must be a string for eq; use in for a list'],
    ['ne with a list', cond('tags', 'ne', ['a']), 'filter.value: must be a string for ne; use not_in for a list'],
    ['like with a number', cond('title', 'like', 5), 'filter.value: must be a string for like'],
    ['ilike without a value', { field: 'title', op: 'ilike' }, 'filter.value: must be a string for ilike'],
    ['in with a string', cond('tags', 'in', 'db'), 'filter.value: must be a list of strings for in'],
    ['not_in with a string', cond('tags', 'not_in', 'db'), 'filter.value: must be a list of strings for not_in'],
    ['in with a non-string item', cond('tags', 'in', ['db', 3]), 'filter.value[1]: must be a string'],
    ['a priority outside the vocabulary', cond('priority', 'eq', 'high'), 'filter.value: must be one of Low, Medium, High for priority'],
    ['a severity outside it, in a list', cond('severity', 'not_in', ['Low', 'Sev1']), 'filter.value[1]: must be one of Undetermined, Low, Medium, High, Critical for severity'],
    ['a status outside it', cond('status', 'ne', 'Open'), 'filter.value: must be one of Active, Stable, Closed for status'],
    ['a visibility outside it', cond('visibility', 'in', ['Public']), 'filter.value[0]: must be one of Open, Restricted for visibility'],
    ['a pattern ending in a lone backslash', cond('title', 'like', 'C:\\'), 'filter.value: must not end with a lone \\ (write \\\\ for a literal backslash)'],
  ])('refuses %s', (_what, input, message) => {
    expect(parseError(input)).toBe(message);
  });

  test('patterns on enum fields are not held to the vocabulary; an escaped final backslash is fine', () => {
    expect(() => parseFilter(cond('priority', 'ilike', 'hi%'))).not.toThrow();
    expect(() => parseFilter(cond('title', 'like', 'C:\\\\'))).not.toThrow();
  });

  test('the error names the path under the caller’s prefix, and lists every problem', () => {
    const input = { and: [cond('priority', 'eq', 'High'), { field: 'title', op: 'equals', value: 'x', extra: true }] };
    expect(parseError(input, 'rules[2].filter')).toBe(
      'rules[2].filter.and[1].extra: unknown key; allowed: field, op, value (or one of and, or, not); ' +
        'rules[2].filter.and[1].op: must be one of eq, ne, in, not_in, like, ilike',
    );
    expect(refusal(input).issues).toHaveLength(2);
  });

  test(`nesting is limited to ${MAX_FILTER_DEPTH} levels of and, or and not`, () => {
    const nest = (levels: number, wrap: (inner: unknown) => unknown): unknown => {
      let filter: unknown = cond('title', 'eq', 'x');
      for (let i = 0; i < levels; i++) filter = wrap(filter);
      return filter;
    };
    const inAnd = (inner: unknown) => ({ and: [inner] });
    const inNot = (inner: unknown) => ({ not: inner });
    expect(() => parseFilter(nest(MAX_FILTER_DEPTH, inAnd))).not.toThrow();
    expect(parseError(nest(MAX_FILTER_DEPTH + 1, inAnd))).toBe(`filter${'.and[0]'.repeat(MAX_FILTER_DEPTH)}: nesting deeper than 10 levels`);
    expect(parseError(nest(MAX_FILTER_DEPTH + 1, inNot))).toBe(`filter${'.not'.repeat(MAX_FILTER_DEPTH)}: nesting deeper than 10 levels`);
    // A hostile document is refused without walking all of it (a full walk would overflow the stack).
    expect(parseError(nest(100_000, inNot))).toMatch(/^filter(\.not){10}: nesting deeper than 10 levels$/);
  });

  test('filterSchema embeds in a config schema, which prefixes the path', () => {
    const config = z.object({ rules: z.array(z.object({ name: z.string(), filter: filterSchema })) });
    const result = config.safeParse({
      rules: [
        { name: 'dba', filter: cond('tags', 'in', ['db']) },
        { name: 'sre', filter: cond('priority', 'eq', 'High') },
        { name: 'pay', filter: { and: [cond('tags', 'eq', 'payments'), cond('title', 'eq', 'x'), { field: 'title', op: 'is', value: 'x' }] } },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`)).toEqual([
      'rules[2].filter.and[2].op: must be one of eq, ne, in, not_in, like, ilike',
    ]);
    const ok = config.parse({ rules: [{ name: 'dba', filter: { or: [] } }] });
    expect(matches(ok.rules[0]!.filter, INCIDENT)).toBe(false);
  });
});

describe('describeFilter', () => {
  test.each<[unknown, string]>([
    [
      { and: [cond('priority', 'eq', 'High'), { or: [cond('tags', 'in', ['db', 'payments']), cond('title', 'ilike', '%latency%')] }] },
      'priority = High and (tags in [db, payments] or title ilike "%latency%")',
    ],
    [cond('severity', 'ne', 'Low'), 'severity != Low'],
    [cond('tags', 'not_in', ['db', 'on call']), 'tags not in [db, "on call"]'],
    [cond('tags', 'in', []), 'tags in []'],
    [cond('title', 'eq', 'DB down'), 'title = "DB down"'],
    [cond('title', 'like', 'say "hi"%'), 'title like "say \\"hi\\"%"'],
    [cond('commander', 'eq', 'cora@example.com'), 'commander = cora@example.com'],
    [cond('title', 'eq', ''), 'title = ""'],
    [{ not: cond('status', 'eq', 'Closed') }, 'not (status = Closed)'],
    [{ not: { or: [cond('tags', 'eq', 'a'), cond('tags', 'eq', 'b')] } }, 'not (tags = a or tags = b)'],
    [{ and: [] }, 'true'],
    [{ or: [] }, 'false'],
    [{ or: [{ and: [cond('type', 'eq', 'Security')] }, { and: [cond('tags', 'eq', 'a'), cond('tags', 'eq', 'b')] }] }, 'type = Security or (tags = a and tags = b)'],
  ])('%j -> %s', (input, expected) => {
    expect(describeFilter(parseFilter(input))).toBe(expected);
  });
});
