import { createPublicKey, randomBytes, randomUUID, verify, type JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isSealed } from '../../functions/runtime/secrets/index.js';
import { validateAsl } from '../../compiler/validate/validate-asl.js';
import { historyToJson } from '../../local/history/index.js';
import type { LocalExecution } from '../../local/run-workflow.js';
import {
  pkceChallenge,
  startBnplSandbox,
  startFapiParSandbox,
  startOAuthSandbox,
  startPetCouponsSandbox,
  startPetstoreSandbox,
  startZooSandbox,
  type BnplSandbox,
  type FapiParSandbox,
  type OAuthSandbox,
  type PetCouponsSandbox,
  type PetstoreSandbox,
  type ZooSandbox,
} from '../../sandbox/oai-examples/index.js';
import { compileExample, createOaiRunner, describeDiagnostics, errorsOf, oaiExample, statesEnteredIn, type OaiRunner } from './support/oai-harness.js';
import { createWireTap, scanForSecrets, type WireTap } from './support/seed-harness.js';

/** Every history of an execution and of the nested executions it started, as `GetExecutionHistory` JSON. */
function allHistories(execution: LocalExecution): string {
  const collect = (e: LocalExecution): unknown[] => [historyToJson(e.history), ...e.children.flatMap(collect)];
  return JSON.stringify(collect(execution));
}

describe('OAI Arazzo examples: compile', () => {
  // The upstream documents and the copies that run them (see test/fixtures/oai-examples/README.md).
  const COMPILING: readonly (readonly [file: string, workflowIds: readonly string[]])[] = [
    ['oauth.arazzo.yaml', ['refresh-token-flow', 'client-credentials-flow', 'authorization-code-flow']],
    ['oauth.fixed.arazzo.yaml', ['refresh-token-flow', 'client-credentials-flow', 'authorization-code-flow']],
    ['ExtendedParametersExample.local.arazzo.yaml', ['animal-workflow']],
    ['LoginAndRetrievePets.fixed.arazzo.yaml', ['loginUserRetrievePet']],
    ['bnpl.fixed.arazzo.yaml', ['ApplyForLoanAtCheckout']],
    ['pet-coupons.fixed.arazzo.yaml', ['apply-coupon', 'buy-available-pet', 'place-order']],
  ];

  it.each(COMPILING)('%s compiles to ASL that passes asl-validator', async (file, workflowIds) => {
    const result = await compileExample(file);
    expect(errorsOf(result), describeDiagnostics(result.diagnostics)).toEqual([]);
    expect(result.workflows.map((w) => w.plan.workflowId)).toEqual(workflowIds);
    for (const workflow of result.workflows) expect(validateAsl(workflow.definition), workflow.plan.workflowId).toEqual([]);
  });

  it('each .local copy differs from its upstream document in the source description url only', async () => {
    const pairs = [
      ['LoginAndRetrievePets.arazzo.yaml', 'LoginAndRetrievePets.local.arazzo.yaml', './swagger-petstore.openapi.yaml'],
      ['bnpl-arazzo.yaml', 'bnpl.local.arazzo.yaml', './bnpl-openapi.yaml'],
      ['ExtendedParametersExample.arazzo.yaml', 'ExtendedParametersExample.local.arazzo.yaml', './animals.openapi.yaml'],
    ] as const;
    for (const [upstream, local, url] of pairs) {
      const before = (await readFile(oaiExample(upstream), 'utf8')).split('\n');
      const after = (await readFile(oaiExample(local), 'utf8')).split('\n');
      expect(after.length, local).toBe(before.length);
      const changed = before.flatMap((line, i) => (line === after[i] ? [] : [after[i].trim()]));
      expect(changed, local).toEqual([`url: ${url}`]);
    }
  });

  // Blocked by the compiler: OpenAPI 3.0 §4.7.12.1 says a header parameter named Content-Type
  // (or Accept, Authorization) SHALL be ignored, but the compiler requires a value for the
  // `Content-Type` header parameter that Par and Token declare as required (ASFN1012).
  it('FAPI-PAR.fixed.arazzo.yaml compiles to ASL that passes asl-validator', async () => {
    const result = await compileExample('FAPI-PAR.fixed.arazzo.yaml');
    expect(errorsOf(result)).toEqual([]);
    expect(result.workflows.map((w) => w.plan.workflowId)).toEqual(['OIDC-PAR-AuthzCode']);
    expect(validateAsl(result.workflows[0].definition)).toEqual([]);
  });

  // Same Content-Type blocker: today the verbatim document also gets ASFN1012 for TokenStep.
  it('FAPI-PAR.arazzo.yaml: its only error is the operationId PAR, which the description spells Par', async () => {
    expect(errorsOf(await compileExample('FAPI-PAR.arazzo.yaml'))).toEqual([
      'ASFN1005 step "PARStep": operationId "$sourceDescriptions.auth-api.PAR" is not declared in source "auth-api"',
    ]);
  });

  it('FAPI-PAR.arazzo.yaml: the operationId PAR is reported, the description declares Par', async () => {
    expect(errorsOf(await compileExample('FAPI-PAR.arazzo.yaml'))).toContain(
      'ASFN1005 step "PARStep": operationId "$sourceDescriptions.auth-api.PAR" is not declared in source "auth-api"',
    );
  });

  it('ExtendedParametersExample.arazzo.yaml names ./animals.yaml, which the upstream repository does not contain', async () => {
    expect(errorsOf(await compileExample('ExtendedParametersExample.arazzo.yaml'))).toEqual([
      'ASFN1003 cannot read animals.yaml: file not found',
      'ASFN1003 source "animals": cannot load ./animals.yaml',
    ]);
  });

  it('LoginAndRetrievePets.arazzo.yaml and bnpl-arazzo.yaml name remote URLs, which an offline compile reads only from a lock they do not have', async () => {
    expect(errorsOf(await compileExample('LoginAndRetrievePets.arazzo.yaml'))).toEqual([
      expect.stringMatching(
        /^ASFN1027 source "petStoreDescription": https:\/\/raw\.githubusercontent\.com\/swagger-api\/swagger-petstore\/master\/src\/main\/resources\/openapi\.yaml is not fetched when offline, and there is no lock file \(\S*LoginAndRetrievePets\.arazzo\.lock\.json\); run `arazzo-sfn compile --update-lock \S*LoginAndRetrievePets\.arazzo\.yaml`/,
      ),
    ]);
    expect(errorsOf(await compileExample('bnpl-arazzo.yaml'))).toEqual([
      expect.stringMatching(/^ASFN1027 source "BnplApi": https:\/\/raw\.githubusercontent\.com\/OAI\/Arazzo-Specification\/main\/examples\/1\.0\.0\/bnpl-openapi\.yaml is not fetched when offline, and there is no lock file/),
    ]);
  });

  it("LoginAndRetrievePets.local.arazzo.yaml: operationPath points at the path item /pet/findByStatus, not at an operation", async () => {
    expect(errorsOf(await compileExample('LoginAndRetrievePets.local.arazzo.yaml'))).toEqual([
      'ASFN1005 step "getPetStep": no operation at /paths/~1pet~1findByStatus in source "petStoreDescription"',
    ]);
  });

  // The wrong query parameter name (redirectAuthToken for AuthorizationToken) is a warning (ASFN2010, ASFN2011): the provider judges it.
  it('bnpl.local.arazzo.yaml: a step reading its own output, undeclared outputs, an expression without `outputs`', async () => {
    expect(errorsOf(await compileExample('bnpl.local.arazzo.yaml'))).toEqual([
      'ASFN1010 step "authenticateCustomerAndAuthorizeLoan" reads $steps.authenticateCustomerAndAuthorizeLoan, which cannot have run before it',
      'ASFN1020 $steps.authenticateCustomerAndAuthorizeLoan.outputs.redirectAuthToken: step "authenticateCustomerAndAuthorizeLoan" has no output "redirectAuthToken" (declares: redirectUrl)',
      'ASFN1020 $steps.initiateBnplTransaction.outputs.loanTransactionId: step "initiateBnplTransaction" has no output "loanTransactionId" (declares: redirectAuthToken, loanTransactionResourceUrl)',
      'ASFN1020 $steps.initiateBnplTransaction.outputs.loanTransactionId: step "initiateBnplTransaction" has no output "loanTransactionId" (declares: redirectAuthToken, loanTransactionResourceUrl)',
      'ASFN1009 invalid runtime expression in "$steps.retrieveFinalizedPaymentPlan.finalizedPaymentPlan": expected "outputs" after "$steps.retrieveFinalizedPaymentPlan."',
    ]);
  });

  // pet_tags (for tags, a query parameter) and $statusCode in the workflow steps are warnings (ASFN2011, ASFN2013).
  it('pet-coupons.arazzo.yaml: the path parameter is named pet_id, where the operation declares petId', async () => {
    expect(errorsOf(await compileExample('pet-coupons.arazzo.yaml'))).toEqual([
      'ASFN1012 step "find-coupons": required path parameter "petId" of operation getPetCoupons has no value',
      'ASFN1011 parameter "pet_id" in path is not declared by operation getPetCoupons; it declares: petId (path)',
    ]);
  });

  // A workflowId step has no HTTP response, so `$statusCode == 200` in its successCriteria could
  // never hold (pet-coupons.fixed drops the criterion): the compiler warns at each step (a SHOULD-level problem, not a MUST).
  it('pet-coupons.arazzo.yaml: $statusCode in the successCriteria of a workflowId step is a warning', async () => {
    const { diagnostics } = await compileExample('pet-coupons.arazzo.yaml');
    const flagged = diagnostics.filter((d) => /statusCode/.test(d.message) && /place-order/.test(d.message));
    expect(flagged.map((d) => `${d.severity} ${d.code}`)).toEqual(['warning ASFN2013', 'warning ASFN2013']);
    expect(flagged).toHaveLength(2);
    // The criterion of apply-coupon's step (successCriteria at line 55) and of buy-available-pet's (line 90).
    expect([55, 56]).toContain(flagged[0].line);
    expect([90, 91]).toContain(flagged[1].line);
  });
});

describe('OAI Arazzo examples: run on the engine against the sandbox', () => {
  let runner: OaiRunner;
  let tap: WireTap;
  beforeAll(() => {
    runner = createOaiRunner();
    tap = createWireTap();
  });
  afterAll(() => tap.close());

  describe('LoginAndRetrievePets (operationPath fixed) against the Petstore', () => {
    const FILE = 'LoginAndRetrievePets.fixed.arazzo.yaml';
    let petstore: PetstoreSandbox;
    beforeAll(async () => {
      petstore = await startPetstoreSandbox();
      runner.secrets.set('petstorePassword', '12345');
      runner.secrets.set('wrongPetstorePassword', 'not-the-password');
    });
    afterAll(() => petstore.close());

    it('logs in, sends the session token it got to findPetsByStatus, and outputs the available pets', async () => {
      const run = await runner.run(FILE, 'loginUserRetrievePet', { username: 'theUser', password: 'secret:petstorePassword' }, petstore, { dispatcher: tap.dispatcher });

      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'loginStep', 'getPetStep']);
      expect(run.calls).toEqual([
        ['GET', 'loginUser', 200],
        ['GET', 'findPetsByStatus', 200],
      ]);
      const available = [...petstore.store.pets.values()].filter((p) => p.status === 'available').map((p) => p.id);
      const output = run.execution.output as { available: { id: number; status: string; price?: number }[] };
      expect(output.available.map((p) => p.id)).toEqual(available);
      expect(output.available.every((p) => p.status === 'available' && p.price === undefined)).toBe(true);

      // The session the sandbox opened is the one the second call carried.
      const [session] = [...petstore.store.sessions.entries()].filter(([, s]) => s.username === 'theUser');
      const [login, find] = tap.requests.slice(-2);
      expect(login.path).toBe('/api/v3/user/login?username=theUser&password=12345');
      expect(find).toMatchObject({ method: 'GET', path: '/api/v3/pet/findByStatus?status=available' });
      expect(find.headers.authorization).toBe(session[0]);
      // Neither the password nor the session token (a sealed step output) is in the history.
      expect(scanForSecrets(allHistories(run.execution), ['12345', session[0]])).toEqual([]);
    });

    it('a wrong password fails loginStep with Arazzo.StepFailed and never reaches the pets', async () => {
      const run = await runner.run(FILE, 'loginUserRetrievePet', { username: 'theUser', password: 'secret:wrongPetstorePassword' }, petstore);
      expect(run.execution.status).toBe('FAILED');
      expect(run.execution.error).toBe('Arazzo.StepFailed');
      expect(run.execution.cause).toContain('400');
      expect(run.statesEntered).toEqual(['Validate inputs', 'loginStep', 'loginStep.failed']);
      expect(run.calls).toEqual([['GET', 'loginUser', 400]]);
    });
  });

  describe('oauth against the authorization server', () => {
    const FILE = 'oauth.arazzo.yaml';
    const REDIRECT = 'https://client.example.com/callback';
    let oauth: OAuthSandbox;
    beforeAll(async () => {
      oauth = await startOAuthSandbox();
      runner.secrets.set('oauthClient', JSON.stringify({ id: 'example-client', secret: 'example-client-secret' }));
    });
    beforeEach(() => oauth.reset());
    afterAll(() => oauth.close());

    const client = { client_id: 'secret:oauthClient#id', client_secret: 'secret:oauthClient#secret' };

    it('client-credentials-flow: mints a token the server knows; it leaves the workflow sealed', async () => {
      const run = await runner.run(FILE, 'client-credentials-flow', client, oauth);
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'get-client-creds-token']);
      expect(run.calls).toEqual([['POST', 'get-token', 200]]);
      const output = run.execution.output as { access_token: string };
      expect(isSealed(output.access_token)).toBe(true);
      const token = (await runner.unseal(FILE, output.access_token)) as string;
      expect(oauth.introspect(token)).toMatchObject({ active: true, token_type: 'access_token', client_id: 'example-client' });
      expect(oauth.issued).toEqual({ accessTokens: 1, refreshTokens: 0, codes: 0 });
      expect(scanForSecrets(allHistories(run.execution), ['example-client-secret', token])).toEqual([]);
    });

    it('authorization-code-flow as published: browser-authorize requires an access_token in the authorization response, which never has one', async () => {
      const run = await runner.run(FILE, 'authorization-code-flow', { ...client, redirect_uri: REDIRECT }, oauth);
      expect(run.execution.status).toBe('FAILED');
      expect(run.execution.cause).toContain('step browser-authorize: GET /authorize answered 200, which does not meet its success criteria ($statusCode == 200 && $response.body#/access_token != null)');
      expect(run.calls).toEqual([['GET', 'authorize', 200]]);
    });

    it('authorization-code-flow (criterion fixed): the code from /authorize is exchanged once for an access and a refresh token', async () => {
      const run = await runner.run('oauth.fixed.arazzo.yaml', 'authorization-code-flow', { ...client, redirect_uri: REDIRECT }, oauth);
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'browser-authorize', 'get-access-token']);
      expect(run.calls).toEqual([
        ['GET', 'authorize', 200],
        ['POST', 'get-token', 200],
      ]);
      const output = run.execution.output as { access_token: string; refresh_token: string; expires_in: number };
      expect(output.expires_in).toBe(3600);
      const access = (await runner.unseal('oauth.fixed.arazzo.yaml', output.access_token)) as string;
      const refresh = (await runner.unseal('oauth.fixed.arazzo.yaml', output.refresh_token)) as string;
      expect(oauth.introspect(access)).toMatchObject({ active: true, token_type: 'access_token', scope: 'read' });
      expect(oauth.introspect(refresh)).toMatchObject({ active: true, token_type: 'refresh_token' });
      expect([...oauth.store.codes.values()].map((c) => [c.redirectUri, c.used])).toEqual([[REDIRECT, true]]);
    });

    it('authorization-code-flow: a user who denies consent fails browser-authorize (403)', async () => {
      oauth.setScenario({ consent: 'deny' });
      try {
        const run = await runner.run(FILE, 'authorization-code-flow', { ...client, redirect_uri: REDIRECT }, oauth);
        expect(run.execution.status).toBe('FAILED');
        expect(run.execution.error).toBe('Arazzo.StepFailed');
        expect(run.statesEntered).toEqual(['Validate inputs', 'browser-authorize', 'browser-authorize.failed']);
        expect(run.calls).toEqual([['GET', 'authorize', 403]]);
      } finally {
        oauth.setScenario({});
      }
    });

    it('refresh-token-flow as published: its nested authorization-code-flow fails at browser-authorize, so the workflow step fails', async () => {
      const run = await runner.run(FILE, 'refresh-token-flow', { my_client_id: client.client_id, my_client_secret: client.client_secret, my_redirect_uri: REDIRECT }, oauth);
      expect(run.execution.status).toBe('FAILED');
      expect(run.execution.error).toBe('Arazzo.StepFailed');
      expect(run.execution.cause).toContain('step do-the-auth-flow: workflow authorization-code-flow failed with Arazzo.StepFailed (step browser-authorize: GET /authorize answered 200');
      expect(run.statesEntered).toEqual(['Validate inputs', 'do-the-auth-flow', 'do-the-auth-flow.run', 'do-the-auth-flow.result', 'do-the-auth-flow.failed']);
      expect(run.execution.children.map((c) => [c.status, statesEnteredIn(c.history)])).toEqual([['FAILED', ['Validate inputs', 'browser-authorize', 'browser-authorize.failed']]]);
      expect(run.calls).toEqual([['GET', 'authorize', 200]]);
    });

    it('refresh-token-flow with client authentication on the refresh: the nested flow mints, the refresh rotates the refresh token', async () => {
      const run = await runner.run('oauth.fixed.arazzo.yaml', 'refresh-token-flow', { my_client_id: client.client_id, my_client_secret: client.client_secret, my_redirect_uri: REDIRECT }, oauth);
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'do-the-auth-flow', 'do-the-auth-flow.run', 'do-the-auth-flow.result', 'do-the-refresh']);
      const [child] = run.execution.children;
      expect(child.status).toBe('SUCCEEDED');
      // The child got the credential references, never the values.
      expect(child.input).toMatchObject({ client_id: client.client_id, client_secret: client.client_secret, redirect_uri: REDIRECT });

      const first = child.output as { refresh_token: string };
      const output = run.execution.output as { access_token: string; refresh_token: string; expires_in: number };
      const oldRefresh = (await runner.unseal('oauth.fixed.arazzo.yaml', first.refresh_token)) as string;
      const newRefresh = (await runner.unseal('oauth.fixed.arazzo.yaml', output.refresh_token)) as string;
      const access = (await runner.unseal('oauth.fixed.arazzo.yaml', output.access_token)) as string;
      expect(newRefresh).not.toBe(oldRefresh);
      expect(oauth.introspect(oldRefresh).active).toBe(false);
      expect(oauth.introspect(newRefresh)).toMatchObject({ active: true, token_type: 'refresh_token', client_id: 'example-client' });
      expect(oauth.introspect(access)).toMatchObject({ active: true, token_type: 'access_token' });
      expect(oauth.issued).toEqual({ codes: 1, accessTokens: 2, refreshTokens: 2 });
      expect(scanForSecrets(allHistories(run.execution), ['example-client-secret', oldRefresh, newRefresh, access])).toEqual([]);
    });
  });

  describe('pet-coupons (parameter names fixed) against the coupons Petstore', () => {
    const FILE = 'pet-coupons.fixed.arazzo.yaml';
    let petstore: PetCouponsSandbox;
    beforeAll(async () => {
      petstore = await startPetCouponsSandbox();
    });
    beforeEach(() => petstore.reset());
    afterAll(() => petstore.close());

    const PLACE_ORDER_STATES = ['place-order', 'place-order.run', 'place-order.result'];

    it('apply-coupon: finds a puppy, its coupon, and orders it through the place-order workflow with 15% off', async () => {
      const run = await runner.run(FILE, 'apply-coupon', { my_pet_tags: ['puppy'] }, petstore);
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'find-pet', 'find-coupons', ...PLACE_ORDER_STATES]);
      expect(run.calls).toEqual([
        ['GET', 'findPetsByTags', 200],
        ['GET', 'getPetCoupons', 200],
        ['POST', 'placeOrder', 200],
      ]);
      const [child] = run.execution.children;
      expect(child.input).toMatchObject({ pet_id: 1, coupon_code: 'PUPPYLOVE' });
      expect(child.output).toEqual({ workflow_order_id: 1001 });
      expect(run.execution.output).toEqual({ apply_coupon_pet_order_id: 1001 });
      expect(petstore.orders).toEqual([expect.objectContaining({ id: 1001, petId: 1, quantity: 1, couponCode: 'PUPPYLOVE', listPrice: 450, percentOff: 15, total: 382.5 })]);
      expect(petstore.store.pets.get(1)!.status).toBe('pending');
    });

    it('apply-coupon again: the first dalmatian is the puppy just ordered, so the nested order is refused and the workflow fails at place-order', async () => {
      await runner.run(FILE, 'apply-coupon', { my_pet_tags: ['puppy'] }, petstore);
      const run = await runner.run(FILE, 'apply-coupon', { my_pet_tags: ['dalmatian'] }, petstore);
      expect(run.execution.status).toBe('FAILED');
      expect(run.execution.error).toBe('Arazzo.StepFailed');
      expect(run.statesEntered).toEqual(['Validate inputs', 'find-pet', 'find-coupons', ...PLACE_ORDER_STATES, 'place-order.failed']);
      expect(run.calls.at(-1)).toEqual(['POST', 'placeOrder', 400]);
      expect(run.execution.children.map((c) => [c.status, c.error])).toEqual([['FAILED', 'Arazzo.StepFailed']]);
      expect(petstore.orders).toHaveLength(1);
    });

    it('apply-coupon for a pet no coupon applies to fails at find-coupons (404), ordering nothing', async () => {
      const added = await fetch(`${petstore.serverUrl}/pet`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Balto', price: 700, photoUrls: [], tags: [{ id: 40, name: 'husky' }], category: { id: 1, name: 'Dogs' } }),
      });
      expect(added.status).toBe(200);
      const run = await runner.run(FILE, 'apply-coupon', { my_pet_tags: ['husky'] }, petstore);
      expect(run.execution.status).toBe('FAILED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'find-pet', 'find-coupons', 'find-coupons.failed']);
      expect(run.calls).toEqual([
        ['GET', 'findPetsByTags', 200],
        ['GET', 'getPetCoupons', 404],
      ]);
      expect(petstore.orders).toEqual([]);
    });

    it('buy-available-pet: pages the available pets with the component parameters and orders the first at list price', async () => {
      const run = await runner.run(FILE, 'buy-available-pet', {}, petstore, { dispatcher: tap.dispatcher });
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'find-pet', ...PLACE_ORDER_STATES]);
      expect(tap.requests.findLast((r) => r.path.startsWith('/pet/findByStatus'))?.path).toBe('/pet/findByStatus?status=available&page=1&pageSize=10');
      expect(run.execution.output).toEqual({ buy_pet_order_id: 1001 });
      expect(petstore.orders).toEqual([expect.objectContaining({ id: 1001, petId: 1, listPrice: 450, percentOff: 0, total: 450 })]);
      expect(petstore.orders[0].couponCode).toBeUndefined();
    });
  });

  describe('bnpl (corrected) against the BNPL lender', () => {
    const FILE = 'bnpl.fixed.arazzo.yaml';
    let bnpl: BnplSandbox;
    beforeAll(async () => {
      bnpl = await startBnplSandbox();
    });
    beforeEach(() => bnpl.reset());
    afterAll(() => bnpl.close());

    const TV = { productCode: 'TV-55-OLED', netAmount: { currency: 'EUR', amount: 1000 }, purchaseAmount: { currency: 'EUR', amount: 1200 } };
    const GIFT_CARD = { productCode: 'GIFT-50', netAmount: { currency: 'EUR', amount: 50 }, purchaseAmount: { currency: 'EUR', amount: 50 } };
    const ada = { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-12-10T00:00:00Z', postalCode: 'N1 9GU' };
    const NEW_CUSTOMER_ROUTE = [
      'Validate inputs',
      'checkLoanCanBeProvided',
      'checkLoanCanBeProvided.route',
      'getCustomerTermsAndConditions',
      'getCustomerTermsAndConditions.route',
      'createCustomer',
      'createCustomer.route',
      'initiateBnplTransaction',
      'initiateBnplTransaction.route',
      'authenticateCustomerAndAuthorizeLoan',
      'retrieveFinalizedPaymentPlan',
      'updateOrderStatus',
    ];

    it('a new customer: eligible products, enrolment, authorisation redirect, finalised plan, loan completed', async () => {
      const run = await runner.run(FILE, 'ApplyForLoanAtCheckout', { customer: ada, products: [TV, GIFT_CARD] }, bnpl);
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(NEW_CUSTOMER_ROUTE);
      expect(run.calls).toEqual([
        ['POST', 'findEligibleProducts', 200],
        ['GET', 'getTermsAndConditions', 200],
        ['POST', 'createCustomer', 201],
        ['POST', 'createBnplTransaction', 202],
        ['GET', 'getAuthorization', 302],
        ['GET', 'retrieveBnplLoanTransaction', 200],
        ['PATCH', 'updateBnplLoanTransactionStatus', 204],
      ]);
      const [customer] = [...bnpl.store.customers.values()];
      const [loanId] = [...bnpl.store.loans.keys()];
      const plan = (run.execution.output as { finalizedPaymentPlan: Record<string, any> }).finalizedPaymentPlan;
      // The gift card is not financed: only the TV is in the loan.
      expect(plan).toMatchObject({ customer: customer.uri, status: 'Finalised', totalAmount: { currency: 'EUR', amount: 1200 }, products: [{ productCode: 'TV-55-OLED' }] });
      expect(plan.paymentSchedule.map((p: { amount: { amount: number }; lastPayment: boolean }) => [p.amount.amount, p.lastPayment])).toEqual([
        [400, false],
        [400, false],
        [400, true],
      ]);
      expect(bnpl.loan(loanId)).toMatchObject({ status: 'Completed', authorization: 'approved', customerUri: customer.uri });
      expect(run.requests[5].path).toBe(`/bnpl/v1/loan-transactions/${loanId}`);
    });

    it('an under-age customer is not enrolled (200 with a reason) and the workflow ends at createCustomer', async () => {
      const run = await runner.run(FILE, 'ApplyForLoanAtCheckout', { customer: { ...ada, dateOfBirth: new Date(Date.now() - 16 * 365 * 86_400_000).toISOString() }, products: [TV] }, bnpl);
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([...NEW_CUSTOMER_ROUTE.slice(0, 7), 'createCustomer.end']);
      expect(run.calls.at(-1)).toEqual(['POST', 'createCustomer', 200]);
      expect(run.execution.output).toEqual({});
      expect(bnpl.store.customers.size).toBe(0);
      expect(bnpl.store.loans.size).toBe(0);
    });

    it('a basket with nothing the lender finances ends at checkLoanCanBeProvided', async () => {
      const run = await runner.run(FILE, 'ApplyForLoanAtCheckout', { customer: ada, products: [GIFT_CARD] }, bnpl);
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'checkLoanCanBeProvided', 'checkLoanCanBeProvided.route', 'checkLoanCanBeProvided.end']);
      expect(run.calls).toEqual([['POST', 'findEligibleProducts', 200]]);
      expect(run.execution.output).toEqual({});
    });

    it('a customer who declines on the authorisation page leaves the loan pending, so completing it is refused (409)', async () => {
      bnpl.setScenario({ authorization: 'decline' });
      try {
        const run = await runner.run(FILE, 'ApplyForLoanAtCheckout', { customer: ada, products: [TV] }, bnpl);
        expect(run.execution.status).toBe('FAILED');
        expect(run.execution.error).toBe('Arazzo.StepFailed');
        expect(run.statesEntered).toEqual([...NEW_CUSTOMER_ROUTE, 'updateOrderStatus.failed']);
        expect(run.calls.slice(-2)).toEqual([
          ['GET', 'retrieveBnplLoanTransaction', 200],
          ['PATCH', 'updateBnplLoanTransactionStatus', 409],
        ]);
        const [loan] = [...bnpl.store.loans.values()];
        expect(loan).toMatchObject({ status: 'Pending', authorization: 'declined' });
      } finally {
        bnpl.setScenario({});
      }
    });

    // Blocked by the runtime: `$response.body#/redirectAuthToken != null` holds when the member is
    // absent (the runtime's "an absent value equals nothing, not even null"), so the loan that
    // needs no authorisation is routed to authenticateCustomerAndAuthorizeLoan with no token and
    // the execution fails there (Arazzo.Expression). The spec's own examples write `!= null` to
    // mean "present" (oauth.arazzo.yaml, upstream commit f4e15cf).
    it('an enrolled customer within their limit: no eligibility check, no authorisation, loan finalised at once and completed', async () => {
      await runner.run(FILE, 'ApplyForLoanAtCheckout', { customer: ada, products: [TV] }, bnpl);
      const [customer] = [...bnpl.store.customers.values()];
      const run = await runner.run(FILE, 'ApplyForLoanAtCheckout', { customer: { uri: customer.uri }, products: [{ ...TV, purchaseAmount: { currency: 'EUR', amount: 900 } }] }, bnpl);
      expect(run.statesEntered).toEqual([
        'Validate inputs',
        'checkLoanCanBeProvided',
        'checkLoanCanBeProvided.route',
        'getCustomerTermsAndConditions',
        'getCustomerTermsAndConditions.route',
        'initiateBnplTransaction',
        'initiateBnplTransaction.route',
        'retrieveFinalizedPaymentPlan',
        'updateOrderStatus',
      ]);
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(bnpl.store.customers.size).toBe(1);
      expect([...bnpl.store.loans.values()].map((l) => l.status)).toEqual(['Completed', 'Completed']);
    });

    it('an enrolled customer over their credit limit is not eligible and the workflow ends at the eligibility check', async () => {
      await runner.run(FILE, 'ApplyForLoanAtCheckout', { customer: ada, products: [TV] }, bnpl);
      const [customer] = [...bnpl.store.customers.values()];
      const big = { ...TV, productCode: 'SOFA-3S', purchaseAmount: { currency: 'EUR', amount: 2000 } };
      const run = await runner.run(FILE, 'ApplyForLoanAtCheckout', { customer: { uri: customer.uri }, products: [big] }, bnpl);
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'checkLoanCanBeProvided', 'checkLoanCanBeProvided.route', 'checkLoanCanBeProvided.end']);
      expect(bnpl.store.loans.size).toBe(1);
    });
  });

  describe('ExtendedParametersExample (local description) against the Zoo', () => {
    const FILE = 'ExtendedParametersExample.local.arazzo.yaml';
    let zoo: ZooSandbox;
    beforeAll(async () => {
      // The most recently admitted animal is the "random" one, so the test can name it.
      zoo = await startZooSandbox({ pick: (count) => count - 1 });
    });
    beforeEach(() => zoo.reset());
    afterAll(() => zoo.close());

    it('sends the workflow-level cookie and header with every step and the keeper cookie with post-step; admits the next animal from quarantine', async () => {
      const run = await runner.run(FILE, 'animal-workflow', {}, zoo, { dispatcher: tap.dispatcher });
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'post-step', 'get-step']);
      expect(run.calls).toEqual([
        ['POST', 'postAnimal', 201],
        ['GET', 'getRandomAnimal', 200],
      ]);
      const [post, get] = tap.requests.slice(-2);
      const cookies = (header: string | undefined) => (header ?? '').split(/;\s*/).sort();
      expect(post).toMatchObject({ method: 'POST', path: '/animals' });
      expect(cookies(post.headers.cookie)).toEqual(['authentication=SUPER_SECRET', 'workflowLevelParamOne=someValue']);
      expect(post.headers.workflowlevelparamtwo).toBe('someValue');
      expect(get).toMatchObject({ method: 'GET', path: '/animals/random' });
      expect(cookies(get.headers.cookie)).toEqual(['workflowLevelParamOne=someValue']);
      expect(get.headers.workflowlevelparamtwo).toBe('someValue');
      expect(zoo.animals.at(-1)).toMatchObject({ name: 'Kibo', species: 'Okapi', enclosure: 'Rainforest' });
      expect(zoo.store.quarantine.map((a) => a.name)).toEqual(['Momo', 'Zara']);
    });

    it('post-step fails (401) when the keeper session the document hard-codes is not a keeper session here', async () => {
      const strict = await startZooSandbox({ keeperSessions: ['another-session'] });
      try {
        const run = await runner.run(FILE, 'animal-workflow', {}, strict);
        expect(run.execution.status).toBe('FAILED');
        expect(run.execution.error).toBe('Arazzo.StepFailed');
        expect(run.statesEntered).toEqual(['Validate inputs', 'post-step', 'post-step.failed']);
        expect(run.calls).toEqual([['POST', 'postAnimal', 401]]);
        expect(strict.animals.map((a) => a.name)).toEqual(['Leo', 'Gina', 'Pip']);
      } finally {
        await strict.close();
      }
    });
  });

  describe('FAPI-PAR (operationId fixed) against the FAPI authorization server', () => {
    const FILE = 'FAPI-PAR.fixed.arazzo.yaml';
    const REDIRECT = 'https://tpp.example.com/callback';
    let fapi: FapiParSandbox;
    beforeAll(async () => {
      fapi = await startFapiParSandbox();
      runner.secrets.set('fapiClientId', 'tpp-client');
    });
    afterAll(() => fapi.close());

    function input(): Record<string, unknown> {
      const now = Math.floor(Date.now() / 1000);
      const verifier = randomBytes(32).toString('base64url');
      return {
        client_id: 'secret:fapiClientId',
        client_assertion: { iss: 'tpp-client', sub: 'tpp-client', aud: fapi.url, exp: String(now + 300), iat: String(now), jti: randomUUID() },
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        PARrequestBody: {
          response_type: 'code',
          // A credential by its name at any depth: a reference, resolved when PARStep sends the body.
          client_id: 'secret:fapiClientId',
          scope: 'openid accounts',
          code_challenge_method: 'S256',
          code_challenge: pkceChallenge(verifier),
          state: 'af0ifjsldkj',
          nonce: 'n-0S6_WzA2Mj',
          redirect_uri: REDIRECT,
        },
        TokenRequestBody: { grant_type: 'authorization_code', code: 'set-by-the-workflow', redirect_uri: REDIRECT, code_verifier: verifier },
      };
    }

    // Blocked by the compiler's Content-Type requirement (see the compile test above).
    it('pushes the request, redeems the request_uri for a code and exchanges it with the PKCE verifier', async () => {
      const run = await runner.run(FILE, 'OIDC-PAR-AuthzCode', input(), fapi);
      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'PARStep', 'AuthzCodeStep', 'TokenStep']);
      expect(run.calls).toEqual([
        ['POST', 'Par', 200],
        ['GET', 'Authorization', 302],
        ['POST', 'Token', 200],
      ]);
      const raw = (run.execution.output as { access_token: unknown }).access_token;
      const tokens = (isSealed(raw) ? await runner.unseal(FILE, raw) : raw) as { access_token: string; id_token: string; token_type: string };
      expect(tokens.token_type).toBe('Bearer');
      expect(fapi.introspect(tokens.access_token)).toMatchObject({ active: true, client_id: 'tpp-client', scope: 'openid accounts' });
    });

    // Blocked by the compiler's Content-Type requirement first; then by sealing: the step output
    // `tokenResponse: $response.body` is the whole token response, and neither its name nor its
    // pointer names a credential, so the tokens would travel in clear through the execution state.
    it('the tokens of the token response never appear in the execution history', async () => {
      const before = new Set(fapi.store.tokens.keys());
      const run = await runner.run(FILE, 'OIDC-PAR-AuthzCode', input(), fapi);
      expect(run.execution.status).toBe('SUCCEEDED');
      const minted = [...fapi.store.tokens.keys()].filter((t) => !before.has(t));
      expect(minted).toHaveLength(2);
      expect(scanForSecrets(allHistories(run.execution), minted)).toEqual([]);
    });
  });
});

describe('OAI example simulators over HTTP', () => {
  describe('FAPI-PAR authorization server', () => {
    let fapi: FapiParSandbox;
    beforeAll(async () => {
      fapi = await startFapiParSandbox();
    });
    afterAll(() => fapi.close());

    const REDIRECT = 'https://tpp.example.com/callback';
    const assertion = () => {
      const now = Math.floor(Date.now() / 1000);
      return JSON.stringify({ iss: 'tpp-client', sub: 'tpp-client', aud: fapi.url, exp: String(now + 60), iat: String(now), jti: randomUUID() });
    };
    const clientQuery = () => new URLSearchParams({ client_id: 'tpp-client', client_assertion_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', client_assertion: assertion() });

    async function authorize(verifier: string): Promise<{ code: string; location: string }> {
      const par = await fetch(`${fapi.url}/as/par.oauth2?${clientQuery()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'code', client_id: 'tpp-client', scope: 'openid payments', code_challenge_method: 'S256', code_challenge: pkceChallenge(verifier), state: 's-1', nonce: 'n-1', redirect_uri: REDIRECT }),
      });
      expect(par.status).toBe(200);
      const { request_uri, expires_in } = (await par.json()) as { request_uri: string; expires_in: string };
      expect(request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
      expect(expires_in).toBe('90');
      const query = new URLSearchParams({ request_uri, client_id: 'tpp-client' });
      const redirect = await fetch(`${fapi.url}/as/authorize.oauth2?${query}`, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      const body = (await redirect.json()) as { code: string; state: string; iss: string };
      const location = redirect.headers.get('location')!;
      expect(new URL(location).searchParams.get('code')).toBe(body.code);
      expect(body).toMatchObject({ state: 's-1', iss: fapi.url });
      // A request_uri is redeemed once.
      expect((await fetch(`${fapi.url}/as/authorize.oauth2?${query}`, { redirect: 'manual' })).status).toBe(400);
      return { code: body.code, location };
    }

    const token = (body: Record<string, string>) =>
      fetch(`${fapi.url}/as/token.oauth2?${clientQuery()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('PAR → authorize → token: PKCE verified, ID token signed with the key published at /public/jwks', async () => {
      const verifier = randomBytes(32).toString('base64url');
      const { code } = await authorize(verifier);
      const res = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
      expect(res.status).toBe(200);
      const tokens = (await res.json()) as { access_token: string; refresh_token: string; id_token: string; scope: string };
      expect(fapi.introspect(tokens.access_token)).toMatchObject({ active: true, client_id: 'tpp-client', scope: 'openid payments' });

      const [header, payload, signature] = tokens.id_token.split('.');
      const jwks = (await (await fetch(`${fapi.url}/public/jwks`)).json()) as { keys: (JsonWebKey & { kid: string })[] };
      const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
      const jwk = jwks.keys.find((k) => k.kid === kid)!;
      const valid = verify('sha256', Buffer.from(`${header}.${payload}`), { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
      expect(valid).toBe(true);
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({ iss: fapi.url, aud: 'tpp-client', sub: 'psu-0001', nonce: 'n-1' });

      // The code is single-use: a replay is refused and revokes what it bought.
      expect((await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier })).status).toBe(400);
      expect(fapi.introspect(tokens.access_token).active).toBe(false);
    });

    it('refuses a wrong PKCE verifier and an assertion for another audience', async () => {
      const verifier = randomBytes(32).toString('base64url');
      const { code } = await authorize(verifier);
      const wrong = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43) });
      expect(wrong.status).toBe(400);
      expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });

      const query = clientQuery();
      query.set('client_assertion', JSON.stringify({ ...JSON.parse(query.get('client_assertion')!), aud: 'https://elsewhere.example' }));
      const res = await fetch(`${fapi.url}/as/token.oauth2?${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', scope: 'accounts' }) });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    });
  });

  describe('BNPL lender', () => {
    let bnpl: BnplSandbox;
    beforeAll(async () => {
      bnpl = await startBnplSandbox();
    });
    afterAll(() => bnpl.close());

    const post = (path: string, body: unknown) => fetch(`${bnpl.serverUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('accepts the customer body the description means (erratum: its allOf with additionalProperties: false admits none) and still refuses unknown fields', async () => {
      const customer = { firstName: 'Grace', lastName: 'Hopper', dateOfBirth: '1986-12-09T00:00:00Z', postalCode: '10001' };
      const created = await post('/customers', { ...customer, termsAndConditionsAccepted: true });
      expect(created.status).toBe(201);
      const body = (await created.json()) as { customerId: string; links: { self: string } };
      expect(body.links.self).toBe(`${bnpl.serverUrl}/customers/${body.customerId}`);
      expect(await (await fetch(body.links.self)).json()).toMatchObject({ customerId: body.customerId, lastName: 'Hopper' });

      const extra = await post('/customers', { ...customer, termsAndConditionsAccepted: true, nickname: 'Amazing Grace' });
      expect(extra.status).toBe(400);
      // Labelled as the description's ErrorResponse declares it (application/json), not RFC 9457's application/problem+json.
      expect(extra.headers.get('content-type')).toBe('application/json');
      expect(await extra.json()).toMatchObject({ status: '400', title: 'Invalid request', errors: [{ code: 'invalid_field', source: { pointer: '/nickname' } }] });
    });

    it('serves under /bnpl/v1 only', async () => {
      expect((await fetch(`${bnpl.url}/terms-and-conditions`)).status).toBe(404);
      expect((await fetch(`${bnpl.serverUrl}/terms-and-conditions`)).status).toBe(200);
    });
  });

  describe('Petstore', () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    let petstore: PetstoreSandbox;
    beforeAll(async () => {
      petstore = await startPetstoreSandbox({ scenario: { sessions: { expiresInSeconds: 1 } }, now: () => clock });
    });
    afterAll(() => petstore.close());

    it('pets need a live login session; the session expires', async () => {
      expect((await fetch(`${petstore.serverUrl}/pet/1`)).status).toBe(401);
      const login = await fetch(`${petstore.serverUrl}/user/login?username=theUser&password=12345`);
      expect(login.status).toBe(200);
      expect(login.headers.get('x-expires-after')).toBe('2026-01-01T00:00:01.000Z');
      expect(login.headers.get('x-rate-limit')).toBe('5000');
      const session = (await login.json()) as string;
      const pet = await fetch(`${petstore.serverUrl}/pet/1`, { headers: { authorization: `Bearer ${session}` } });
      expect(await pet.json()).toMatchObject({ id: 1, name: 'Rex', status: 'available' });
      clock += 1000;
      expect((await fetch(`${petstore.serverUrl}/pet/1`, { headers: { authorization: session } })).status).toBe(401);
      expect((await fetch(`${petstore.serverUrl}/user/login?username=theUser&password=nope`)).status).toBe(400);
    });
  });
});
