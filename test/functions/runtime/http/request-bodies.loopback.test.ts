/**
 * Every request body content type, sent for real over loopback by handleStep from a hand-written
 * plan: the server records the exact bytes and headers it received, and hands them to the
 * sandbox's request validator, so what the runtime sends is also what the sandbox accepts.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handleStep } from '../../../../functions/runtime/handle-step.js';
import type { CriterionPlan, JsonValue, StepPlan } from '../../../../core/plan.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import type { OpenApiOperation } from '../../../../compiler/load/index.js';
import { compileRequestValidator } from '../../../../sandbox/http/compile-request-validator.js';
import { createSchemaCompilers } from '../../../../sandbox/http/create-schema-compilers.js';
import { readRequestBody } from '../../../../sandbox/http/read-request-body.js';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

let server: Server;
let baseUrl: string;
let received: Received[] = [];
/** What the server answers next: status, content type, body. */
let answer: { status: number; contentType: string; body: string } = { status: 200, contentType: 'application/json', body: '{}' };

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readRequestBody(req, 1024 * 1024);
    received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  received = [];
  answer = { status: 200, contentType: 'application/json', body: '{}' };
});

const runtime = () => ({ secrets: new InMemorySecretsProvider({}), sealer: new AesGcmSealer(), serverUrls: { api: baseUrl } });

function plan(contentType: string, payload: JsonValue, over: Partial<StepPlan> = {}): StepPlan {
  return {
    workflowId: 'wf',
    stepId: 'submit',
    operation: { source: 'api', method: 'POST', serverUrl: 'http://unused', path: '/submissions', parameters: [], key: 'api.submit' },
    parameters: [],
    requestBody: { contentType, payload, replacements: [] },
    successCriteria: [{ type: 'simple', condition: '$statusCode == 200' }],
    onSuccess: [],
    onFailure: [],
    outputs: {},
    sealedOutputs: [],
    endsOnDefaultSuccess: false,
    workflowOutputs: {},
    sealContext: 'wf',
    credentialInputs: [],
    transport: { connectTimeoutMs: 1000, requestTimeoutMs: 2000, retrySafe: false },
    ...over,
  };
}

const INPUTS = { amount: '12.50', currency: 'EUR', name: 'Zoë & Co <ltd>', age: 41 };
const event = (inputs: Record<string, unknown> = INPUTS) => ({ step: 'submit', inputs, steps: {} });

/** The sandbox's verdict on the request the server received, for an operation accepting `contentType` with `schema`. */
function sandboxVerdict(contentType: string, schema: Record<string, unknown>) {
  const operation: OpenApiOperation = {
    method: 'POST',
    path: '/submissions',
    pointer: '/paths/~1submissions/post',
    parameters: [],
    requestBody: { required: true, content: { [contentType]: { schema } } },
    responses: {},
  };
  const [request] = received;
  return compileRequestValidator(operation, createSchemaCompilers())({ pathParams: {}, query: new URLSearchParams(), headers: request.headers, rawBody: request.body });
}

describe('request bodies over loopback', () => {
  it('application/json: JSON of the evaluated payload; the JSON answer feeds outputs', async () => {
    answer = { status: 200, contentType: 'application/json; charset=utf-8', body: '{"id":"sub_1","state":{"code":"ok"}}' };
    const result = await handleStep(
      plan('application/json', { amount: '$inputs.amount', currency: '$inputs.currency', holder: { name: '$inputs.name' } }, { outputs: { id: '$response.body#/id', code: '$response.body#/state/code' } }),
      event(),
      runtime(),
    );
    expect(result).toMatchObject({ statusCode: 200, outcome: 'success', outputs: { id: 'sub_1', code: 'ok' } });
    expect(received).toHaveLength(1);
    expect(received[0].method).toBe('POST');
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].headers.accept).toBe('application/json');
    expect(received[0].body.toString('utf8')).toBe('{"amount":"12.50","currency":"EUR","holder":{"name":"Zoë & Co <ltd>"}}');
    const verdict = sandboxVerdict('application/json', { type: 'object', required: ['amount'], properties: { amount: { type: 'string' } } });
    expect(verdict).toMatchObject({ ok: true, value: { body: { amount: '12.50', currency: 'EUR' } } });
  });

  it('application/*+json: the declared type is sent with JSON text', async () => {
    await handleStep(plan('application/vnd.api+json', { data: { type: 'payments', attributes: { amount: '$inputs.age' } } }), event(), runtime());
    expect(received[0].headers['content-type']).toBe('application/vnd.api+json');
    expect(received[0].body.toString('utf8')).toBe('{"data":{"type":"payments","attributes":{"amount":41}}}');
    expect(sandboxVerdict('application/vnd.api+json', { type: 'object' })).toMatchObject({ ok: true, value: { body: { data: { attributes: { amount: 41 } } } } });
  });

  it('application/x-www-form-urlencoded: form/explode pairs, arrays repeated, nested objects exploded', async () => {
    await handleStep(
      plan('application/x-www-form-urlencoded', { grant_type: 'client_credentials', scope: ['read', 'write all'], holder: { name: '$inputs.name', age: '$inputs.age' } }),
      event(),
      runtime(),
    );
    expect(received[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(received[0].body.toString('latin1')).toBe('grant_type=client_credentials&scope=read&scope=write+all&name=Zo%C3%AB+%26+Co+%3Cltd%3E&age=41');
    const verdict = sandboxVerdict('application/x-www-form-urlencoded', {
      type: 'object',
      properties: { grant_type: { type: 'string' }, scope: { type: 'array', items: { type: 'string' } }, age: { type: 'integer' } },
    });
    expect(verdict).toMatchObject({ ok: true, value: { body: { grant_type: 'client_credentials', scope: ['read', 'write all'], name: 'Zoë & Co <ltd>', age: 41 } } });
  });

  it('multipart/form-data: one part per member, JSON parts for objects, the boundary chosen by undici', async () => {
    await handleStep(
      plan('multipart/form-data', { name: '$inputs.name', age: '$inputs.age', address: { city: 'Lyon', zip: '69001' }, tags: ['a', 'b'], missing: null }),
      event(),
      runtime(),
    );
    const contentType = received[0].headers['content-type']!;
    const boundary = /^multipart\/form-data; boundary=(\S+)$/.exec(contentType)?.[1];
    expect(boundary).toBeDefined();
    expect(Number(received[0].headers['content-length'])).toBe(received[0].body.length);
    const d = `--${boundary}`;
    expect(received[0].body.toString('utf8')).toBe(
      [
        d, 'Content-Disposition: form-data; name="name"', '', 'Zoë & Co <ltd>',
        d, 'Content-Disposition: form-data; name="age"', '', '41',
        d, 'Content-Disposition: form-data; name="address"; filename="blob"', 'Content-Type: application/json', '', '{"city":"Lyon","zip":"69001"}',
        d, 'Content-Disposition: form-data; name="tags"', '', 'a',
        d, 'Content-Disposition: form-data; name="tags"', '', 'b',
        `${d}--`, '',
      ].join('\r\n'),
    );
    const verdict = sandboxVerdict('multipart/form-data', {
      type: 'object',
      required: ['name', 'address'],
      properties: {
        name: { type: 'string' },
        age: { type: 'integer' },
        address: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
        tags: { type: 'array', items: { type: 'string' } },
      },
    });
    expect(verdict).toEqual({
      ok: true,
      value: expect.objectContaining({ mediaType: 'multipart/form-data', body: { name: 'Zoë & Co <ltd>', age: 41, address: { city: 'Lyon', zip: '69001' }, tags: ['a', 'b'] } }),
    });
  });

  it('application/xml, text payload: sent as is after substitution; the XML answer stays text', async () => {
    answer = { status: 200, contentType: 'application/xml', body: '<receipt><id>r-1</id></receipt>' };
    const result = await handleStep(
      plan('application/xml', '<Payment><amount currency="{$inputs.currency}">{$inputs.amount}</amount></Payment>', {
        outputs: { document: '$response.body', pointer: '$response.body#/receipt/id' },
      }),
      event(),
      runtime(),
    );
    expect(received[0].headers['content-type']).toBe('application/xml');
    expect(received[0].headers.accept).toBe('application/xml, text/xml;q=0.9, */*;q=0.8');
    expect(received[0].body.toString('utf8')).toBe('<Payment><amount currency="EUR">12.50</amount></Payment>');
    // A JSON pointer finds nothing in text: the output is left out, not an error.
    expect(result.outputs).toEqual({ document: '<receipt><id>r-1</id></receipt>' });
    expect(sandboxVerdict('application/xml', { type: 'object', xml: { name: 'Payment' } })).toMatchObject({ ok: true, value: { body: '<Payment><amount currency="EUR">12.50</amount></Payment>' } });
  });

  it('application/xml, text payload: substituted values are escaped in text and attributes, never read as markup', async () => {
    answer = { status: 200, contentType: 'application/xml', body: '<receipt/>' };
    const hostile = { amount: '1</amount><amount>999', currency: `EUR" x='1` };
    await handleStep(plan('application/xml', `<Payment><amount currency="{$inputs.currency}" c='{$inputs.currency}'>{$inputs.amount}</amount></Payment>`), event({ ...INPUTS, ...hostile }), runtime());
    const sent = received[0].body.toString('utf8');
    expect(sent).toBe(`<Payment><amount currency="EUR&quot; x=&apos;1" c='EUR&quot; x=&apos;1'>1&lt;/amount&gt;&lt;amount&gt;999</amount></Payment>`);
    // Still one amount element, whose text and attribute are the values as given.
    expect(sandboxVerdict('application/xml', { type: 'object', xml: { name: 'Payment' } })).toMatchObject({ ok: true });
  });

  it('application/xml, text payload: inside CDATA a value is left as is but for "]]>", and attribute white space survives', async () => {
    answer = { status: 200, contentType: 'application/xml', body: '<receipt/>' };
    const inputs = { ...INPUTS, note: 'a<b & c ]]> d', currency: 'E\tU\nR' };
    await handleStep(plan('application/xml', '<Payment note="{$inputs.currency}"><n><![CDATA[{$inputs.note}]]></n><m>{$inputs.note}</m></Payment>'), event(inputs), runtime());
    expect(received.at(-1)!.body.toString('utf8')).toBe(
      '<Payment note="E&#9;U&#10;R"><n><![CDATA[a<b & c ]]]]><![CDATA[> d]]></n><m>a&lt;b &amp; c ]]&gt; d</m></Payment>',
    );
  });

  it('text/xml and +xml, object payload: serialised with the documented mapping, values escaped', async () => {
    for (const type of ['text/xml; charset=utf-8', 'application/merchant+xml']) {
      received = [];
      await handleStep(plan(type, { Payment: { '@currency': '$inputs.currency', amount: '$inputs.amount', holder: '$inputs.name' } }), event(), runtime());
      expect(received[0].headers['content-type']).toBe(type);
      expect(received[0].body.toString('utf8')).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><Payment currency="EUR"><amount>12.50</amount><holder>Zoë &amp; Co &lt;ltd&gt;</holder></Payment>',
      );
      expect(sandboxVerdict(type.split(';')[0], { type: 'object', xml: { name: 'Payment' } })).toMatchObject({ ok: true });
    }
  });

  it('XML object payload without an XML form: Arazzo.Expression naming the step, and nothing sent', async () => {
    await expect(handleStep(plan('application/xml', { a: 1, b: 2 }), event(), runtime())).rejects.toMatchObject({
      name: 'Arazzo.Expression',
      message: 'step submit request body: application/xml: an XML body object must have exactly one member, the root element (found 2 members)',
    });
    expect(received).toEqual([]);
  });

  it('text/plain: a string as is, anything else as JSON text; the text answer is $response.body', async () => {
    answer = { status: 200, contentType: 'text/plain; charset=utf-8', body: 'ACCEPTED ref=77' };
    const criteria: CriterionPlan[] = [{ type: 'regex', condition: '^ACCEPTED ref=\\d+$', context: '$response.body' }];
    const result = await handleStep(
      plan('text/plain', 'pay {$inputs.amount} {$inputs.currency}', { successCriteria: criteria, outputs: { text: '$response.body', nothing: '$response.body#/ref' } }),
      event(),
      runtime(),
    );
    expect(received[0].headers['content-type']).toBe('text/plain');
    expect(received[0].body.toString('utf8')).toBe('pay 12.50 EUR');
    expect(result).toMatchObject({ outcome: 'success', outputs: { text: 'ACCEPTED ref=77' } });
    expect(sandboxVerdict('text/plain', { type: 'string', pattern: '^pay ' })).toMatchObject({ ok: true, value: { body: 'pay 12.50 EUR' } });

    received = [];
    await handleStep(plan('text/plain', { amount: '$inputs.amount' }), event(), runtime());
    expect(received[0].body.toString('utf8')).toBe('{"amount":"12.50"}');
  });

  it('application/octet-stream: a string as is; the sandbox hands the bytes over unvalidated', async () => {
    await handleStep(plan('application/octet-stream', 'raw:{$inputs.amount}'), event(), runtime());
    expect(received[0].headers['content-type']).toBe('application/octet-stream');
    expect(received[0].body).toEqual(Buffer.from('raw:12.50'));
    const verdict = sandboxVerdict('application/octet-stream', { type: 'string', format: 'binary' });
    expect(verdict.ok && Buffer.isBuffer(verdict.value.body) && verdict.value.body.toString()).toBe('raw:12.50');
  });
});
