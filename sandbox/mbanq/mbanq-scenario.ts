import { validateFaultRule, type FaultRule } from '../http/index.js';

export interface MbanqTokenScenario {
  /** Lifetime of new access tokens (`expires_in`). */
  readonly expiresInSeconds: number;
}

/** How one Mbanq sandbox behaves for the requests that follow. */
export interface MbanqScenario {
  readonly tokens: MbanqTokenScenario;
  readonly faults: readonly FaultRule[];
}

/** Accepted wherever a scenario is set: every part optional, merged over the defaults. */
export interface MbanqScenarioOverrides {
  readonly tokens?: Partial<MbanqTokenScenario>;
  readonly faults?: readonly FaultRule[];
}

export const DEFAULT_MBANQ_SCENARIO: MbanqScenario = Object.freeze({
  tokens: Object.freeze({ expiresInSeconds: 3600 }),
  faults: Object.freeze([]) as readonly FaultRule[],
}) as MbanqScenario;

/** The defaults with `overrides` merged in, checked so a typo fails at setup rather than mid-run. */
export function resolveMbanqScenario(overrides: MbanqScenarioOverrides = {}): MbanqScenario {
  const scenario: MbanqScenario = {
    tokens: { ...DEFAULT_MBANQ_SCENARIO.tokens, ...overrides.tokens },
    faults: [...(overrides.faults ?? DEFAULT_MBANQ_SCENARIO.faults)],
  };
  const ttl = scenario.tokens.expiresInSeconds;
  if (!(Number.isInteger(ttl) && ttl > 0)) throw new RangeError('tokens.expiresInSeconds must be a positive integer');
  scenario.faults.forEach(validateFaultRule);
  return scenario;
}
