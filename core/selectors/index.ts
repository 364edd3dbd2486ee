export { isSelectorObject, expressionStrings } from './is-selector.js';
export { evaluateSelector, xpathEngineFor } from './evaluate-selector.js';
export { listSelectors, type SelectorHolder } from './list-selectors.js';
export { selectJsonPath, isSingularJsonPath } from './select-json-path.js';
export { selectJsonPointer, checkJsonPointer } from './select-json-pointer.js';
