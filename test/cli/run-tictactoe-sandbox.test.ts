import { describe, expect, it } from 'vitest';
import { DEFAULT_TICTACTOE_API_KEYS } from '../../sandbox/oai-examples/index.js';
import { runCli } from './run-cli.js';

const EXAMPLE = 'test/conformance/corpus/learn.openapis.org/examples/arazzo/v1.1/tictactoe-events/arazzo.yaml';

describe('arazzo-sfn run --sandbox: the OAI Tic Tac Toe AsyncAPI example (reconstructed) against the Tic Tac Toe simulator', () => {
  it('sends the move on mqtt:moves, the game service answers on move-results, the board is read with the api key; exit 0, the key in no output', async () => {
    const apiKey = DEFAULT_TICTACTOE_API_KEYS[0];
    const inputs = { moveId: 'cli-1', row: '3', column: '1', mark: 'O', apiKey };
    const { code, stdout, stderr } = await runCli(['run', EXAMPLE, '--sandbox', '--json', ...Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`])], { NO_COLOR: '1' });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // --json prints the execution as DescribeExecution does: its output a JSON string, the api key a secret reference in its input.
    const execution = JSON.parse(stdout) as { status: string; output: string; input: string };
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.input)).toMatchObject({ apiKey: expect.stringMatching(/^secret:/) });
    expect(JSON.parse(execution.output)).toEqual({ accepted: true, board: [['.', '.', '.'], ['.', '.', '.'], ['O', '.', '.']], winner: '.' });
    expect(stdout).not.toContain(apiKey);
  }, 120_000);
});
