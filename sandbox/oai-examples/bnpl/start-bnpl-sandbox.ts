import type { LoadedOpenApi } from '../../../compiler/load/index.js';
import type { FaultRule, SandboxExchange, SandboxResponse } from '../../http/index.js';
import { renderProblemDetails } from '../shared/render-problem-details.js';
import { startExampleSandbox, type ExampleSandbox, type ExampleSandboxOptions, type ExampleSimulator } from '../shared/start-example-sandbox.js';
import { bnplHandlers, CONSENT_PAGE_PREFIX } from './bnpl-handlers.js';
import { resolveBnplScenario, type BnplScenario, type BnplScenarioOverrides } from './bnpl-scenario.js';
import { createBnplStore, type BnplStore, type LoanRecord } from './bnpl-store.js';

export const BNPL_OPENAPI_FILE = 'bnpl-openapi.yaml';

/** `servers[0].url` of the description. */
export const BNPL_BASE_PATH = '/bnpl/v1';

export interface BnplSandboxOptions extends ExampleSandboxOptions<BnplScenarioOverrides> {
  readonly faults?: readonly FaultRule[];
}

export interface BnplSandbox extends ExampleSandbox<BnplStore, BnplScenario, BnplScenarioOverrides> {
  /** A copy of a loan as the lender holds it (with the customer's answer), or undefined. */
  loan(id: string): Readonly<LoanRecord> | undefined;
}

/**
 * Erratum of the upstream description: createCustomer's body is `allOf: [CustomerProperties,
 * { required: [termsAndConditionsAccepted] }]`, but CustomerProperties says
 * `additionalProperties: false`, so no body can satisfy both. The intended schema is
 * CustomerProperties plus the flag, with nothing else.
 */
function fixCreateCustomerBody(openapi: LoadedOpenApi): LoadedOpenApi {
  return {
    ...openapi,
    operations: openapi.operations.map((op) => {
      if (op.operationId !== 'createCustomer') return op;
      const schema = op.requestBody?.content?.['application/json']?.schema as { allOf?: Record<string, any>[] } | undefined;
      const [base, extra] = schema?.allOf ?? [];
      if (!base?.properties || !extra?.properties) return op;
      const merged = {
        type: 'object',
        required: [...(base.required ?? []), ...(extra.required ?? [])],
        properties: { ...base.properties, ...extra.properties },
        additionalProperties: false,
      };
      return { ...op, requestBody: { ...op.requestBody, content: { 'application/json': { schema: merged } } } };
    }),
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The hosted authorisation page and the customer resources the API's URIs point at. */
function hostedPages(exchange: SandboxExchange, store: BnplStore): SandboxResponse | undefined {
  if (exchange.method !== 'GET') return undefined;
  if (exchange.path.startsWith(CONSENT_PAGE_PREFIX)) {
    const loan = store.loans.get(exchange.path.slice(CONSENT_PAGE_PREFIX.length));
    if (!loan) return undefined;
    const answer = loan.authorization === 'approved' ? 'approved' : loan.authorization === 'declined' ? 'declined' : 'not yet answered';
    const text = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BNPL sandbox loan authorisation</title></head>
<body><h1>BNPL sandbox</h1>
<p>Loan <code>${escapeHtml(loan.id)}</code> of ${escapeHtml(`${loan.totalAmount.amount} ${loan.totalAmount.currency}`)} in ${loan.paymentSchedule.length} instalments: ${answer}.</p></body></html>
`;
    return { status: 200, text, contentType: 'text/html; charset=utf-8' };
  }
  const customerId = new RegExp(`^${BNPL_BASE_PATH}/customers/([^/]+)$`).exec(exchange.path)?.[1];
  const customer = customerId === undefined ? undefined : store.customers.get(customerId);
  if (!customer) return undefined;
  return { status: 200, body: { customerId: customer.id, firstName: customer.firstName, lastName: customer.lastName, postalCode: customer.postalCode, links: { self: customer.uri } } };
}

/**
 * Starts the buy-now-pay-later lender of the bnpl example, under `/bnpl/v1`: an eligibility
 * check that quotes the basket, customer enrolment with eligibility rules (age, postal code,
 * terms), loans that wait for the customer's authorisation (`GET /auth` redirects to a hosted
 * page, where the sandbox answers as the scenario says), payment plans, and completion of
 * authorised loans only. Errors are RFC 9457 problem details.
 */
export async function startBnplSandbox(options: BnplSandboxOptions = {}): Promise<BnplSandbox> {
  const simulator: ExampleSimulator<BnplStore, BnplScenario, BnplScenarioOverrides> = {
    title: 'BNPL',
    descriptions: [BNPL_OPENAPI_FILE],
    basePath: BNPL_BASE_PATH,
    errata: fixCreateCustomerBody,
    createStore: createBnplStore,
    resolveScenario: resolveBnplScenario,
    handlers: bnplHandlers,
    // The description's ErrorResponse declares problem details as application/json (and `status` as a string): answered as declared.
    renderError: (spec) => renderProblemDetails(spec, { statusAsString: true, contentType: 'application/json' }),
    fallback: hostedPages,
  };
  const sandbox = await startExampleSandbox(simulator, options);
  return Object.defineProperty(sandbox, 'loan', {
    value: (id: string) => {
      const loan = sandbox.store.loans.get(id);
      return loan ? structuredClone(loan) : undefined;
    },
    enumerable: true,
  }) as BnplSandbox;
}
