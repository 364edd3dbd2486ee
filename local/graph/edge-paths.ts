import type { Point } from './layout-types.js';

/** Coordinates as the SVG shows them: one decimal. */
export const round = (n: number) => Math.round(n * 10) / 10;

const fmt = (p: Point) => `${round(p.x)} ${round(p.y)}`;

/** Vertical tangents at every point: edges leave and enter rows straight, bend in between. */
export function curvePath(points: readonly Point[]): string {
  let d = `M${fmt(points[0])}`;
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    if (Math.abs(a.x - b.x) < 0.5) d += ` L${fmt(b)}`;
    else {
      const k = (b.y - a.y) / 2;
      d += ` C${fmt({ x: a.x, y: a.y + k })} ${fmt({ x: b.x, y: b.y - k })} ${fmt(b)}`;
    }
  }
  return d;
}

/** A polyline whose corners are rounded off, for the loop lanes. */
export function roundedPath(points: readonly Point[]): string {
  let d = `M${fmt(points[0])}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [a, b, c] = [points[i - 1], points[i], points[i + 1]];
    const r = Math.min(10, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2);
    const towards = (from: Point, to: Point, dist: number): Point => {
      const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
      return { x: from.x + ((to.x - from.x) * dist) / len, y: from.y + ((to.y - from.y) * dist) / len };
    };
    d += ` L${fmt(towards(b, a, r))} Q${fmt(b)} ${fmt(towards(b, c, r))}`;
  }
  return `${d} L${fmt(points[points.length - 1])}`;
}
