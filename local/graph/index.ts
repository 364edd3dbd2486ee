export { renderGraphPage } from './render-page.js';
export { renderGraphSvg, type GraphPageInput, type RenderedGraph } from './render-svg.js';
export { buildStateGraph, describeChoiceRule, edgeKey, START_NODE, type DefinitionLike, type GraphEdge, type GraphNode, type StateGraph } from './graph-model.js';
export { layoutGraph } from './layout.js';
export type { Box, GraphLayout, LaidOutEdge, LaidOutNode, LayoutOptions, NodeSize } from './layout-types.js';
export { placeInOrder } from './place-in-order.js';
export { computeOverlay, type ExecutionInfo, type ExecutionOverlay, type HistoryEventLike, type StateRun, type StateStatus, type Transition } from './overlay.js';
export { escapeText } from './escape.js';
