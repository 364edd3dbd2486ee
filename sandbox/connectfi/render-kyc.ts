import type { KycStatus } from './connectfi-scenario.js';
import type { CustomerRecord, KycRecord } from './connectfi-store.js';

/** The deprecated /customer/kyc flow runs on connectFi's `condor` backend, licence mode, as seed 003 shows. */
const KYC_SYSTEM = { system: 'condor', mode: 'licenseUSACondor' } as const;

/** The customer as connectFi returns it: business arrays empty for an individual, its arrays always present. */
export function renderCustomer(customer: CustomerRecord): Record<string, unknown> {
  const d = customer.details;
  return {
    reference: customer.reference,
    customerId: customer.customerId,
    customerType: customer.customerType,
    customer: {
      businessAddresses: [],
      businessPhones: [],
      ...d,
      addresses: d.addresses ?? [],
      phones: d.phones ?? [],
      identificationDocuments: d.identificationDocuments ?? [],
    },
    ...(customer.kyc ? { kycStatus: customer.kyc.status } : {}),
    boises: [],
    dtsCreatedAt: customer.createdAt,
  };
}

function renderKycProcess(status: KycStatus): Record<string, unknown> {
  // The sandbox opens no cards, so it never asks for card attributes.
  return { attributeCodes: [], ...KYC_SYSTEM, status };
}

/**
 * `data` of `kyc/init` and `kyc/status`. The licence images count as uploaded once the process
 * has moved past WAITING_DATA: the sandbox does not simulate the upload endpoint.
 */
export function renderKycData(customer: CustomerRecord, kyc: KycRecord): Record<string, unknown> {
  const uploaded = kyc.status !== 'WAITING_DATA';
  return {
    customer: renderCustomer(customer),
    kyc: renderKycProcess(kyc.status),
    kycDocumentList: kyc.documents.map((doc) => ({ ...doc, uploadStatus: uploaded, ...(uploaded ? { extension: 'png' } : {}) })),
  };
}

/** The webhook body declared under `webhooks: kycStatusChanged` in connectfi-kyc-openapi.yml. */
export function renderKycCallback(customer: CustomerRecord, status: KycStatus, requestId: string): Record<string, unknown> {
  return {
    code: '0',
    data: { customerId: customer.customerId, reference: customer.reference, kycStatus: status, kyc: renderKycProcess(status) },
    requestId,
  };
}
