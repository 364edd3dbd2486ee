import type { Diagnostic } from '../diagnostics/index.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import type { BoundDocument } from '../plan/bind-document.js';

/**
 * The request body against the operation's `requestBody`: an error when the operation requires
 * one and the step sends none (the provider rejects the call every time); a warning when the
 * operation declares none and the step sends one anyway (it may be a gap in the description).
 * Also a warning for a step bound to a `deprecated` operation.
 */
/** The methods Arazzo names (after RFC 9110 §9.3) where a request body "does not have well-defined semantics". */
const BODY_UNDEFINED = new Set(['GET', 'HEAD', 'DELETE']);

export function checkRequestBodies({ loaded, workflows }: BoundDocument, diagnostics: Diagnostic[]): void {
  const { source } = loaded;
  for (const workflow of workflows) {
    for (const { step, pointer: sp, operation: bound, channel } of workflow.steps) {
      if (!bound) continue;
      const { operation } = bound;
      const name = operation.operationId ?? `${operation.method} ${operation.path}`;
      const sendsBody = step.requestBody?.payload !== undefined;
      if (operation.requestBody?.required && !sendsBody) {
        const types = Object.keys(operation.requestBody.content ?? {});
        diagnostics.push(
          diagnosticAt(
            source,
            step.requestBody ? `${sp}/requestBody` : sp,
            'missingRequestBody',
            `step "${step.stepId}": operation ${name} requires a request body${types.length ? ` (${types.join(', ')})` : ''} and the step sends none`,
          ),
        );
      }
      if (!operation.requestBody && step.requestBody) {
        diagnostics.push(
          diagnosticAt(source, `${sp}/requestBody`, 'unexpectedRequestBody', `step "${step.stepId}": operation ${name} declares no request body; the step's body is sent anyway`, 'warning'),
        );
      }
      // Arazzo § Step Object, requestBody: for GET, HEAD and DELETE, where RFC 9110 gives a body no defined semantics, "its use SHOULD be avoided if possible".
      // An AsyncAPI step's "operation" is its channel, with no HTTP method of its own; a body the operation does not declare is ASFN2008's.
      if (step.requestBody && operation.requestBody && !channel && BODY_UNDEFINED.has(operation.method.toUpperCase())) {
        diagnostics.push(
          diagnosticAt(
            source,
            `${sp}/requestBody`,
            'requestBodyMethod',
            `step "${step.stepId}": operation ${name} is a ${operation.method.toUpperCase()}, for which a request body has no defined semantics (RFC 9110 §9.3); Arazzo says its use should be avoided, as servers and proxies may drop or refuse it`,
            'warning',
          ),
        );
      }
      if (operation.deprecated) {
        diagnostics.push(
          diagnosticAt(source, `${sp}/${step.operationId !== undefined ? 'operationId' : 'operationPath'}`, 'deprecatedOperation', `step "${step.stepId}": operation ${name} is deprecated in source "${bound.source}"`, 'warning'),
        );
      }
    }
  }
}
