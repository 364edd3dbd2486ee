import { describe, expect, it } from 'vitest';
import { EVENT_INPUT_KEY, inputsFromEvent, parseEventPath, readEventPath } from '../../core/event-input.js';
import { validateInputs } from '../../functions/runtime/validate-inputs.js';
import type { WorkflowPlan } from '../../core/plan.js';

const event = { id: 'e-1', detail: { email: 'a@example.com', items: [{ sku: 'x' }], empty: null, nested: { 'kyc-level': 'FULL' } } };

describe('event paths', () => {
  it('reads dotted names (dashes, underscores) and array indexes from $, and nothing else', () => {
    expect(parseEventPath('$.detail.items[0].sku')).toEqual(['detail', 'items', 0, 'sku']);
    expect(parseEventPath('$')).toEqual([]);
    for (const bad of ['detail.email', '$..email', "$['detail']", '$.detail[*]', '$.a b', '$.']) expect(parseEventPath(bad), bad).toBeUndefined();
    expect(readEventPath(event, '$.detail.items[0].sku')).toBe('x');
    expect(readEventPath(event, '$.detail.nested.kyc-level')).toBe('FULL');
    expect(readEventPath(event, '$.id')).toBe('e-1');
    expect(readEventPath(event, '$.detail.missing')).toBeUndefined();
    expect(readEventPath(event, '$.detail.email.length')).toBeUndefined();
    // Own members only: a path cannot reach the prototype.
    expect(readEventPath(event, '$.detail.constructor')).toBeUndefined();
  });

  it('picks the inputs an event has, leaves out the absent and null ones, and keeps the members set beside it', () => {
    const { inputs, problems } = inputsFromEvent({
      accessToken: 'secret:accessToken',
      [EVENT_INPUT_KEY]: { paths: { email: '$.detail.email', phone: '$.detail.phone', empty: '$.detail.empty', requestId: '$.id', accessToken: '$.detail.email' }, event },
    });
    expect(problems).toEqual([]);
    expect(inputs).toEqual({ accessToken: 'secret:accessToken', email: 'a@example.com', requestId: 'e-1' });
    expect(inputsFromEvent({ a: 1 }).inputs).toEqual({ a: 1 });
    expect(inputsFromEvent({ [EVENT_INPUT_KEY]: { paths: { a: '$..a' }, event } }).problems).toEqual([`inputs.${EVENT_INPUT_KEY}.paths.a: not a JSON path of dotted names and [index]es`]);
  });

  it('validateInputs applies the defaults of the inputs the event lacks', () => {
    const plan = {
      workflowId: 'wf',
      inputsSchema: { type: 'object', required: ['email'], properties: { email: { type: 'string' }, level: { type: 'string', default: 'FULL' } }, additionalProperties: false },
      credentialInputs: [],
      steps: [],
    } as unknown as WorkflowPlan;
    expect(validateInputs(plan, { [EVENT_INPUT_KEY]: { paths: { email: '$.detail.email', level: '$.detail.level' }, event } }).inputs).toEqual({ email: 'a@example.com', level: 'FULL' });
    expect(() => validateInputs(plan, { [EVENT_INPUT_KEY]: { paths: { email: '$.detail.nope' }, event } })).toThrow(/missing required input "email"/);
  });
});
