export { toHistoryEvents, type ToHistoryEventsOptions } from './to-history-events.js';
export {
  createHistoryRecorder,
  type HistoryOptions,
  type HistoryRecorder,
  type TaskInvocationHandle,
} from './create-history-recorder.js';
export { historyToJson, type HistoryEventJson } from './history-to-json.js';
export { formatHistory, type FormatHistoryOptions } from './format-history.js';
export { classifyTaskResource, type TaskResourceKind } from './classify-task-resource.js';
export type { StateInfo, StateType } from './index-states.js';
export type { TaskInvocation } from './task-invocation.js';
export type { EngineEvent, LocalTaskHandler } from './engine-event.js';
