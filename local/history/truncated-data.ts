/**
 * Stands for state data an execution's history no longer keeps (the local endpoint's history data
 * budget): the event keeps its place and says `truncated: true`, as the service's events can.
 */
export const TRUNCATED_DATA = '__arazzo_sfn_truncated__';
