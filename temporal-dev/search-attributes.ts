/**
 * Custom search attributes every Muster namespace needs (DESIGN.md), registered when the dev
 * server starts so `temporal workflow list --query` and the Web UI can filter incidents.
 */
export const INCIDENT_SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Text'> = {
  IncidentStatus: 'Keyword',
  IncidentSeverity: 'Keyword',
  IncidentPriority: 'Keyword',
  IncidentType: 'Keyword',
  IncidentCommander: 'Keyword',
  IncidentVisibility: 'Keyword',
  IncidentTitle: 'Text',
};
