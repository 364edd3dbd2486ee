export { parseCondition, listConditionExpressions, type Condition, type ComparisonOperator, type Literal } from './parse-condition.js';
export { evaluateCondition, isTruthy } from './evaluate-condition.js';
export {
  parseJsonPathCondition,
  describeJsonPathCondition,
  type JsonPathCondition,
  type JsonScalar,
} from './parse-jsonpath-condition.js';
export { evaluateCriterion } from './evaluate-criterion.js';
export { prepareCriteria, describeCriterion, xpathVersionsOf, type StepCriteria } from './prepare-criteria.js';
export { xmlLibrariesFor, XML_LIBRARIES } from './xml-libraries.js';
export { evaluateXPath } from './evaluate-xpath.js';
export { checkXPath } from './check-xpath.js';
export { checkCriterion, type CriterionCheck, type CriterionProblem, type CriterionWarning } from './check-criterion.js';
export { listCriterionExpressions } from './list-criterion-expressions.js';
export { repairJsonPath, formatJsonPath } from './repair-jsonpath.js';
export { handledFaultStatuses, criteriaAdmit, criteriaName, inStatusRanges, toStatusRanges, FAULT_STATUSES } from './admitted-statuses.js';
export { compileRegex, loadRegexEngine, mayBacktrackCatastrophically, REGEX_BUDGET_MS, type CompiledRegex } from './match-regex.js';
export { embeddedExpressions, interpolateCondition, conditionAsChecked, conditionSyntaxOf, type ConditionSyntax } from './embedded-expressions.js';
export { checkGoessnerCondition, goessnerQuery, isGoessnerFilterCondition } from './goessner-jsonpath.js';
export { CriterionNotMet } from './criterion-not-met.js';
export { boundExceeded, boundOf, EvaluationBound, type EvaluationBoundName } from './evaluation-bound.js';
