import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type DescribeExecutionCommandOutput, type HistoryEvent } from '@aws-sdk/client-sfn';
import { DEFAULT_FINTECTURE_CLIENTS } from '../../../../sandbox/index.js';
import type { SfnEndpoint } from '../../../../local/sfn-endpoint/index.js';

export const ROOT = join(import.meta.dirname, '../../../..');
export const WORKFLOWS_DIR = join(ROOT, 'workflows/arazzo');

/**
 * The real SDK client, pointed at the endpoint with made-up credentials (the endpoint checks no
 * signature). `disableHostPrefix` for StartSyncExecution and TestState, whose host AWS prefixes with `sync-`.
 */
export function sfnClient(endpoint: Pick<SfnEndpoint, 'url' | 'region'>, options: { disableHostPrefix?: boolean } = {}): SFNClient {
  return new SFNClient({
    ...options,
    endpoint: endpoint.url,
    region: endpoint.region,
    credentials: { accessKeyId: 'AKIDLOCALENDPOINT', secretAccessKey: 'local-endpoint-secret' },
    // An error must reach the test as the endpoint sent it, not after retries.
    maxAttempts: 1,
  });
}

/** A fresh folder for one test file's database; removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; db: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-endpoint-'));
  return { dir, db: join(dir, 'endpoint.db'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Mints a Customers-scoped token from the endpoint's Fintecture sandbox and stores it as secret `name`, as seed 000's inputs expect. */
export async function mintCustomersToken(endpoint: SfnEndpoint, name = 'customersToken'): Promise<void> {
  const [clientId, clientSecret] = Object.entries(DEFAULT_FINTECTURE_CLIENTS)[0];
  const res = await fetch(`${endpoint.sandboxes!.fintecture.url}/oauth/accesstoken`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'customer', client_id: clientId, client_secret: clientSecret }).toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`the sandbox refused the token request (${res.status})`);
  endpoint.secrets.set(name, body.access_token);
}

/** Polls DescribeExecution until the execution leaves RUNNING. */
export async function waitForEnd(client: SFNClient, executionArn: string, timeoutMs = 20_000): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every event of an execution, page by page as a client follows nextToken; also how many pages it took. */
export async function pageHistory(
  client: SFNClient,
  executionArn: string,
  options: { maxResults?: number; reverseOrder?: boolean; includeExecutionData?: boolean } = {},
): Promise<{ events: HistoryEvent[]; pages: number; pageSizes: number[] }> {
  const events: HistoryEvent[] = [];
  const pageSizes: number[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, ...options, nextToken }));
    events.push(...(page.events ?? []));
    pageSizes.push(page.events?.length ?? 0);
    nextToken = page.nextToken;
    if (pageSizes.length > 1_000) throw new Error('GetExecutionHistory keeps returning a nextToken');
  } while (nextToken);
  return { events, pages: pageSizes.length, pageSizes };
}

/** Seed 000's inputs, the token by reference (see test/integration/support/seed-harness.ts). */
export function seed000Input(email: string): Record<string, unknown> {
  return { accessToken: 'secret:customersToken', firstName: 'Jane', lastName: 'Doe', email, providerId: 'cmcifrpp', expectedName: 'Jane Doe' };
}
