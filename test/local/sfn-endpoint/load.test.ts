import { CreateStateMachineCommand, ListExecutionsCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfnEndpoint, type ExecutionRecord, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { sfnClient, tempDir, WORKFLOWS_DIR } from './support/endpoint-harness.js';

const ROLE = 'arn:aws:iam::000000000000:role/load';
/** seed 000's workflow function, called by ARN: every execution makes one Task call across the worker bridge. */
const VALIDATE_FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:arazzo-sfn-customer-verification-poll-workflow';
const DEFINITION = {
  StartAt: 'Check',
  States: {
    Check: { Type: 'Task', Resource: VALIDATE_FUNCTION, Parameters: { workflow: 'customer-verification-poll', 'inputs.$': '$' }, Next: 'Pause' },
    Pause: { Type: 'Wait', Seconds: 1, Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};
const INPUT = JSON.stringify({ accessToken: 'secret:t', firstName: 'Jane', lastName: 'Doe', email: 'jane@example.com', providerId: 'p', expectedName: 'Jane Doe' });

// The load figures of issue 14 hold with executions in worker threads: StartExecution answers at
// once under concurrency, no execution is lost or left RUNNING.
describe('the endpoint under load (executions in engine workers, a Task call and a Wait each)', () => {
  let endpoint: SfnEndpoint;
  let client: SFNClient;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let machine: string;
  const ended = new Map<string, ExecutionRecord>();
  const waiters = new Map<string, () => void>();

  beforeAll(async () => {
    tmp = await tempDir();
    endpoint = await startSfnEndpoint({
      dbFile: tmp.db,
      workflowsDir: WORKFLOWS_DIR,
      waitMs: 5,
      onExecution: ({ phase, execution }) => {
        if (phase !== 'ended') return;
        ended.set(execution.arn, execution);
        waiters.get(execution.arn)?.();
      },
    });
    client = sfnClient(endpoint);
    machine = (await client.send(new CreateStateMachineCommand({ name: 'load', definition: JSON.stringify(DEFINITION), roleArn: ROLE }))).stateMachineArn!;
  }, 120_000);
  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
    await tmp?.remove();
  });

  async function allEnded(arns: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const arn of arns) {
      while (!ended.has(arn)) {
        if (Date.now() > deadline) throw new Error(`${arns.filter((a) => !ended.has(a)).length} of ${arns.length} executions did not end in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1_000);
          waiters.set(arn, () => (clearTimeout(timer), resolve()));
        });
        waiters.delete(arn);
      }
    }
  }

  async function running(): Promise<number> {
    let count = 0;
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListExecutionsCommand({ stateMachineArn: machine, statusFilter: 'RUNNING', maxResults: 1000, nextToken }));
      count += page.executions?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken);
    return count;
  }

  it('200 concurrent StartExecution calls through the SDK: 200 executions, none lost, all SUCCEEDED', async () => {
    const started = await Promise.all(Array.from({ length: 200 }, (_, i) => client.send(new StartExecutionCommand({ stateMachineArn: machine, name: `burst-${i}`, input: INPUT }))));
    const arns = started.map((s) => s.executionArn!);
    expect(new Set(arns).size).toBe(200);
    await allEnded(arns, 120_000);
    expect(arns.filter((a) => ended.get(a)!.status !== 'SUCCEEDED')).toEqual([]);
    expect(await running()).toBe(0);
  }, 180_000);

  it('5,000 executions at concurrency 500: every one ends SUCCEEDED, 0 stuck', async () => {
    const arns: string[] = [];
    let next = 0;
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: 500 }, async () => {
        while (next < 5_000) {
          const i = next++;
          const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine, name: `load-${i}`, input: INPUT }));
          arns.push(executionArn!);
          await allEnded([executionArn!], 600_000);
        }
      }),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    expect(arns).toHaveLength(5_000);
    const statuses: Record<string, number> = {};
    for (const a of arns) statuses[ended.get(a)!.status] = (statuses[ended.get(a)!.status] ?? 0) + 1;
    console.log(`5,000 executions at concurrency 500 in ${seconds.toFixed(1)} s (${(5_000 / seconds).toFixed(0)}/s): ${JSON.stringify(statuses)}`);
    expect(statuses).toEqual({ SUCCEEDED: 5_000 });
    expect(await running()).toBe(0);
  }, 900_000);
});
