/**
 * The floor the runners are measured against: the HTTP calls seeds 000 and 001 make, written by
 * hand with undici — same methods, paths, headers and bodies, same routing on the answers, no
 * engine, no expressions, no history. Nothing a workflow runner does can cost less.
 */
import { request, type Dispatcher } from 'undici';

export interface Seed000Input {
  readonly accessToken: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly providerId: string;
  readonly expectedName: string;
}

export interface Seed001Input {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly amount: string;
  readonly currency: string;
  readonly communication: string;
  readonly requestId: string;
}

async function call(dispatcher: Dispatcher | undefined, url: string, method: Dispatcher.HttpMethod, headers: Record<string, string>, body: string | undefined, expect: number): Promise<any> {
  const res = await request(url, { method, headers, body, dispatcher });
  const json = await res.body.json();
  if (res.statusCode !== expect) throw new Error(`${method} ${new URL(url).pathname} answered ${res.statusCode}, expected ${expect}`);
  return json;
}

/** customer-verification-poll: create, start verification, poll until it settles (no pause: the benchmarks run without waits), re-read on failure. */
export async function runSeed000Raw(baseUrl: string, input: Seed000Input, dispatcher?: Dispatcher): Promise<{ calls: number; status: string }> {
  const headers = { authorization: `Bearer ${input.accessToken}`, accept: 'application/json' };
  const json = { ...headers, 'content-type': 'application/json' };
  const customer = await call(dispatcher, `${baseUrl}/v1/customers`, 'POST', json, JSON.stringify({ first_name: input.firstName, last_name: input.lastName, email: input.email }), 201);
  const verification = await call(
    dispatcher,
    `${baseUrl}/v1/customers/${encodeURIComponent(customer.id)}/verification`,
    'POST',
    json,
    JSON.stringify({ provider_id: input.providerId, expected_name: input.expectedName }),
    201,
  );
  const pollUrl = `${baseUrl}/v1/customers/${encodeURIComponent(customer.id)}/verification/${encodeURIComponent(verification.id)}`;
  let calls = 2;
  for (;;) {
    const read = await call(dispatcher, pollUrl, 'GET', headers, undefined, 200);
    calls++;
    if (read.status === 'verified') return { calls, status: read.status };
    if (read.status === 'unverified' || read.status === 'failed') {
      const again = await call(dispatcher, pollUrl, 'GET', headers, undefined, 200);
      return { calls: calls + 1, status: again.status };
    }
    if (read.status !== 'pending') throw new Error(`unexpected verification status ${read.status}`);
  }
}

/** Headers that sign the payment creation (Date, Digest, Signature), made from its final body and request id. */
export type SignPayment = (method: string, path: string, body: string, requestId: string) => Record<string, string>;

/** token-then-payment: mint a PIS token, create the payment session (signed when `sign` is given), read it back. */
export async function runSeed001Raw(baseUrl: string, input: Seed001Input, dispatcher?: Dispatcher, sign?: SignPayment): Promise<{ calls: number; status: string }> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'PIS', client_id: input.clientId, client_secret: input.clientSecret }).toString();
  const token = await call(dispatcher, `${baseUrl}/oauth/accesstoken`, 'POST', { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, form, 200);
  const auth = { authorization: `Bearer ${token.access_token}`, accept: 'application/json' };
  const body = JSON.stringify({ meta: {}, data: { type: 'PIS', attributes: { amount: input.amount, currency: input.currency, communication: input.communication, payment_method: 'immediate_transfer' } } });
  const signature = sign ? sign('POST', '/pis/v2/connect', body, input.requestId) : {};
  const session = await call(dispatcher, `${baseUrl}/pis/v2/connect`, 'POST', { ...auth, 'x-request-id': input.requestId, 'content-type': 'application/json', ...signature }, body, 200);
  const payment = await call(dispatcher, `${baseUrl}/pis/v2/payments/${encodeURIComponent(session.meta.session_id)}`, 'GET', auth, undefined, 200);
  return { calls: 3, status: payment.status };
}
