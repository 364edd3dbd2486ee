import { randomUUID } from 'node:crypto';
import type { Agent } from 'undici';
import { runSeed000Raw, runSeed001Raw } from './raw-calls.js';
import { FINTECTURE_CLIENT, type SandboxUrls } from './sandbox-process.js';

/** The executions the throughput benchmark runs: each seed workflow on the paths worth measuring. */

const SEED_000 = 'workflows/arazzo/customer-verification-poll.arazzo.yml';
const SEED_001 = 'workflows/arazzo/token-then-payment.arazzo.yml';
const SEED_003 = 'workflows/arazzo/connectfi-kyc-callback.arazzo.yml';
const SEED_004 = 'workflows/arazzo/mbanq-verify-customer.arazzo.yml';

/** Secrets the executions reference; values are the sandbox's default accounts and a token minted per run. */
export const SECRET = {
  customersToken: 'bench/fintecture/customers-token',
  fintectureApp: 'bench/fintecture/app',
  mbanqUser: 'bench/mbanq/api-user',
  connectFiUser: 'bench/connectfi/api-user',
} as const;

export interface Scenario {
  readonly file: string;
  readonly label: string;
  /** Execution input; called once per execution so ids that must be unique are. */
  readonly input: () => Record<string, unknown>;
  /** The same HTTP calls without the runner: present for the scenarios whose throughput is measured. */
  readonly raw?: (urls: SandboxUrls, token: string, dispatcher: Agent) => Promise<{ calls: number }>;
}

const seed000Input = (email: string) => () => ({
  accessToken: `secret:${SECRET.customersToken}`,
  firstName: 'Jane',
  lastName: 'Doe',
  email,
  providerId: 'cmcifrpp',
  expectedName: 'Jane Doe',
});
const seed001Input = () => ({
  clientId: `secret:${SECRET.fintectureApp}#id`,
  clientSecret: `secret:${SECRET.fintectureApp}#secret`,
  amount: '149.90',
  currency: 'EUR',
  communication: 'Order 1042',
  requestId: randomUUID(),
});
const mbanqInput = (addIdentifier: boolean) => () => ({
  tenantId: 'default',
  username: `secret:${SECRET.mbanqUser}#username`,
  password: `secret:${SECRET.mbanqUser}#password`,
  clientId: `secret:${SECRET.mbanqUser}#clientId`,
  clientSecret: `secret:${SECRET.mbanqUser}#clientSecret`,
  firstname: 'Maria',
  lastname: 'Lopez',
  emailAddress: 'maria.lopez@example.com',
  mobileNo: '+1 415 555 0134',
  address: { addressLine1: '500 Market Street', city: 'San Francisco', stateCode: 'CA', postalCode: '94105', countryCode: 'US' },
  onboardingDate: '03 March 2025',
  addIdentifier,
  documentTypeId: 2,
  // The bank refuses a document key another client of the tenant already holds.
  documentKey: `${randomUUID().slice(0, 3)}-${randomUUID().slice(0, 2)}-${randomUUID().slice(0, 4)}`,
  kycVerificationType: 'FULL',
});
const connectFiInput = () => ({
  login: 'sandbox_user',
  password: `secret:${SECRET.connectFiUser}#password`,
  reference: randomUUID(),
  firstName: 'John',
  lastName: 'Testman',
  dateOfBirth: '1978-10-15',
  email: 'john.testman@example.com',
});

export const SCENARIOS: readonly Scenario[] = [
  {
    file: SEED_000,
    label: 'pending0+verified',
    input: seed000Input('jane.doe+pending0+verified@example.com'),
    raw: (urls, token, dispatcher) =>
      runSeed000Raw(urls.fintecture, { accessToken: token, firstName: 'Jane', lastName: 'Doe', email: 'jane.doe+pending0+verified@example.com', providerId: 'cmcifrpp', expectedName: 'Jane Doe' }, dispatcher),
  },
  { file: SEED_000, label: 'pending2+verified (2 loop turns)', input: seed000Input('jane.doe+pending2+verified@example.com') },
  { file: SEED_000, label: 'pending0+failed (→ reportFailure)', input: seed000Input('jane.doe+pending0+failed@example.com') },
  {
    file: SEED_001,
    label: 'payment_created',
    input: seed001Input,
    raw: (urls, _token, dispatcher) => {
      const { requestId } = seed001Input();
      return runSeed001Raw(urls.fintecture, { clientId: FINTECTURE_CLIENT.id, clientSecret: FINTECTURE_CLIENT.secret, amount: '149.90', currency: 'EUR', communication: 'Order 1042', requestId }, dispatcher);
    },
  },
  { file: SEED_003, label: 'callbacks WAITING_DATA, REVIEW, APPROVED', input: connectFiInput },
  { file: SEED_004, label: 'with identifier (→ Active)', input: mbanqInput(true) },
  { file: SEED_004, label: 'no identifier (403 → getClient)', input: mbanqInput(false) },
];

export const workflowOf = (file: string) => file.replace(/^.*\//, '').replace(/\.arazzo\.ya?ml$/, '');
export const scenarioName = (s: Scenario) => `${workflowOf(s.file)} · ${s.label}`;
