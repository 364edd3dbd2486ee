export { renderGraphPage, renderGraphSvg, type GraphPageInput, type RenderedGraph } from './render-page.js';
export { buildStateGraph, describeChoiceRule, edgeKey, START_NODE, type DefinitionLike, type GraphEdge, type GraphNode, type StateGraph } from './graph-model.js';
export { layoutGraph, placeInOrder, type Box, type GraphLayout, type LaidOutEdge, type LaidOutNode, type LayoutOptions, type NodeSize } from './layout.js';
export { computeOverlay, type ExecutionInfo, type ExecutionOverlay, type HistoryEventLike, type StateRun, type StateStatus, type Transition } from './overlay.js';
export { escapeText } from './escape.js';
