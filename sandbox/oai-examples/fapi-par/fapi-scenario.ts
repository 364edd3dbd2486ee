export interface FapiScenario {
  /** What the end user does at the authorization endpoint (after strong customer authentication). */
  readonly consent: 'grant' | 'deny';
  /** `sub` of the authenticated end user when the pushed request names none. */
  readonly subject: string;
  readonly requestUriTtlSeconds: number;
  readonly codeTtlSeconds: number;
  readonly accessTokenTtlSeconds: number;
}

export type FapiScenarioOverrides = Partial<FapiScenario>;

export const DEFAULT_FAPI_SCENARIO: FapiScenario = Object.freeze({
  consent: 'grant',
  subject: 'psu-0001',
  requestUriTtlSeconds: 90,
  codeTtlSeconds: 60,
  accessTokenTtlSeconds: 300,
}) as FapiScenario;

export function resolveFapiScenario(overrides: FapiScenarioOverrides = {}): FapiScenario {
  const scenario = { ...DEFAULT_FAPI_SCENARIO, ...overrides };
  if (scenario.consent !== 'grant' && scenario.consent !== 'deny') throw new RangeError("consent must be 'grant' or 'deny'");
  for (const key of ['requestUriTtlSeconds', 'codeTtlSeconds', 'accessTokenTtlSeconds'] as const) {
    if (!(Number.isInteger(scenario[key]) && scenario[key] > 0)) throw new RangeError(`${key} must be a positive integer`);
  }
  return scenario;
}
