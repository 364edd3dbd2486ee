export interface PetstoreScenario {
  readonly sessions: { readonly expiresInSeconds: number };
  /** `X-Rate-Limit` of a login: calls per hour the user may make. */
  readonly rateLimitPerHour: number;
}

export interface PetstoreScenarioOverrides {
  readonly sessions?: Partial<PetstoreScenario['sessions']>;
  readonly rateLimitPerHour?: number;
}

export const DEFAULT_PETSTORE_SCENARIO: PetstoreScenario = Object.freeze({ sessions: Object.freeze({ expiresInSeconds: 3600 }), rateLimitPerHour: 5000 });

export function resolvePetstoreScenario(overrides: PetstoreScenarioOverrides = {}): PetstoreScenario {
  const scenario = {
    sessions: { ...DEFAULT_PETSTORE_SCENARIO.sessions, ...overrides.sessions },
    rateLimitPerHour: overrides.rateLimitPerHour ?? DEFAULT_PETSTORE_SCENARIO.rateLimitPerHour,
  };
  const ttl = scenario.sessions.expiresInSeconds;
  if (!(Number.isInteger(ttl) && ttl > 0)) throw new RangeError('sessions.expiresInSeconds must be a positive integer');
  if (!(Number.isInteger(scenario.rateLimitPerHour) && scenario.rateLimitPerHour > 0)) throw new RangeError('rateLimitPerHour must be a positive integer');
  return scenario;
}
