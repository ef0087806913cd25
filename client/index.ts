export * from './muster-client';
export type * from '../domain/incident';
