import { formatExpression } from '../../core/expressions/index.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { BoundDocument } from '../plan/bind-document.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import { expressionSites } from './expression-sites.js';

const RESPONSE_KINDS = new Set(['statusCode', 'responseHeader', 'responseBody', 'messageHeader', 'messagePayload']);

/**
 * `$statusCode` or `$response.*` in a parameter or request body: they are evaluated while the
 * request is built, when no response exists yet, so the value is always missing. An earlier
 * step's response is read through its outputs (`$steps.<id>.outputs.<name>`).
 */
export function checkResponseBeforeRequest({ loaded }: BoundDocument, diagnostics: Diagnostic[]): void {
  for (const site of expressionSites(loaded.document)) {
    if (site.phase !== 'request') continue;
    for (const e of site.expressions) {
      if (!RESPONSE_KINDS.has(e.kind)) continue;
      diagnostics.push(
        diagnosticAt(
          loaded.source,
          site.pointer,
          'expressionReference',
          `${formatExpression(e)} is read while the request is built, before there is a response; read an earlier step's response through its outputs ($steps.<id>.outputs.<name>)`,
        ),
      );
    }
  }
}
