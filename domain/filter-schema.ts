/**
 * The filter language as a zod schema, so config schemas can embed it and get their own path
 * prefix on each issue. Kept apart from domain/filters.ts, which workflows import.
 */
import { z } from 'zod';
import { readFilterIssues, type Filter } from './filters';

export const filterSchema = z.unknown().transform((input, ctx): Filter => {
  const { filter, issues } = readFilterIssues(input);
  for (const { path, message } of issues) ctx.addIssue({ code: 'custom', path, message });
  return filter ?? z.NEVER;
});
