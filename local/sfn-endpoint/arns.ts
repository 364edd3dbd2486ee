import { sfnError } from './errors.js';

/** Where the endpoint's resources live: written into every ARN it hands out. */
export interface ArnScope {
  readonly region: string;
  readonly account: string;
}

export const DEFAULT_SCOPE: ArnScope = { region: 'us-east-1', account: '000000000000' };

export const stateMachineArn = (scope: ArnScope, name: string) => `arn:aws:states:${scope.region}:${scope.account}:stateMachine:${name}`;

export const executionArn = (machineArn: string, name: string) => `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;

export const defaultRoleArn = (scope: ArnScope) => `arn:aws:iam::${scope.account}:role/arazzo-sfn-local`;

/**
 * Step Functions names: 1–80 characters, none of whitespace, brackets, wildcards, the special
 * characters " # % \ ^ | ~ ` $ & , ; : / and control characters (the documented rule).
 */
export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !/[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/.test(name);
}

export interface ParsedStateMachineArn {
  readonly arn: string;
  readonly name: string;
}

export interface ParsedExecutionArn {
  readonly arn: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly name: string;
}

const ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):([A-Za-z]+):(.*)$/;

function split(arn: string): { resourceType: string; rest: string } {
  if (!arn.startsWith('arn:')) throw sfnError('InvalidArn', `Invalid Arn: 'Invalid ARN prefix: ${arn}'`);
  const m = ARN.exec(arn);
  if (!m) throw sfnError('InvalidArn', `Invalid Arn: 'Invalid ARN format: ${arn}'`);
  return { resourceType: m[4], rest: m[5] };
}

export function parseStateMachineArn(arn: string): ParsedStateMachineArn {
  const { resourceType, rest } = split(arn);
  if (resourceType !== 'stateMachine') throw sfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${resourceType}'`);
  // Versions and aliases (`:stateMachine:<name>:<qualifier>`) are not kept by this endpoint.
  if (!isValidName(rest)) throw sfnError('InvalidArn', `Invalid Arn: 'Invalid resource name: ${rest}'`);
  return { arn, name: rest };
}

export function parseExecutionArn(arn: string): ParsedExecutionArn {
  const { resourceType, rest } = split(arn);
  if (resourceType !== 'execution') throw sfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${resourceType}'`);
  const colon = rest.indexOf(':');
  const machine = rest.slice(0, colon);
  const name = rest.slice(colon + 1);
  if (colon < 0 || !isValidName(machine) || !isValidName(name)) throw sfnError('InvalidArn', `Invalid Arn: 'Invalid resource name: ${rest}'`);
  return { arn, stateMachineArn: arn.slice(0, arn.length - rest.length).replace(/:execution:$/, ':stateMachine:') + machine, stateMachineName: machine, name };
}
