/** The workflow bundle's single entry. */
export { incidentWorkflow } from './incident';
export { incidentRegistryWorkflow } from './incident-registry';
export { digestWorkflow } from './digests';
