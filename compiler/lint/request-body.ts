import type { Diagnostic } from '../diagnostics/index.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import type { BoundDocument } from '../plan/bind-document.js';

/**
 * The request body against the operation's `requestBody`: an error when the operation requires
 * one and the step sends none (the provider rejects the call every time); a warning when the
 * operation declares none and the step sends one anyway (it may be a gap in the description).
 * Also a warning for a step bound to a `deprecated` operation.
 */
export function checkRequestBodies({ loaded, workflows }: BoundDocument, diagnostics: Diagnostic[]): void {
  const { source } = loaded;
  for (const workflow of workflows) {
    for (const { step, pointer: sp, operation: bound } of workflow.steps) {
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
      if (operation.deprecated) {
        diagnostics.push(
          diagnosticAt(source, `${sp}/${step.operationId !== undefined ? 'operationId' : 'operationPath'}`, 'deprecatedOperation', `step "${step.stepId}": operation ${name} is deprecated in source "${bound.source}"`, 'warning'),
        );
      }
    }
  }
}
