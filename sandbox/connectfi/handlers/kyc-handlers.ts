import { isResponse, type ConnectFiHandler } from '../connectfi-context.js';
import type { KycDocumentRecord, KycRecord } from '../connectfi-store.js';
import { makeConnectFiId } from '../make-connectfi-id.js';
import { planKycProcess, scheduleKycSteps } from '../plan-kyc-process.js';
import { renderKycCallback, renderKycData } from '../render-kyc.js';

interface KycInitBody {
  customerId: string;
  webhookURL?: string;
  syncMode?: boolean | null;
}

/** A process that waits for data asks for the driver licence, front and back, as in seed 003. */
function documentsFor(waitsForData: boolean): KycDocumentRecord[] {
  if (!waitsForData) return [];
  return [
    { id: makeConnectFiId('doc'), label: 'LICENSE FRONT', type: 'LICENSE', documentSide: 'FRONT' },
    { id: makeConnectFiId('doc'), label: 'LICENSE BACK', type: 'LICENSE', documentSide: 'BACK' },
  ];
}

/**
 * Starts (or restarts: connectFi lets KYC run again on a customer) the process. The plan is fixed
 * now from the customer's tags over the scenario. `syncMode` is accepted and changes nothing:
 * the process is asynchronous either way.
 */
const initCustomerKyc: ConnectFiHandler = (ctx) => {
  const body = ctx.request.body as KycInitBody;
  if (body.webhookURL !== undefined && !URL.canParse(body.webhookURL)) {
    // JSON Schema's `uri` and the WHATWG URL parser the callbacks go through disagree on a few edge cases.
    const problem = { instancePath: '/webhookURL', schemaPath: '#/properties/webhookURL/format', keyword: 'format', params: { format: 'uri' }, message: 'must match format "uri"' };
    return ctx.fail(400, 'requestValidateError', undefined, [problem]);
  }
  const customer = ctx.findCustomer(body.customerId);
  if (isResponse(customer)) return customer;
  const plan = planKycProcess(ctx.scenario.kyc, customer.tags);
  const kyc: KycRecord = {
    status: plan.sequence[0],
    plan,
    documents: documentsFor(plan.sequence.includes('WAITING_DATA')),
    startedAt: new Date(ctx.now()).toISOString(),
  };
  customer.kyc = kyc;
  ctx.stats.kycProcessesStarted += 1;
  ctx.kyc.start({
    customerId: customer.customerId,
    plan,
    steps: scheduleKycSteps(plan),
    webhookUrl: body.webhookURL,
    apply: (status) => {
      kyc.status = status;
    },
    render: (status, requestId) => renderKycCallback(customer, status, requestId),
  });
  return ctx.ok(renderKycData(customer, kyc));
};

const getCustomerKycStatus: ConnectFiHandler = (ctx) => {
  const customer = ctx.findCustomer(String(ctx.request.path.customerId));
  if (isResponse(customer)) return customer;
  if (!customer.kyc) {
    return ctx.fail(400, 'kycNotFound', 'No KYC process has been started for this customer.', { customerId: customer.customerId });
  }
  return ctx.ok(renderKycData(customer, customer.kyc));
};

export const kycHandlers: Readonly<Record<string, ConnectFiHandler>> = { initCustomerKyc, getCustomerKycStatus };
