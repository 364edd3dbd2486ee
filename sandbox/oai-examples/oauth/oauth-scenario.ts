export interface OAuthScenario {
  /** What the simulated, logged-in end user answers on the consent screen. */
  readonly consent: 'grant' | 'deny';
  readonly accessTokenTtlSeconds: number;
  readonly codeTtlSeconds: number;
  /** Scopes a client may ask for. */
  readonly scopes: readonly string[];
}

export type OAuthScenarioOverrides = Partial<OAuthScenario>;

export const DEFAULT_OAUTH_SCENARIO: OAuthScenario = Object.freeze({
  consent: 'grant',
  accessTokenTtlSeconds: 3600,
  codeTtlSeconds: 60,
  scopes: Object.freeze(['read', 'write']),
}) as OAuthScenario;

export function resolveOAuthScenario(overrides: OAuthScenarioOverrides = {}): OAuthScenario {
  const scenario = { ...DEFAULT_OAUTH_SCENARIO, ...overrides, scopes: [...(overrides.scopes ?? DEFAULT_OAUTH_SCENARIO.scopes)] };
  if (scenario.consent !== 'grant' && scenario.consent !== 'deny') throw new RangeError("consent must be 'grant' or 'deny'");
  for (const key of ['accessTokenTtlSeconds', 'codeTtlSeconds'] as const) {
    if (!(Number.isInteger(scenario[key]) && scenario[key] > 0)) throw new RangeError(`${key} must be a positive integer`);
  }
  return scenario;
}
