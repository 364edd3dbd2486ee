export type LoanAuthorizationOutcome = 'approve' | 'decline';

export interface BnplScenario {
  /** What the customer does on the authorisation page `GET /auth` redirects to. */
  readonly authorization: LoanAuthorizationOutcome;
  /** Whether an enrolled customer's loan also waits for the customer's authorisation (a new customer's always does). */
  readonly enrolledCustomersAuthorize: boolean;
  /** Outstanding loans plus the new one may not exceed this, per currency. */
  readonly creditLimit: number;
  /** Age in years a new customer must have reached. */
  readonly minimumAge: number;
  /** Postal codes the lender does not serve. */
  readonly declinedPostalCodes: readonly string[];
  /** Smallest and largest price of one product the lender finances. */
  readonly productAmount: { readonly min: number; readonly max: number };
  /** Monthly instalments of a loan (pay-in-N, no interest). */
  readonly instalments: number;
}

export interface BnplScenarioOverrides {
  readonly authorization?: LoanAuthorizationOutcome;
  readonly enrolledCustomersAuthorize?: boolean;
  readonly creditLimit?: number;
  readonly minimumAge?: number;
  readonly declinedPostalCodes?: readonly string[];
  readonly productAmount?: Partial<BnplScenario['productAmount']>;
  readonly instalments?: number;
}

export const DEFAULT_BNPL_SCENARIO: BnplScenario = Object.freeze({
  authorization: 'approve',
  enrolledCustomersAuthorize: false,
  creditLimit: 3000,
  minimumAge: 18,
  declinedPostalCodes: Object.freeze(['00000']),
  productAmount: Object.freeze({ min: 30, max: 2500 }),
  instalments: 3,
}) as BnplScenario;

export function resolveBnplScenario(overrides: BnplScenarioOverrides = {}): BnplScenario {
  const d = DEFAULT_BNPL_SCENARIO;
  const scenario: BnplScenario = {
    authorization: overrides.authorization ?? d.authorization,
    enrolledCustomersAuthorize: overrides.enrolledCustomersAuthorize ?? d.enrolledCustomersAuthorize,
    creditLimit: overrides.creditLimit ?? d.creditLimit,
    minimumAge: overrides.minimumAge ?? d.minimumAge,
    declinedPostalCodes: [...(overrides.declinedPostalCodes ?? d.declinedPostalCodes)],
    productAmount: { ...d.productAmount, ...overrides.productAmount },
    instalments: overrides.instalments ?? d.instalments,
  };
  if (scenario.authorization !== 'approve' && scenario.authorization !== 'decline') throw new RangeError("authorization must be 'approve' or 'decline'");
  if (!(scenario.creditLimit > 0)) throw new RangeError('creditLimit must be positive');
  if (!(Number.isInteger(scenario.minimumAge) && scenario.minimumAge >= 0)) throw new RangeError('minimumAge must be a non-negative integer');
  if (!(scenario.productAmount.min >= 0 && scenario.productAmount.max >= scenario.productAmount.min)) throw new RangeError('productAmount needs 0 <= min <= max');
  if (!(Number.isInteger(scenario.instalments) && scenario.instalments >= 1 && scenario.instalments <= 24)) throw new RangeError('instalments must be an integer from 1 to 24');
  return scenario;
}
