import type { SandboxResponse } from '../../http/index.js';
import {
  domainRuleViolation,
  parameterError,
  resourceNotFound,
  validationErrors,
  type DomainRule,
  type FineractParameterError,
} from '../fineract-errors.js';
import type { MbanqContext, MbanqHandler } from '../mbanq-context.js';
import { clientKey, nextId, type AddressRecord, type ClientRecord, type ClientStatus, type KycVerificationType, type LocalDate } from '../mbanq-store.js';
import { compareDates, dateArray, FineractDateError, parseFineractDate, toLocalDate } from '../parse-fineract-date.js';

/** The sandbox's banking instances have one office. */
const OFFICES: Readonly<Record<number, string>> = { 1: 'Head Office' };

/** Code values of the "Customer Identifier" code. */
export const DOCUMENT_TYPES: Readonly<Record<number, string>> = { 1: 'Passport', 2: 'SSN', 3: 'ITIN', 4: "Driver's license", 5: 'National ID card' };

const STATUS: Readonly<Record<ClientStatus, { id: number; code: string; value: string }>> = {
  pending: { id: 100, code: 'clientStatusType.pending', value: 'Pending' },
  verified: { id: 200, code: 'clientStatusType.verified', value: 'Verified' },
  active: { id: 300, code: 'clientStatusType.active', value: 'Active' },
};
const VERIFIED_SUB_STATUS = { id: 1, code: 'clientSubStatusType.verified', value: 'Verified' };
const LEGAL_FORMS: Readonly<Record<number, { id: number; code: string; value: string }>> = {
  1: { id: 1, code: 'legalFormType.person', value: 'PERSON' },
  2: { id: 2, code: 'legalFormType.entity', value: 'ENTITY' },
};

const isResponse = (value: unknown): value is SandboxResponse => typeof (value as SandboxResponse).status === 'number';
const iso = (d: LocalDate) => `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

function findClient(ctx: MbanqContext): ClientRecord | SandboxResponse {
  const id = Number(ctx.request.path.clientId);
  const client = ctx.store.clients.get(clientKey(ctx.tenantId, id));
  return client ?? resourceNotFound('error.msg.client.id.invalid', `Client with identifier ${id} does not exist`, [id]);
}

function commandResult(client: ClientRecord, changes?: Record<string, unknown>, resourceId = client.id): Record<string, unknown> {
  return { officeId: client.officeId, clientId: client.id, resourceId, ...(changes ? { changes } : {}) };
}

function renderClient(client: ClientRecord): Record<string, unknown> {
  return {
    id: client.id,
    accountNo: String(client.id).padStart(9, '0'),
    ...(client.externalId !== undefined ? { externalId: client.externalId } : {}),
    officeId: client.officeId,
    officeName: OFFICES[client.officeId],
    status: STATUS[client.status],
    subStatus: client.kycVerificationType ? VERIFIED_SUB_STATUS : null,
    ...(client.kycVerificationType ? { kycVerificationType: client.kycVerificationType } : {}),
    active: client.status === 'active',
    firstname: client.firstname,
    ...(client.middlename !== undefined ? { middlename: client.middlename } : {}),
    lastname: client.lastname,
    displayName: [client.firstname, client.middlename, client.lastname].filter(Boolean).join(' '),
    ...(client.emailAddress !== undefined ? { emailAddress: client.emailAddress } : {}),
    ...(client.mobileNo !== undefined ? { mobileNo: client.mobileNo } : {}),
    legalForm: LEGAL_FORMS[client.legalFormId],
    timeline: {
      submittedOnDate: dateArray(client.submittedOn),
      ...(client.activatedOn ? { activatedOnDate: dateArray(client.activatedOn) } : {}),
    },
  };
}

interface DateMembers {
  readonly dateFormat?: string;
  readonly locale?: string;
}

/**
 * Reads the date members of a body as Fineract does: they need `dateFormat` and `locale`, and
 * none may lie in the future. Returns the dates, or the 400 listing every problem.
 */
function readDates<K extends string>(body: DateMembers & Partial<Record<K, string>>, names: readonly K[], resource: string, today: LocalDate): Partial<Record<K, LocalDate>> | SandboxResponse {
  const given = names.filter((n) => body[n] !== undefined);
  if (given.length === 0) return {};
  const errors: FineractParameterError[] = [];
  for (const member of ['dateFormat', 'locale'] as const) {
    if (!body[member]) errors.push(parameterError(member, `validation.msg.${resource}.${member}.cannot.be.blank`, `The parameter ${member} is mandatory when dates are sent.`));
  }
  if (errors.length) return validationErrors(errors);
  const dates: Partial<Record<K, LocalDate>> = {};
  for (const name of given) {
    try {
      const date = parseFineractDate(body[name]!, body.dateFormat!, body.locale!);
      if (compareDates(date, today) > 0) {
        errors.push(parameterError(name, `validation.msg.${resource}.${name}.is.greater.than.date`, `The parameter ${name} must not be in the future.`, body[name]));
      } else dates[name] = date;
    } catch (err) {
      if (!(err instanceof FineractDateError)) throw err;
      const param = err.culprit === 'value' ? name : err.culprit;
      errors.push(parameterError(param, `validation.msg.${resource}.${param}.is.invalid`, err.message, err.culprit === 'value' ? body[name] : body[err.culprit]));
    }
  }
  return errors.length ? validationErrors(errors) : dates;
}

interface ClientCreateBody extends DateMembers {
  officeId: number;
  legalFormId?: number;
  firstname: string;
  middlename?: string;
  lastname: string;
  externalId?: string;
  emailAddress?: string;
  mobileNo?: string;
  dateOfBirth?: string;
  submittedOnDate?: string;
  address?: (Omit<AddressRecord, 'isPrimary' | 'addressTypeId'> & { addressTypeId?: number; isPrimary?: boolean })[];
}

const createClient: MbanqHandler = (ctx) => {
  const body = ctx.request.body as ClientCreateBody;
  if (!OFFICES[body.officeId]) return resourceNotFound('error.msg.office.id.invalid', `Office with identifier ${body.officeId} does not exist`, [body.officeId]);
  const today = toLocalDate(ctx.now());
  const dates = readDates(body, ['dateOfBirth', 'submittedOnDate'], 'client', today);
  if (isResponse(dates)) return dates;
  const addresses = body.address ?? [];
  if (addresses.filter((a) => a.isPrimary === true).length > 1) {
    return validationErrors([parameterError('address', 'validation.msg.client.address.isPrimary.duplicate', 'Only one address can be primary.')]);
  }
  const anyPrimary = addresses.some((a) => a.isPrimary === true);
  const id = nextId(ctx.store, ctx.tenantId, 'client');
  const client: ClientRecord = {
    id,
    tenantId: ctx.tenantId,
    officeId: body.officeId,
    legalFormId: body.legalFormId ?? 1,
    firstname: body.firstname,
    middlename: body.middlename,
    lastname: body.lastname,
    externalId: body.externalId,
    emailAddress: body.emailAddress,
    mobileNo: body.mobileNo,
    dateOfBirth: dates.dateOfBirth,
    submittedOn: dates.submittedOnDate ?? today,
    // Without an explicit choice the first address is the primary one.
    addresses: addresses.map((a, i) => ({ ...a, addressTypeId: a.addressTypeId ?? 1, isPrimary: anyPrimary ? a.isPrimary === true : i === 0 })),
    identifiers: [],
    status: 'pending',
  };
  ctx.store.clients.set(clientKey(ctx.tenantId, id), client);
  ctx.stats.clientsCreated += 1;
  return { status: 200, body: commandResult(client) };
};

const getClient: MbanqHandler = (ctx) => {
  const client = findClient(ctx);
  return isResponse(client) ? client : { status: 200, body: renderClient(client) };
};

/** The KYC requirements of the sandbox's product configuration, in the order they are reported. */
function kycViolations(client: ClientRecord, level: KycVerificationType): DomainRule[] {
  const rules: DomainRule[] = [];
  const args = [client.id, level];
  if (level === 'FULL' && client.identifiers.length === 0) {
    rules.push({
      code: 'error.msg.clients.kyc.verification.identifier.missing',
      message: `Client ${client.id} has no identity document; FULL KYC verification needs one (${Object.values(DOCUMENT_TYPES).join(', ')}).`,
      args,
    });
  }
  if (level === 'FULL' && !client.addresses.some((a) => a.isPrimary)) {
    rules.push({ code: 'error.msg.clients.kyc.verification.primary.address.missing', message: `Client ${client.id} has no primary address; FULL KYC verification needs one.`, args });
  }
  if (!client.emailAddress) {
    rules.push({ code: 'error.msg.clients.kyc.verification.email.missing', message: `Client ${client.id} has no e-mail address; ${level} KYC verification needs one.`, args });
  }
  if (!client.mobileNo) {
    rules.push({ code: 'error.msg.clients.kyc.verification.mobile.missing', message: `Client ${client.id} has no mobile number; ${level} KYC verification needs one.`, args });
  }
  return rules;
}

const COMMAND_MEMBERS = { verify: ['kycVerificationType', 'note'], activate: ['activationDate', 'dateFormat', 'locale'] } as const;

/** The body passed the oneOf of both commands; it must also be the one of the command asked for. */
function commandBodyErrors(command: 'verify' | 'activate', body: Record<string, unknown>): SandboxResponse | undefined {
  const allowed: readonly string[] = COMMAND_MEMBERS[command];
  const errors = Object.keys(body)
    .filter((k) => !allowed.includes(k))
    .map((k) => parameterError(k, 'error.msg.parameter.unsupported', `The parameter ${k} is not supported by command ${command}.`));
  const required = command === 'verify' ? ['kycVerificationType'] : COMMAND_MEMBERS.activate;
  for (const name of required) {
    if (body[name] === undefined) errors.push(parameterError(name, `validation.msg.client.${name}.cannot.be.blank`, `The parameter ${name} is mandatory.`));
  }
  return errors.length ? validationErrors(errors) : undefined;
}

function alreadyActive(client: ClientRecord): SandboxResponse {
  return domainRuleViolation([{ code: 'error.msg.clients.already.active', message: `Client with identifier ${client.id} is already active.`, args: [client.id] }]);
}

function verify(ctx: MbanqContext, client: ClientRecord, body: { kycVerificationType: KycVerificationType; note?: string }): SandboxResponse {
  if (client.status === 'active') return alreadyActive(client);
  if (client.status === 'verified') {
    return domainRuleViolation([{ code: 'error.msg.clients.already.verified', message: `Client with identifier ${client.id} is already verified.`, args: [client.id] }]);
  }
  const violations = kycViolations(client, body.kycVerificationType);
  if (violations.length > 0) {
    ctx.stats.verificationsRefused += 1;
    return domainRuleViolation(violations);
  }
  client.status = 'verified';
  client.kycVerificationType = body.kycVerificationType;
  ctx.stats.verifications += 1;
  const changes = { status: STATUS.verified, subStatus: VERIFIED_SUB_STATUS, kycVerificationType: body.kycVerificationType, ...(body.note ? { note: body.note } : {}) };
  return { status: 200, body: commandResult(client, changes) };
}

function activate(ctx: MbanqContext, client: ClientRecord, body: { activationDate: string; dateFormat: string; locale: string }): SandboxResponse {
  if (client.status === 'active') return alreadyActive(client);
  if (client.status !== 'verified') {
    return domainRuleViolation([
      {
        code: 'error.msg.clients.activation.requires.verification',
        message: `Client ${client.id} is ${STATUS[client.status].value}: verify it (command=verify) before activating it, as block-activation-of-unverified-clients is enabled.`,
        args: [client.id],
      },
    ]);
  }
  const dates = readDates(body, ['activationDate'], 'client', toLocalDate(ctx.now()));
  if (isResponse(dates)) return dates;
  const activatedOn = dates.activationDate!;
  if (compareDates(activatedOn, client.submittedOn) < 0) {
    return domainRuleViolation([
      {
        code: 'error.msg.clients.submittedOnDate.after.activation.date',
        message: `Client ${client.id} cannot be activated on ${iso(activatedOn)}, before it was submitted on ${iso(client.submittedOn)}.`,
        args: [client.id, iso(activatedOn), iso(client.submittedOn)],
      },
    ]);
  }
  client.status = 'active';
  client.activatedOn = activatedOn;
  ctx.stats.activations += 1;
  const changes = { status: STATUS.active, locale: body.locale, dateFormat: body.dateFormat, activationDate: body.activationDate };
  return { status: 200, body: commandResult(client, changes) };
}

const clientCommand: MbanqHandler = (ctx) => {
  const client = findClient(ctx);
  if (isResponse(client)) return client;
  const command = ctx.request.query.command as 'verify' | 'activate';
  const body = ctx.request.body as Record<string, unknown>;
  const wrongBody = commandBodyErrors(command, body);
  if (wrongBody) return wrongBody;
  return command === 'verify' ? verify(ctx, client, body as never) : activate(ctx, client, body as never);
};

const createClientIdentifier: MbanqHandler = (ctx) => {
  const client = findClient(ctx);
  if (isResponse(client)) return client;
  const body = ctx.request.body as { documentTypeId: number; documentKey: string; description?: string };
  const type = DOCUMENT_TYPES[body.documentTypeId];
  if (!type) return resourceNotFound('error.msg.codevalue.id.invalid', `Code value with identifier ${body.documentTypeId} does not exist`, [body.documentTypeId]);
  if (client.identifiers.some((i) => i.documentTypeId === body.documentTypeId)) {
    return domainRuleViolation([{ code: 'error.msg.clientIdentifier.type.duplicate', message: `Client ${client.id} already has a ${type}.`, args: [client.id, type] }]);
  }
  // Document keys are unique per type within the banking instance: one passport, one person.
  for (const other of ctx.store.clients.values()) {
    if (other.tenantId !== ctx.tenantId || other.id === client.id) continue;
    if (other.identifiers.some((i) => i.documentTypeId === body.documentTypeId && i.documentKey === body.documentKey)) {
      return domainRuleViolation([
        { code: 'error.msg.clientIdentifier.identityKey.duplicate', message: `A ${type} with this document key is already recorded for another client.`, args: [type] },
      ]);
    }
  }
  const id = nextId(ctx.store, ctx.tenantId, 'identifier');
  client.identifiers.push({ id, clientId: client.id, documentTypeId: body.documentTypeId, documentKey: body.documentKey, description: body.description });
  ctx.stats.identifiersCreated += 1;
  return { status: 200, body: commandResult(client, undefined, id) };
};

export const clientHandlers: Readonly<Record<string, MbanqHandler>> = { createClient, getClient, clientCommand, createClientIdentifier };
