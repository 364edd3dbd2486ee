export interface Psd2BankScenario {
  readonly accessTokenTtlSeconds: number;
  /** A client assertion whose `exp` lies further ahead than this is refused: assertions are meant for one request. */
  readonly maxAssertionLifetimeSeconds: number;
  /** Clock skew allowed on `exp`, `iat` and `nbf`. */
  readonly clockToleranceSeconds: number;
}

export type Psd2BankScenarioOverrides = Partial<Psd2BankScenario>;

export const DEFAULT_PSD2_BANK_SCENARIO: Psd2BankScenario = Object.freeze({ accessTokenTtlSeconds: 300, maxAssertionLifetimeSeconds: 300, clockToleranceSeconds: 5 });

export function resolvePsd2BankScenario(overrides: Psd2BankScenarioOverrides = {}): Psd2BankScenario {
  const scenario = { ...DEFAULT_PSD2_BANK_SCENARIO, ...overrides };
  for (const [key, value] of Object.entries(scenario)) {
    if (!(Number.isInteger(value) && value >= 0)) throw new RangeError(`${key} must be a whole number of seconds`);
  }
  return scenario;
}
