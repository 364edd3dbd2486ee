import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { locateDescriptions } from '../../http/locate-descriptions.js';
import type { FaultRule, SandboxErrorSpec, SandboxResponse } from '../../http/index.js';
import { startExampleSandbox, type ExampleHandler, type ExampleSandbox, type ExampleSandboxOptions, type ExampleSimulator } from '../shared/start-example-sandbox.js';
import { placeMark, winnerOf, type Board, type Mark } from './tictactoe-board.js';
import { createTicTacToeStore, type TicTacToeStore } from './tictactoe-store.js';

/** The OpenAPI Initiative's learning pages' Tic Tac Toe API, as published (examples/v3.1/tictactoe.yaml). */
export const TICTACTOE_OPENAPI_FILE = 'tictactoe.yaml';

/** Where the published description is kept: the conformance corpus, beside the Arazzo examples that name it. */
export const TICTACTOE_OPENAPI_DIR = join('test', 'conformance', 'corpus', 'learn.openapis.org', 'examples', 'v3.1');

/** The OAuth scopes the description declares. */
export type BoardScope = 'board:read' | 'board:write';

/** The api keys (`api-key` header, `defaultApiKey`) the sandbox accepts when none are given. */
export const DEFAULT_TICTACTOE_API_KEYS: readonly string[] = Object.freeze(['tictactoe-sandbox-api-key']);

/** The bearer tokens the sandbox accepts when none are given, with their scopes. */
export const DEFAULT_TICTACTOE_BEARER_TOKENS: Readonly<Record<string, readonly BoardScope[]>> = Object.freeze({
  'tictactoe-sandbox-token': ['board:read', 'board:write'],
});

export interface TicTacToeScenario {
  /** Publish each move's result twice, as an at-least-once broker may deliver it. @default false */
  readonly duplicateResults: boolean;
  /** How long the service takes to play a move message before it publishes the result (ms). @default 10 */
  readonly resultDelayMs: number;
}

export type TicTacToeScenarioOverrides = Partial<TicTacToeScenario>;

export const DEFAULT_TICTACTOE_SCENARIO: TicTacToeScenario = Object.freeze({ duplicateResults: false, resultDelayMs: 10 });

export interface TicTacToeSandboxOptions extends ExampleSandboxOptions<TicTacToeScenarioOverrides> {
  /** Values of the `api-key` header that read the whole board. @default DEFAULT_TICTACTOE_API_KEYS */
  readonly apiKeys?: readonly string[];
  /**
   * Bearer tokens and their scopes: the description's `bearerHttpAuthentication` (a JWT) and its two
   * OAuth flows all arrive as `Authorization: Bearer <token>`; the sandbox knows the tokens it was
   * given, it does not read a JWT's claims. @default DEFAULT_TICTACTOE_BEARER_TOKENS
   */
  readonly bearerTokens?: Readonly<Record<string, readonly BoardScope[]>>;
  readonly faults?: readonly FaultRule[];
}

export interface TicTacToeSandbox extends ExampleSandbox<TicTacToeStore, TicTacToeScenario, TicTacToeScenarioOverrides> {
  /** A copy of the board, rows first. */
  readonly board: Board;
}

type Handler = ExampleHandler<TicTacToeStore, TicTacToeScenario>;

/** What each operation's `security` accepts (OR of the listed schemes, as OpenAPI reads the list). */
const SECURITY: Readonly<Record<string, { readonly apiKey: boolean; readonly scope: BoardScope }>> = {
  'get-board': { apiKey: true, scope: 'board:read' },
  'get-square': { apiKey: false, scope: 'board:read' },
  'put-square': { apiKey: false, scope: 'board:write' },
};

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The API declares its errors as `text/html` strings (`errorMessage`, at most 256 characters). */
function renderTextError(spec: SandboxErrorSpec): SandboxResponse {
  const problems = (spec.problems ?? []).map((p) => p.source?.parameter ?? p.source?.pointer ?? p.code);
  // A row or column outside 1..3 fails the path schema: answer it as the description's own example does.
  const text = problems.some((p) => p === 'row' || p === 'column') ? 'Illegal coordinates.' : [spec.detail ?? spec.title, ...problems].join(' ');
  return { status: spec.status, text: text.slice(0, 256), contentType: 'text/html', headers: spec.headers };
}

const status = (board: Board) => ({ winner: winnerOf(board), board: board.map((row) => [...row]) });

/**
 * Starts the Tic Tac Toe API of the OpenAPI Initiative's learning pages: one board, read whole
 * (`get-board`, an `api-key` or a bearer token with `board:read`), a square read (`get-square`,
 * bearer `board:read`) or marked (`put-square`, bearer `board:write`: 400 `Square is not empty.`
 * on a marked square, else the board and the winner). Errors are `text/html` strings, as the
 * description declares them; a request without accepted credentials is answered 401 (which the
 * description does not list), with too narrow a token 403.
 */
export async function startTicTacToeSandbox(options: TicTacToeSandboxOptions = {}): Promise<TicTacToeSandbox> {
  const apiKeys = options.apiKeys ?? DEFAULT_TICTACTOE_API_KEYS;
  const bearerTokens = Object.entries(options.bearerTokens ?? DEFAULT_TICTACTOE_BEARER_TOKENS);

  const getBoard: Handler = (ctx) => ({ status: 200, body: status(ctx.store.board) });

  const getSquare: Handler = (ctx) => {
    const { row, column } = ctx.request.path as { row: number; column: number };
    return { status: 200, body: ctx.store.board[row - 1][column - 1] satisfies Mark };
  };

  const putSquare: Handler = (ctx) => {
    const { row, column } = ctx.request.path as { row: number; column: number };
    const placed = placeMark(ctx.store.board, row, column, ctx.request.body);
    if (!placed.ok) return { status: 400, text: placed.reason, contentType: 'text/html' };
    return { status: 200, body: status(ctx.store.board) };
  };

  const simulator: ExampleSimulator<TicTacToeStore, TicTacToeScenario, TicTacToeScenarioOverrides> = {
    title: 'Tic Tac Toe',
    descriptions: [TICTACTOE_OPENAPI_FILE],
    createStore: () => createTicTacToeStore(),
    resolveScenario: (overrides) => ({ ...DEFAULT_TICTACTOE_SCENARIO, ...overrides }),
    handlers: { 'get-board': getBoard, 'get-square': getSquare, 'put-square': putSquare },
    guard(ctx) {
      const rule = SECURITY[ctx.route.operationId];
      if (!rule) return undefined;
      const apiKey = ctx.exchange.headers['api-key'];
      if (rule.apiKey && typeof apiKey === 'string' && apiKeys.some((k) => sameSecret(k, apiKey))) return undefined;
      const bearer = /^Bearer (\S+)$/i.exec(ctx.exchange.headers.authorization ?? '')?.[1];
      const scopes = bearer === undefined ? undefined : bearerTokens.find(([token]) => sameSecret(token, bearer))?.[1];
      const challenge = { 'www-authenticate': `Bearer scope="${rule.scope}"` };
      if (!scopes) return ctx.fail(401, 'unauthorized', rule.apiKey ? 'Send a known api-key or bearer token.' : 'Send a known bearer token.', undefined, challenge);
      if (!scopes.includes(rule.scope)) return ctx.fail(403, 'insufficient_scope', `The token lacks ${rule.scope}.`, undefined, challenge);
      return undefined;
    },
    renderError: renderTextError,
  };
  const sandbox = await startExampleSandbox(simulator, { ...options, openApiDir: options.openApiDir ?? locateDescriptions(TICTACTOE_OPENAPI_DIR, TICTACTOE_OPENAPI_FILE) });
  return Object.defineProperty(sandbox, 'board', { get: () => sandbox.store.board.map((row) => [...row]), enumerable: true }) as TicTacToeSandbox;
}
