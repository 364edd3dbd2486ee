// The Fintecture simulator's payment webhooks (issue 19 §3): sent to the application's webhook URL
// (configured per application, as in the Console), form-encoded and signed as Fintecture signs
// them, retried on any answer but 2xx up to a bound. The receiving end is a real loopback server
// that answers as told; the signature is opened with the verifier the receivers run.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyCallbackSignature } from '../../functions/runtime/callbacks/verify-callback-signature.js';
import { startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { APPLICATION_PRIVATE_PEM, call, CLIENT_ID, connectBody, mintToken, newRequestId, SIGNATURE_KEYS } from './sandbox-client.js';

interface Delivery {
  readonly headers: Record<string, string>;
  readonly rawBody: Buffer;
}

describe('Fintecture sandbox: payment webhooks', () => {
  let sandbox: FintectureSandbox;
  let receiver: Server;
  let receiverUrl: string;
  let token: string;
  const deliveries: Delivery[] = [];
  /** The answers the receiving end gives, in order; 200 once they run out. */
  let answers: number[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        deliveries.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), rawBody: Buffer.concat(chunks) });
        res.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/fintecture?tenant=t1`;
    sandbox = await startFintectureSandbox({ signatureKeys: SIGNATURE_KEYS, webhooks: { [CLIENT_ID]: receiverUrl }, webhookTiming: { payerDelayMs: 20, retryDelaysMs: [20, 20, 20] } });
  });
  afterAll(async () => {
    await sandbox.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });
  beforeEach(async () => {
    sandbox.reset();
    deliveries.length = 0;
    answers = [];
    token = await mintToken(sandbox, 'PIS');
  });

  const open = async (psuEmail?: string) => {
    const res = await call(sandbox, 'POST', '/pis/v2/connect', { json: connectBody({ amount: '12.50', ...(psuEmail ? { psuEmail } : {}) }), token, headers: { 'x-request-id': newRequestId() } });
    expect(res.status).toBe(200);
    return res.body.meta.session_id as string;
  };
  const verify = (d: Delivery, nowMs = Date.now()) =>
    verifyCallbackSignature(d, APPLICATION_PRIVATE_PEM, { scheme: 'fintecture', secret: 'unused', keyId: CLIENT_ID, toleranceSeconds: 300 }, nowMs);

  it('the payer completes the session and the application is told: a form-encoded body signed with Digest, Date, X-Request-ID and Signature', async () => {
    const sessionId = await open();
    await sandbox.webhooksSettled();
    expect(deliveries).toHaveLength(1);
    const [d] = deliveries;
    expect(d!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(d!.rawBody.toString()))).toEqual({ session_id: sessionId, status: 'payment_created', amount: '12.50', currency: 'EUR' });
    expect(verify(d!)).toEqual({ ok: true, deliveryId: `fintecture:${d!.headers['x-request-id']}` });
    // Opened with the application's private key only: another key's receiver cannot read it as genuine.
    expect(verify({ ...d!, rawBody: Buffer.from(d!.rawBody.toString().replace('12.50', '99.99')) })).toEqual({ ok: false, reason: 'bad-digest' });
    expect(sandbox.webhookDeliveries).toEqual([expect.objectContaining({ sessionId, status: 'payment_created', attempt: 1, answerStatus: 200, url: receiverUrl.split('?')[0] })]);
    expect(JSON.stringify(sandbox.webhookDeliveries)).not.toMatch(/signature|SHA-256|tenant=/i);
  });

  it('the status the webhook reports is what a read answers from then on', async () => {
    const sessionId = await open('payer+pending5+payment_unsuccessful@example.com');
    await sandbox.webhooksSettled();
    expect(new URLSearchParams(deliveries[0]!.rawBody.toString()).get('status')).toBe('payment_unsuccessful');
    const read = await call(sandbox, 'GET', `/pis/v2/payments/${sessionId}`, { token });
    expect(read.body.meta.status).toBe('payment_unsuccessful');
  });

  it('retries a webhook the receiver did not take, with a fresh Date and signature and the same X-Request-ID, and stops at the first 2xx', async () => {
    answers = [500, 503];
    await open();
    await sandbox.webhooksSettled();
    expect(deliveries.map((d) => d.headers['x-request-id'])).toEqual(Array(3).fill(deliveries[0]!.headers['x-request-id']));
    expect(new Set(deliveries.map((d) => d.headers.signature)).size).toBe(3);
    expect(deliveries.every((d) => verify(d).ok)).toBe(true);
    expect(sandbox.webhookDeliveries.map((e) => [e.attempt, e.answerStatus])).toEqual([[1, 500], [2, 503], [3, 200]]);
    expect([sandbox.stats.webhooksSent, sandbox.stats.webhooksFailed]).toEqual([3, 2]);
  });

  it('gives up after the bound: four attempts for three retry delays', async () => {
    answers = [500, 500, 500, 500, 500, 500];
    await open();
    await sandbox.webhooksSettled();
    expect(sandbox.webhookDeliveries.map((e) => e.answerStatus)).toEqual([500, 500, 500, 500]);
    expect(answers).toHaveLength(2);
  });

  it('a session that never settles (+never) sends nothing; an application without a webhook URL neither', async () => {
    await open('payer+never@example.com');
    sandbox.configureWebhook(CLIENT_ID, undefined);
    await open();
    await sandbox.webhooksSettled();
    expect(deliveries).toHaveLength(0);
    sandbox.configureWebhook(CLIENT_ID, receiverUrl);
  });

  it('refuses a webhook URL for an application it holds no key for (it could not sign)', () => {
    expect(() => sandbox.configureWebhook('unknown-app', receiverUrl)).toThrow(/no key in signatureKeys/);
  });
});
