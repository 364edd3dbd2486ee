/** A square of the board, as the Tic Tac Toe API's `mark` schema has it: `.` is an empty square. */
export type Mark = '.' | 'X' | 'O';

/** Rows of squares; row and column 1 are `board[0][0]`, as the API's coordinates run 1 to 3. */
export type Board = Mark[][];

export const createBoard = (): Board => [0, 1, 2].map(() => ['.', '.', '.'] as Mark[]);

const LINES: readonly (readonly [number, number])[][] = [
  ...[0, 1, 2].map((r) => [0, 1, 2].map((c) => [r, c] as const)),
  ...[0, 1, 2].map((c) => [0, 1, 2].map((r) => [r, c] as const)),
  [0, 1, 2].map((i) => [i, i] as const),
  [0, 1, 2].map((i) => [i, 2 - i] as const),
];

/** The API's `winner`: the mark that fills a row, column or diagonal, else `.`. */
export function winnerOf(board: Board): Mark {
  for (const line of LINES) {
    const [first, ...rest] = line.map(([r, c]) => board[r][c]);
    if (first !== '.' && rest.every((m) => m === first)) return first;
  }
  return '.';
}

/** Why a mark cannot be placed, in the words of put-square's 400 examples. */
export type MoveRefusal = 'Illegal coordinates.' | 'Square is not empty.' | 'Invalid Mark (X or O).';

const isCoordinate = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 3;

/** Places `mark` at (row, column) when the square is empty; the board is left unchanged otherwise. */
export function placeMark(board: Board, row: unknown, column: unknown, mark: unknown): { readonly ok: true } | { readonly ok: false; readonly reason: MoveRefusal } {
  if (!isCoordinate(row) || !isCoordinate(column)) return { ok: false, reason: 'Illegal coordinates.' };
  if (mark !== 'X' && mark !== 'O') return { ok: false, reason: 'Invalid Mark (X or O).' };
  if (board[row - 1][column - 1] !== '.') return { ok: false, reason: 'Square is not empty.' };
  board[row - 1][column - 1] = mark;
  return { ok: true };
}
