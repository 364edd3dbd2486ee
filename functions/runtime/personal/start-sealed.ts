import { invalidInputs } from '../../../core/errors.js';
import { EVENT_INPUT_KEY, inputsFromEvent } from '../../../core/event-input.js';
import type { WorkflowPlan } from '../../../core/plan.js';
import type { Sealer } from '../secrets/index.js';
import { sealPersonalInputs } from './seal-personal-inputs.js';

/**
 * How a trigger maps an event to execution inputs, as the construct's rule would have: the
 * event's `detail` as the inputs (`detail`), or constants (secret references included) beside
 * the JSON paths of the inputs read from the event (`paths`).
 */
export type TriggerMapping =
  | { readonly kind: 'detail' }
  | { readonly kind: 'paths'; readonly paths: Readonly<Record<string, string>>; readonly constants: Readonly<Record<string, unknown>> };

/** Starts an execution of the state machine (alias) with the given name and input text; false when that name already ran (a retried event). */
export type StartExecution = (name: string | undefined, input: string) => Promise<{ executionArn?: string; alreadyStarted?: boolean }>;

/** What invokes the starter: an EventBridge event, or a caller with the inputs in plain (`{"input": {...}, "name": "..."}`). */
export type StarterEvent = { readonly id?: string; readonly 'detail-type'?: string; readonly detail?: unknown } | { readonly input: unknown; readonly name?: string };

const isEventBridge = (e: StarterEvent): e is Extract<StarterEvent, { id?: string }> => typeof e === 'object' && e !== null && 'detail-type' in e;

/**
 * The starter function (issue 19 §4): EventBridge invokes it instead of starting the state
 * machine, so the event, which holds personal data in plain, never becomes an execution input
 * (on AWS the execution input is the history's first event, kept 90 days after the execution
 * closes). It picks the inputs from the event as the input check would, seals the personal ones,
 * and starts the execution through the alias with only those inputs. The execution is named after
 * the event id, so a retried delivery starts nothing twice. Nothing of the event is logged or
 * quoted: problems name paths, never values.
 */
export async function startSealed(plan: WorkflowPlan, event: StarterEvent, mapping: TriggerMapping, sealer: Sealer, start: StartExecution) {
  let inputs: unknown;
  let name: string | undefined;
  if (isEventBridge(event)) {
    name = typeof event.id === 'string' && /^[A-Za-z0-9_-]{1,80}$/.test(event.id) ? event.id : undefined;
    if (mapping.kind === 'detail') inputs = event.detail ?? {};
    else {
      const picked = inputsFromEvent({ ...mapping.constants, [EVENT_INPUT_KEY]: { paths: mapping.paths, event } });
      if (picked.problems.length) throw invalidInputs(`workflow ${plan.workflowId}: ${picked.problems.join('; ')}`);
      inputs = picked.inputs;
    }
  } else if (event && typeof event === 'object' && 'input' in event) {
    inputs = event.input;
    name = event.name;
  } else {
    throw invalidInputs(`workflow ${plan.workflowId}: the starter takes an EventBridge event or {"input": {...}, "name"?: "..."}`);
  }
  if (!inputs || typeof inputs !== 'object' || Array.isArray(inputs)) throw invalidInputs(`workflow ${plan.workflowId}: the execution input must be a JSON object of workflow inputs`);
  const sealed = await sealPersonalInputs(plan, inputs, sealer);
  return start(name, JSON.stringify(sealed));
}
