import { FormData } from 'undici';
import { describe, expect, it } from 'vitest';
import { buildRequest } from '../../../../functions/runtime/http/build-request.js';
import type { CriterionPlan, JsonValue, StepPlan } from '../../../../core/plan.js';

const plan = (contentType: string | undefined, over: Partial<StepPlan> = {}): StepPlan => ({
  workflowId: 'wf',
  stepId: 'send',
  operation: { source: 'api', method: 'POST', serverUrl: 'http://unused', path: '/things', parameters: [], key: 'api.send' },
  parameters: [],
  ...(contentType ? { requestBody: { contentType, payload: null as JsonValue, replacements: [] } } : {}),
  successCriteria: [],
  onSuccess: [],
  onFailure: [],
  outputs: {},
  sealedOutputs: [],
  endsOnDefaultSuccess: false,
  workflowOutputs: {},
  sealContext: 'wf',
  credentialInputs: [],
  transport: { connectTimeoutMs: 1000, requestTimeoutMs: 1000, retrySafe: false },
  ...over,
});

describe('buildRequest bodies', () => {
  it('sends the declared Content-Type with a text body and keeps the evaluated payload for $request.body', () => {
    const built = buildRequest(plan('text/plain; charset=utf-8'), 'http://h', [], 'hello');
    expect(built.body).toBe('hello');
    expect(built.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(built.parts.body).toBe('hello');
  });

  it('leaves the multipart Content-Type to undici, even over a content-type header parameter', () => {
    const built = buildRequest(plan('multipart/form-data'), 'http://h', [{ name: 'Content-Type', in: 'header', value: 'multipart/form-data' }], { a: 'b' });
    expect(built.body).toBeInstanceOf(FormData);
    expect(built.headers['content-type']).toBeUndefined();
    expect(built.parts.body).toEqual({ a: 'b' });
  });

  it('sends neither body nor Content-Type when the payload has no value', () => {
    const built = buildRequest(plan('application/json'), 'http://h', [], undefined);
    expect(built.body).toBeUndefined();
    expect(built.headers['content-type']).toBeUndefined();
  });

  it('turns a payload with no form of its content type into Arazzo.Expression naming the step and pointer', () => {
    expect(() => buildRequest(plan('application/xml'), 'http://h', [], { root: { 'not a name': 'x' } })).toThrow(
      expect.objectContaining({ name: 'Arazzo.Expression', message: 'step send request body: application/xml: "not a name" is not an XML name (at /root/not a name)' }),
    );
    expect(() => buildRequest(plan('application/x-www-form-urlencoded'), 'http://h', [], ['a'])).toThrow(
      expect.objectContaining({ name: 'Arazzo.Expression', message: 'step send request body: application/x-www-form-urlencoded needs an object (or encoded text), not an array' }),
    );
  });
});

describe('buildRequest Accept', () => {
  const xpath: CriterionPlan = { type: 'xpath', condition: '/a', context: '$response.body' };
  const XML = 'application/xml, text/xml;q=0.9, */*;q=0.8';

  it('asks for JSON by default', () => {
    expect(buildRequest(plan(undefined), 'http://h', [], undefined).headers.accept).toBe('application/json');
    expect(buildRequest(plan('application/json'), 'http://h', [], {}).headers.accept).toBe('application/json');
  });

  it('asks for XML when the step sends XML or reads its answer with XPath', () => {
    expect(buildRequest(plan('application/soap+xml'), 'http://h', [], '<a/>').headers.accept).toBe(XML);
    expect(buildRequest(plan(undefined, { successCriteria: [xpath] }), 'http://h', [], undefined).headers.accept).toBe(XML);
    const action = { outcome: 'onFailure.x', kind: 'onFailure' as const, type: 'end' as const, criteria: [xpath] };
    expect(buildRequest(plan(undefined, { onFailure: [action] }), 'http://h', [], undefined).headers.accept).toBe(XML);
  });

  it('keeps an Accept the step sets itself', () => {
    const built = buildRequest(plan(undefined, { successCriteria: [xpath] }), 'http://h', [{ name: 'Accept', in: 'header', value: 'application/vnd.shop+xml' }], undefined);
    expect(built.headers.accept).toBe('application/vnd.shop+xml');
  });
});
