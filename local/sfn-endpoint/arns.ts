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
  const parsed = parseQualifiedStateMachineArn(arn);
  if (parsed.version !== undefined || parsed.alias !== undefined) throw sfnError('InvalidArn', `Invalid Arn: 'Qualified state machine ARN not valid in this context: ${arn}'`);
  return parsed;
}

/** AWS's alias names: letters, digits, `_`, `-` and `.`, not all digits (a number is a version). */
export const ALIAS_NAME = /^(?=.*[a-zA-Z_.-])[a-zA-Z0-9_.-]{1,80}$/;

/** A state machine ARN, or a version of one (`:stateMachine:<name>:<n>`), or an alias of one (`:stateMachine:<name>:<alias>`). */
export function parseQualifiedStateMachineArn(arn: string): ParsedStateMachineArn & { readonly version?: number; readonly alias?: string; readonly machineArn: string } {
  const { resourceType, rest } = split(arn);
  if (resourceType !== 'stateMachine') throw sfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${resourceType}'`);
  const colon = rest.indexOf(':');
  const name = colon < 0 ? rest : rest.slice(0, colon);
  if (!isValidName(name)) throw sfnError('InvalidArn', `Invalid Arn: 'Invalid resource name: ${rest}'`);
  if (colon < 0) return { arn, name, machineArn: arn };
  const qualifier = rest.slice(colon + 1);
  const machineArn = arn.slice(0, arn.length - qualifier.length - 1);
  if (ALIAS_NAME.test(qualifier)) return { arn, name, alias: qualifier, machineArn };
  if (!/^[1-9]\d{0,8}$/.test(qualifier)) throw sfnError('InvalidArn', `Invalid Arn: 'Invalid qualifier: ${rest}'`);
  return { arn, name, version: Number(qualifier), machineArn };
}

/** An Express execution's ARN, as AWS writes them (`:express:<machine>:<name>:<id>`). */
export const expressExecutionArn = (machineArn: string, name: string, id: string) => `${machineArn.replace(':stateMachine:', ':express:')}:${name}:${id}`;

export function parseExecutionArn(arn: string): ParsedExecutionArn {
  const { resourceType, rest } = split(arn);
  if (resourceType !== 'execution') throw sfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${resourceType}'`);
  const colon = rest.indexOf(':');
  const machine = rest.slice(0, colon);
  const name = rest.slice(colon + 1);
  if (colon < 0 || !isValidName(machine) || !isValidName(name)) throw sfnError('InvalidArn', `Invalid Arn: 'Invalid resource name: ${rest}'`);
  return { arn, stateMachineArn: arn.slice(0, arn.length - rest.length).replace(/:execution:$/, ':stateMachine:') + machine, stateMachineName: machine, name };
}
