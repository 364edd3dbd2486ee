import type { SandboxExchange, SandboxResponse } from '../http/index.js';
import type { FintectureStore } from './fintecture-store.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page `meta.url` points at: in production Fintecture's hosted connect flow where the payer
 * picks a bank; here a read-only summary, so the URL a workflow hands out leads somewhere real.
 */
export function renderConnectPage(exchange: SandboxExchange, store: FintectureStore): SandboxResponse | undefined {
  const id = /^\/connect\/([0-9a-f]{32})$/.exec(exchange.path)?.[1];
  if (exchange.method !== 'GET' || !id) return undefined;
  const payment = store.payments.get(id);
  if (!payment) return undefined;
  const { amount, currency, communication } = payment.attributes as Record<string, string>;
  const text = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fintecture sandbox payment</title></head>
<body><h1>Fintecture sandbox</h1>
<p>Payment session <code>${escapeHtml(id)}</code>: ${escapeHtml(`${amount} ${currency}`)}, “${escapeHtml(String(communication ?? ''))}”.</p>
<p>This simulator has no payer journey; the session settles as its scenario says.</p></body></html>
`;
  return { status: 200, text, contentType: 'text/html; charset=utf-8' };
}
