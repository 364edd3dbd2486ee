// The cost of an execution: state transitions and Lambda calls from the emitted ASL, priced at list prices.
export { estimateCost, type CostLoop, type CostReport, type CostUnits } from './estimate-cost.js';
export { formatCostReport } from './format-cost.js';
export { DEFAULT_PRICES, readPricesFile, withPrices, type CostPrices } from './prices.js';
