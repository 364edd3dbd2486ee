import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ARAZZO_HEAD,
  PETS_OPENAPI,
  compileWorkflow,
  compileWorkflowResult,
  runWorkflow,
  startLoopbackServer,
  type LoopbackServer,
} from './support/index.js';

interface Criterion {
  readonly condition: string;
  readonly context?: string;
  readonly type?: string | { type: string; version: string };
}

/**
 * `probe` calls GET /pets/p-1 and, when the criterion holds, takes its only action (goto
 * `whenTrue`); otherwise the default success route runs the next step, `whenFalse`.
 */
function branchingWorkflow(criterion: Criterion): string {
  // JSON is YAML: conditions starting with "!" or holding "#" and quotes need no YAML escaping.
  return `${ARAZZO_HEAD}
workflows:
  - workflowId: criteria
    steps:
      - stepId: probe
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-1 }
        successCriteria:
          - condition: $statusCode == 200
        onSuccess:
          - name: holds
            type: goto
            stepId: whenTrue
            criteria:
              - ${JSON.stringify(criterion)}
      - stepId: whenFalse
        operationId: getPetStatus
        parameters:
          - { name: id, in: path, value: 'false' }
        outputs:
          branch: $request.path.id
        onSuccess:
          - { name: done, type: end }
      - stepId: whenTrue
        operationId: getPetStatus
        parameters:
          - { name: id, in: path, value: 'true' }
        outputs:
          branch: $request.path.id
    outputs:
      trueBranch: $steps.whenTrue.outputs.branch
      falseBranch: $steps.whenFalse.outputs.branch
`;
}

const OBJECT_BODY = {
  id: 7,
  status: 'Available',
  count: 5,
  price: 9.5,
  active: true,
  owner: null,
  name: "O'Brien",
  items: [{ id: 'a1' }, { id: 'b2' }],
};
const HEADERS = { 'X-Count': '3', 'X-Request-Id': 'req-123' };

interface Case {
  readonly criterion: Criterion;
  readonly holds: boolean;
  readonly body?: unknown;
}

const simple = (condition: string, holds: boolean): Case => ({ criterion: { condition }, holds });

const SIMPLE_CASES: Case[] = [
  simple('$statusCode == 200', true),
  simple('$statusCode == 201', false),
  simple('$statusCode != 404', true),
  simple('$statusCode != 200', false),
  simple('$response.body#/count < 6', true),
  simple('$response.body#/count < 5', false),
  simple('$response.body#/count <= 5', true),
  simple('$response.body#/count <= 4', false),
  simple('$response.body#/count > 4', true),
  simple('$response.body#/count > 5', false),
  simple('$response.body#/count >= 5', true),
  simple('$response.body#/count >= 6', false),
  simple('$response.body#/price == 9.5', true),
  simple('$response.body#/price > -1.5', true),
  simple('$response.body#/price < 9.25', false),
  // "String comparisons MUST be case insensitive."
  simple("$response.body#/status == 'available'", true),
  simple("$response.body#/status == 'sold'", false),
  simple("$response.body#/name == 'O''Brien'", true),
  simple("$response.body#/name == 'OBrien'", false),
  simple('$response.body#/active == true', true),
  simple('$response.body#/active == false', false),
  simple('$response.body#/owner == null', true),
  simple('$response.body#/id == null', false),
  simple('$statusCode == 200 && $response.body#/count > 1', true),
  simple('$statusCode == 200 && $response.body#/count > 10', false),
  simple('$statusCode == 500 || $response.body#/active == true', true),
  simple('$statusCode == 500 || $response.body#/active == false', false),
  simple('!($statusCode == 500)', true),
  simple('!($statusCode == 200)', false),
  simple('!$response.body#/active', false),
  // && binds tighter than ||; parentheses change the meaning.
  simple('$statusCode == 200 || $statusCode == 500 && $response.body#/count == 6', true),
  simple('($statusCode == 200 || $statusCode == 500) && $response.body#/count == 6', false),
  simple("$response.body#/items/0/id == 'a1'", true),
  simple("$response.body#/items/1/id == 'a1'", false),
  simple("$response.body#/items[1].id == 'b2'", true),
  simple("$response.body.items[0].id == 'a1'", true),
  simple("$response.body.items[0].id == 'b2'", false),
  simple('$response.header.X-Count == 3', true),
  simple('$response.header.x-count > 3', false),
];

const REGEX_CASES: Case[] = [
  { criterion: { context: '$statusCode', condition: '^2\\d\\d$', type: 'regex' }, holds: true },
  { criterion: { context: '$statusCode', condition: '^4\\d\\d$', type: 'regex' }, holds: false },
  { criterion: { context: '$response.header.X-Request-Id', condition: '^req-[0-9]+$', type: 'regex' }, holds: true },
  { criterion: { context: '$response.header.X-Request-Id', condition: '^id-', type: 'regex' }, holds: false },
  { criterion: { context: '$response.body#/name', condition: "^O'B", type: 'regex' }, holds: true },
];

const ARRAY_BODY = [
  { id: 1, status: 'x', items: [1] },
  { id: 2, status: 'y', items: [] },
];
const EMPTY_ITEMS_BODY = [
  { id: 1, status: 'x', items: [] },
  { id: 2, status: 'y', items: [] },
];
const jsonpath = (condition: string, body: unknown, holds: boolean): Case => ({
  criterion: { context: '$response.body', condition, type: 'jsonpath' },
  body,
  holds,
});

const JSONPATH_CASES: Case[] = [
  jsonpath("$[?@.status == 'x']", ARRAY_BODY, true),
  jsonpath("$[?@.status == 'z']", ARRAY_BODY, false),
  jsonpath('$[?count(@.items) > 0]', ARRAY_BODY, true),
  // RFC 9535 count() counts the nodes @.items selects (one array), not the array's elements.
  jsonpath('$[?count(@.items) > 0]', EMPTY_ITEMS_BODY, true),
  jsonpath('$[?count(@.items) > 0]', [{ id: 1 }, { id: 2 }], false),
  jsonpath('$[?count(@.items[*]) > 0]', EMPTY_ITEMS_BODY, false),
  jsonpath('$[?count(@.items[*]) > 0]', ARRAY_BODY, true),
  jsonpath('$[?length(@.items) > 0]', EMPTY_ITEMS_BODY, false),
  jsonpath("$.orders[?@.status == 'x']", { orders: ARRAY_BODY }, true),
  jsonpath("$.orders[?@.status == 'x' && @.id == 2]", { orders: ARRAY_BODY }, false),
  // The non-standard comparison form of seed 000 (warned at compile time, routed as meant).
  jsonpath('$.status == "pending"', { status: 'pending' }, true),
  jsonpath('$.status == "pending"', { status: 'done' }, false),
  jsonpath('$.status in ["pending","active"]', { status: 'active' }, true),
  jsonpath('$.status in ["pending","active"]', { status: 'done' }, false),
  {
    criterion: {
      context: '$response.body',
      condition: "$[?(@.status == 'x')]",
      type: { type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00' },
    },
    body: ARRAY_BODY,
    holds: true,
  },
];

describe('criteria, end to end', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
    server.route('GET', '/pets/{id}/status', { status: 200, body: {} });
  });
  afterEach(() => server.close());

  const label = (c: Case) => `${c.criterion.type ? `${JSON.stringify(c.criterion.type)} ` : ''}${c.criterion.context ? `${c.criterion.context} ` : ''}${c.criterion.condition} → ${c.holds}`;

  it.each([...SIMPLE_CASES, ...REGEX_CASES, ...JSONPATH_CASES].map((c) => [label(c), c] as const))('%s', async (_, c) => {
    server.route('GET', '/pets/{id}', { status: 200, headers: HEADERS, body: c.body ?? OBJECT_BODY });
    const compiled = await compileWorkflow(branchingWorkflow(c.criterion), PETS_OPENAPI);
    const run = await runWorkflow(compiled, {}, server);

    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /pets/p-1', `GET /pets/${c.holds}/status`]);
    if (c.holds) {
      expect(run.statesEntered).toEqual(['Validate inputs', 'probe', 'probe.route', 'whenTrue']);
      expect(run.output).toEqual({ trueBranch: 'true' });
    } else {
      expect(run.statesEntered).toEqual(['Validate inputs', 'probe', 'probe.route', 'whenFalse', 'whenFalse.route', 'whenFalse.end']);
      expect(run.output).toEqual({ falseBranch: 'false' });
    }
  });

  it('warns about the non-standard JSONPath form with its RFC 9535 equivalent', async () => {
    const result = await compileWorkflowResult(
      branchingWorkflow({ context: '$response.body', condition: '$.status == "pending"', type: 'jsonpath' }),
      PETS_OPENAPI,
    );
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const warning = result.diagnostics.find((d) => d.message.includes('not RFC 9535'));
    expect(warning?.message).toContain('$[?$.status == "pending"]');
  });

  describe('successCriteria', () => {
    const workflow = (criteria: readonly Criterion[]) => `${ARAZZO_HEAD}
workflows:
  - workflowId: successCriteria
    steps:
      - stepId: check
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-1 }
        successCriteria:
${criteria.map((c) => `          - ${JSON.stringify(c)}`).join('\n')}
        outputs:
          status: $response.body#/status
    outputs:
      status: $steps.check.outputs.status
`;

    it('succeeds only when every criterion holds', async () => {
      server.route('GET', '/pets/{id}', { status: 200, headers: HEADERS, body: OBJECT_BODY });
      const compiled = await compileWorkflow(
        workflow([
          { condition: '$statusCode == 200' },
          { context: '$response.header.X-Request-Id', condition: '^req-', type: 'regex' },
          { context: '$response.body', condition: "$.items[?@.id == 'b2']", type: 'jsonpath' },
        ]),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual(['Validate inputs', 'check']);
      expect(run.output).toEqual({ status: 'Available' });
    });

    it('fails the step with Arazzo.StepFailed when one criterion does not hold', async () => {
      server.route('GET', '/pets/{id}', { status: 200, headers: HEADERS, body: OBJECT_BODY });
      const compiled = await compileWorkflow(
        workflow([
          { condition: '$statusCode == 200' },
          { context: '$response.body', condition: "$.items[?@.id == 'zz']", type: 'jsonpath' },
        ]),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('Arazzo.StepFailed');
      expect(run.statesEntered).toEqual(['Validate inputs', 'check', 'check.failed']);
      expect(run.requests).toHaveLength(1);
    });
  });
});
