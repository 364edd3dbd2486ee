import type { GraphEdgeKind, GraphNode } from './graph-model.js';

/** The layout's input options and its result: what render-page reads. */

export interface NodeSize {
  readonly width: number;
  readonly height: number;
  /** Room kept free right of the shape (the Retry loop is drawn there). */
  readonly extraRight?: number;
  /** How far from the centre edges may attach along the top and bottom (0 for a diamond's vertex). */
  readonly portHalfSpan?: number;
}

export interface LayoutOptions {
  readonly sizeOf: (node: GraphNode) => NodeSize;
  readonly labelSize: (labels: readonly string[]) => { width: number; height: number };
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Box {
  /** Centre. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LaidOutNode extends Box {
  readonly id: string;
  readonly extraRight: number;
  /** Row of the node, 0 for the start pseudo-node; every forward edge goes to a higher rank. */
  readonly rank: number;
}

export interface LaidOutEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly kind: GraphEdgeKind;
  /** Closes a loop: drawn up the side of the graph instead of through the rows. */
  readonly back: boolean;
  readonly points: readonly Point[];
  /** SVG path data through `points`. */
  readonly path: string;
  readonly label?: Box;
}

export interface GraphLayout {
  readonly nodes: ReadonlyMap<string, LaidOutNode>;
  readonly edges: readonly LaidOutEdge[];
  readonly width: number;
  readonly height: number;
}
