import type { AnyStepPlan, JsonValue } from '../../core/plan.js';
import type { ArazzoDocument } from '../validate/arazzo-schema.js';

/** `$sourceDescriptions.*` and `$components.*` values, for a step whose expressions read them. */
export function documentContextFor(document: ArazzoDocument, used: unknown): AnyStepPlan['documentContext'] {
  const text = JSON.stringify(used ?? null);
  const wantsSources = text.includes('$sourceDescriptions.');
  const wantsComponents = text.includes('$components.');
  if (!wantsSources && !wantsComponents) return undefined;
  return {
    ...(wantsSources
      ? { sourceDescriptions: Object.fromEntries(document.sourceDescriptions.map((d) => [d.name, { name: d.name, url: d.url, type: d.type ?? 'openapi' }])) }
      : {}),
    ...(wantsComponents ? { components: JSON.parse(JSON.stringify(document.components ?? {})) as Record<string, Record<string, JsonValue>> } : {}),
  };
}
