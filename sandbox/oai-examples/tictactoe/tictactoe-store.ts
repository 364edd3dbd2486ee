import { createBoard, type Board } from './tictactoe-board.js';

/** The result the game service published for a move message, by the move's id. */
export interface MoveResultRecord {
  readonly moveId: string;
  readonly accepted: boolean;
  readonly reason?: string;
}

export interface TicTacToeStore {
  readonly board: Board;
  /** Each move message taken, by its `moveId` header: a move sent again is answered again, never played twice. */
  readonly results: Map<string, MoveResultRecord>;
}

export const createTicTacToeStore = (): TicTacToeStore => ({ board: createBoard(), results: new Map() });
