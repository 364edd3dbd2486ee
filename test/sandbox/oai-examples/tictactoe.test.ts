import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TICTACTOE_API_KEYS, DEFAULT_TICTACTOE_BEARER_TOKENS, startTicTacToeSandbox, type TicTacToeSandbox } from '../../../sandbox/oai-examples/index.js';

const API_KEY = DEFAULT_TICTACTOE_API_KEYS[0];
const TOKEN = Object.keys(DEFAULT_TICTACTOE_BEARER_TOKENS)[0];

// The simulator under test is real: loopback HTTP, routed and validated against the published tictactoe.yaml.
describe('Tic Tac Toe sandbox (learn.openapis.org examples/v3.1/tictactoe.yaml)', () => {
  let game: TicTacToeSandbox;
  beforeAll(async () => {
    game = await startTicTacToeSandbox({ bearerTokens: { [TOKEN]: ['board:read', 'board:write'], 'read-only': ['board:read'] } });
  });
  afterAll(() => game.close());
  beforeEach(() => game.reset());

  const call = async (method: 'GET' | 'PUT', path: string, headers: Record<string, string> = {}, body?: unknown) => {
    const res = await request(`${game.url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, type: String(res.headers['content-type']), text, json: () => JSON.parse(text) as unknown };
  };
  const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

  it('marks an empty square and answers the board and the winner; a marked square is refused as the description says', async () => {
    const put = await call('PUT', '/board/2/3', bearer(), 'X');
    expect(put.status).toBe(200);
    expect(put.json()).toEqual({ winner: '.', board: [['.', '.', '.'], ['.', '.', 'X'], ['.', '.', '.']] });
    const again = await call('PUT', '/board/2/3', bearer(), 'O');
    expect([again.status, again.type, again.text]).toEqual([400, 'text/html', 'Square is not empty.']);
    expect((await call('GET', '/board/2/3', bearer())).json()).toBe('X');
    expect(game.board[1][2]).toBe('X');
  });

  it('names the winner of a full line', async () => {
    for (const column of [1, 2, 3]) expect((await call('PUT', `/board/1/${column}`, bearer(), 'O')).status).toBe(200);
    expect((await call('GET', '/board', { 'api-key': API_KEY })).json()).toMatchObject({ winner: 'O' });
  });

  it('refuses coordinates outside 1..3 and the empty mark, in the description\'s words', async () => {
    const outside = await call('PUT', '/board/4/1', bearer(), 'X');
    expect([outside.status, outside.text]).toEqual([400, 'Illegal coordinates.']);
    const empty = await call('PUT', '/board/1/1', bearer(), '.');
    expect([empty.status, empty.text]).toEqual([400, 'Invalid Mark (X or O).']);
  });

  it('asks for what each operation declares: api-key or bearer board:read for the board, bearer for squares, board:write to mark', async () => {
    expect((await call('GET', '/board')).status).toBe(401);
    expect((await call('GET', '/board', { 'api-key': 'wrong' })).status).toBe(401);
    expect((await call('GET', '/board', bearer('read-only'))).status).toBe(200);
    // An api key reads the board, not a square (get-square's security has no apiKey scheme).
    const square = await call('GET', '/board/1/1', { 'api-key': API_KEY });
    expect([square.status, square.text]).toEqual([401, 'Send a known bearer token.']);
    const readOnly = await call('PUT', '/board/1/1', bearer('read-only'), 'X');
    expect([readOnly.status, readOnly.text]).toEqual([403, 'The token lacks board:write.']);
    expect(game.board[0][0]).toBe('.');
    expect(game.requestLog.map((e) => e.status)).toEqual([401, 401, 200, 401, 403]);
  });
});
