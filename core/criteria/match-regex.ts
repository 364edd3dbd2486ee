import { createContext, Script } from 'node:vm';
import type { RE2JS } from 're2js';
import { expressionError } from '../errors.js';
import { boundExceeded } from './evaluation-bound.js';

/**
 * Regex criteria (Arazzo: an ECMA-262 pattern) run on the linear-time RE2 engine whenever it
 * gives the same answer as ECMA-262, so a pattern such as `^(a+)+$` cannot block the event loop
 * whatever the response holds. The rest (back-references, lookaround, escapes RE2 reads
 * differently, and texts where the two engines disagree on `.` or `\s`) runs on the JavaScript
 * engine under a time budget. Past the budget the condition cannot be evaluated: in an Arazzo
 * 1.1 document it is not met, with a note (§ Criterion Object, "Evaluation Errors"); in a 1.0.x
 * document, whose text has no such rule, the step fails with `Arazzo.Expression` as it always
 * did (evaluate-criterion.ts). No pattern that ECMA-262 accepts is refused.
 *
 * `re2js` (about 260 KB) is loaded on first need, as the XPath libraries are: prepareCriteria()
 * loads it for a step with a regex criterion. Until it is loaded every pattern takes the budget.
 */

/** How long one backtracking evaluation may run before it is stopped. */
export const REGEX_BUDGET_MS = 250;

/** Escapes that mean the same in both engines (without the `u` flag); any other letter or digit escape does not (`\a`, `\z`, `\A`, `\Q`, `\p`, `\1` ...). */
const SAME_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'b', 'B', 't', 'n', 'r', 'f', 'v', 'x', '0']);

/** Whether RE2 reads the pattern's syntax as ECMA-262 does (RE2 still has to accept it). */
function sameSyntax(pattern: string): boolean {
  if (/[\uD800-\uDFFF]/.test(pattern)) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '\\') continue;
    const next = pattern[i + 1] ?? '';
    if (/[A-Za-z0-9]/.test(next) && !SAME_ESCAPES.has(next)) return false;
    // `\0` followed by a digit is an octal escape in ECMA-262 Annex B.
    if (next === '0' && /[0-9]/.test(pattern[i + 2] ?? '')) return false;
    i++;
  }
  return true;
}

/**
 * Characters where the engines differ: `.` (ECMA-262 excludes \r and the line separators),
 * `\s` (ECMA-262's includes \v and Unicode spaces), and astral characters (code units against
 * code points). A text without them is matched the same by both.
 */
const ENGINES_DIFFER = /[\r\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\uD800-\uDFFF]/;

export interface CompiledRegex {
  /** Whether the pattern matches somewhere in `text` (ECMA-262 `RegExp.prototype.test`). */
  test(text: string): boolean;
  /** Whether texts run on the linear-time engine (all but those with characters where the engines differ); false until the engine is loaded. */
  readonly linear: boolean;
}

let engine: typeof RE2JS | undefined;
let loading: Promise<void> | undefined;

/** Loads the RE2 engine once per process; concurrent callers share the same load. */
export function loadRegexEngine(): Promise<void> {
  if (engine) return Promise.resolve();
  loading ??= import('re2js').then(
    (module) => {
      engine = module.RE2JS;
    },
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

let sandbox: ReturnType<typeof createContext> | undefined;
const testScript = new Script('pattern.test(text)');

/** The ECMA-262 engine under a time budget: `vm`'s timeout interrupts a runaway backtrack. */
function testWithBudget(pattern: RegExp, text: string, budgetMs: number): boolean {
  sandbox ??= createContext({});
  sandbox.pattern = pattern;
  sandbox.text = text;
  try {
    return testScript.runInContext(sandbox, { timeout: budgetMs }) === true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw boundExceeded('the regex time budget', `regex criterion took longer than its ${budgetMs} ms budget (the pattern backtracks on this value)`);
    }
    throw error;
  } finally {
    sandbox.pattern = undefined;
    sandbox.text = undefined;
  }
}

/** Compiles a regex criterion's condition; throws `Arazzo.Expression` when ECMA-262 rejects it. */
export function compileRegex(condition: string, budgetMs = REGEX_BUDGET_MS): CompiledRegex {
  let pattern: RegExp;
  try {
    pattern = new RegExp(condition);
  } catch {
    throw expressionError('regex criterion condition is not a valid regular expression');
  }
  const candidate = sameSyntax(condition);
  // undefined: not tried yet (the engine was not loaded); null: RE2 cannot run it.
  let re2: ReturnType<typeof RE2JS.compile> | null | undefined = candidate ? undefined : null;
  const linear = () => {
    if (re2 === undefined && engine) {
      try {
        re2 = engine.compile(condition);
      } catch {
        re2 = null;
      }
    }
    return re2 ?? undefined;
  };
  return {
    get linear() {
      return linear() !== undefined;
    },
    test(text) {
      const re = linear();
      return re && !ENGINES_DIFFER.test(text) ? re.matcher(text).find() : testWithBudget(pattern, text, budgetMs);
    },
  };
}

/** A quantifier that repeats more than once: `*`, `+`, `{n,}`, `{n,m}` (not `?` or `{1}`). */
const REPEATS = /^(\*|\+|\{\d+,\d*\}|\{(\d{2,}|[2-9])\})/;

/**
 * Whether a pattern can backtrack for a time exponential in the text's length: a quantified
 * group that itself holds a quantifier or an alternation (`(a+)+`, `(a|aa)*`, `(\w+\s?)*`).
 * Lint warns on these; at run time they are safe on the linear engine and bounded elsewhere.
 */
export function mayBacktrackCatastrophically(condition: string): boolean {
  // A stack of open groups: whether each holds a quantifier or an alternation.
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < condition.length; i++) {
    const ch = condition[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') stack.push(false);
    else if (ch === '|' && stack.length) stack[stack.length - 1] = true;
    else if (ch === ')') {
      const risky = stack.pop() ?? false;
      if (risky && REPEATS.test(condition.slice(i + 1))) return true;
      if (risky && stack.length) stack[stack.length - 1] = true;
    } else if (REPEATS.test(condition.slice(i))) {
      if (stack.length) stack[stack.length - 1] = true;
    }
  }
  return false;
}
