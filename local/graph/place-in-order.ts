/**
 * Weighted least squares for positions in a fixed order with minimum gaps (`gaps[i]` between i-1
 * and i): shifting by the cumulative gaps turns it into isotonic regression, solved exactly by
 * pooling adjacent violators.
 */
export function placeInOrder(desired: readonly number[], weights: readonly number[], gaps: readonly number[]): number[] {
  const offset: number[] = [];
  let acc = 0;
  for (let i = 0; i < desired.length; i++) offset.push((acc += i === 0 ? 0 : gaps[i]));
  const blocks: { w: number; wt: number; n: number }[] = [];
  desired.forEach((d, i) => {
    blocks.push({ w: weights[i], wt: weights[i] * (d - offset[i]), n: 1 });
    while (blocks.length > 1) {
      const [a, b] = [blocks[blocks.length - 2], blocks[blocks.length - 1]];
      if (a.wt / a.w <= b.wt / b.w) break;
      blocks.splice(blocks.length - 2, 2, { w: a.w + b.w, wt: a.wt + b.wt, n: a.n + b.n });
    }
  });
  const out: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.n; k++) out.push(b.wt / b.w + offset[out.length]);
  return out;
}
