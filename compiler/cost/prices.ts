import { readFile, stat } from 'node:fs/promises';

/**
 * The list prices the cost report multiplies by, and the durations it assumes. Every figure is
 * named in the report, and each can be overridden (`compile --prices <file.json>`, the
 * construct's `costPrices` prop).
 */
export interface CostPrices {
  /** The region the prices are for. */
  readonly region: string;
  /** Step Functions Standard: USD per 1,000 state transitions. */
  readonly stateTransitionsPer1000: number;
  /** Lambda: USD per 1,000,000 requests. */
  readonly lambdaRequestsPerMillion: number;
  /** Lambda on arm64 (what the construct deploys): USD per GB-second, first pricing tier. */
  readonly lambdaGbSecond: number;
  /** Memory of each function, in MiB (the construct's `memorySize`). */
  readonly memoryMb: number;
  /** Assumed billed duration of one operation function call, in ms: mostly the provider's answer time. */
  readonly operationMs: number;
  /** Assumed billed duration of one workflow function call (input validation, workflow steps), in ms: no network. */
  readonly workflowFunctionMs: number;
  /** Where the prices come from. */
  readonly source: string;
}

/**
 * Public list prices in us-east-1 (read from aws.amazon.com/step-functions/pricing and
 * aws.amazon.com/lambda/pricing, December 2026), free tiers left out. The durations are
 * assumptions, not measurements of a deployment: an operation call is dominated by the
 * provider's answer (250 ms is a typical sandbox API round trip from Lambda), the workflow
 * function only runs an input check (about 1 ms warm on this machine; 20 ms leaves room for a
 * cold container's share).
 */
export const DEFAULT_PRICES: CostPrices = {
  region: 'us-east-1',
  stateTransitionsPer1000: 0.025,
  lambdaRequestsPerMillion: 0.2,
  lambdaGbSecond: 0.0000133334,
  memoryMb: 256,
  operationMs: 250,
  workflowFunctionMs: 20,
  source: 'AWS public list prices (Step Functions Standard, Lambda arm64), free tiers excluded; durations assumed',
};

const MAX_PRICES_FILE_BYTES = 64 * 1024;
const NUMERIC_KEYS = ['stateTransitionsPer1000', 'lambdaRequestsPerMillion', 'lambdaGbSecond', 'memoryMb', 'operationMs', 'workflowFunctionMs'] as const;

/** The defaults with some figures replaced; an unknown key or a figure that is not a non-negative number is refused by name. */
export function withPrices(overrides: Readonly<Record<string, unknown>>, base: CostPrices = DEFAULT_PRICES): CostPrices {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides).filter(([, v]) => v !== undefined)) {
    if ((NUMERIC_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`prices: "${key}" must be a non-negative number`);
    } else if (key === 'region' || key === 'source') {
      if (typeof value !== 'string') throw new Error(`prices: "${key}" must be a string`);
    } else {
      throw new Error(`prices: unknown key "${key}" (known: region, source, ${NUMERIC_KEYS.join(', ')})`);
    }
    out[key] = value;
  }
  // Overridden prices are not the public list any more unless the file says where they come from.
  if (Object.keys(overrides).some((k) => k !== 'source' && k !== 'memoryMb') && overrides.source === undefined) out.source = 'overridden (prices file)';
  return out as unknown as CostPrices;
}

/** Reads a prices file: a JSON object of the `CostPrices` figures to override. */
export async function readPricesFile(file: string): Promise<CostPrices> {
  // A prices file is a few lines: anything else (a directory, a device, a large file) is refused before it is read.
  const info = await stat(file);
  if (!info.isFile() || info.size > MAX_PRICES_FILE_BYTES) throw new Error(`prices: ${file} must be a regular file of at most ${MAX_PRICES_FILE_BYTES} bytes`);
  const text = await readFile(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`prices: ${file} is not JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`prices: ${file} must hold a JSON object`);
  return withPrices(parsed as Record<string, unknown>);
}
