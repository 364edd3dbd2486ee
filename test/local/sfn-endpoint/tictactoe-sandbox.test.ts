import { join } from 'node:path';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfnEndpoint, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { DEFAULT_TICTACTOE_API_KEYS } from '../../../sandbox/oai-examples/index.js';
import { ROOT, sfnClient, tempDir, waitForEnd } from './support/endpoint-harness.js';

const EXAMPLE = join(ROOT, 'test/conformance/corpus/learn.openapis.org/examples/arazzo/v1.1/tictactoe-events/arazzo.yaml');

describe('serve --sandbox: the Tic Tac Toe game service answers on the endpoint\'s embedded broker', () => {
  let endpoint: SfnEndpoint;
  let client: SFNClient;
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    tmp = await tempDir();
    endpoint = await startSfnEndpoint({ dbFile: tmp.db, workflowFiles: [EXAMPLE], sandbox: true, secrets: { 'tictactoe/api-key': DEFAULT_TICTACTOE_API_KEYS[0] } });
    client = sfnClient(endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
    await tmp?.remove();
  });

  it('an execution of playMoveByMessage sends the move, takes its result and reads the board: SUCCEEDED', async () => {
    const input = { moveId: 'serve-1', row: 1, column: 3, mark: 'X', apiKey: 'secret:tictactoe/api-key' };
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:playMoveByMessage', input: JSON.stringify(input) }));
    const done = await waitForEnd(client, executionArn!);
    expect(done, done.cause).toMatchObject({ status: 'SUCCEEDED' });
    expect(JSON.parse(done.output!)).toEqual({ accepted: true, board: [['.', '.', 'X'], ['.', '.', '.'], ['.', '.', '.']], winner: '.' });
  });
});
