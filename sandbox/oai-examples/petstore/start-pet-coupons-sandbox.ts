import type { FaultRule } from '../../http/index.js';
import { startExampleSandbox, type ExampleSandbox, type ExampleSandboxOptions, type ExampleSimulator } from '../shared/start-example-sandbox.js';
import { petHandlers } from './pet-handlers.js';
import { createPetstoreStore, type OrderRecord, type PetstoreStore } from './petstore-store.js';
import { renderPetstoreError } from './render-petstore-error.js';

export const PET_COUPONS_OPENAPI_FILE = 'pet-coupons.openapi.yaml';

/** The coupons Petstore has nothing to choose per run but faults. */
export type PetCouponsScenario = Readonly<Record<string, never>>;

export interface PetCouponsSandboxOptions extends ExampleSandboxOptions<PetCouponsScenario> {
  readonly faults?: readonly FaultRule[];
}

export interface PetCouponsSandbox extends ExampleSandbox<PetstoreStore, PetCouponsScenario, PetCouponsScenario> {
  /** Orders as the store priced them (list price, coupon, total), which the API itself does not show. */
  readonly orders: readonly Readonly<OrderRecord>[];
}

/**
 * Starts the Petstore of the pet-coupons example: pets have prices and tags, some have a coupon
 * (`GET /pet/{petId}/coupons`), and an order applies its coupon only to a pet it is valid for.
 * The description has no servers, so it is served at the root. Its security schemes are not
 * enforced: the example's workflows send no credentials (nor does the public Petstore check them).
 */
export async function startPetCouponsSandbox(options: PetCouponsSandboxOptions = {}): Promise<PetCouponsSandbox> {
  const simulator: ExampleSimulator<PetstoreStore, PetCouponsScenario, PetCouponsScenario> = {
    title: 'Pet coupons',
    descriptions: [PET_COUPONS_OPENAPI_FILE],
    createStore: () => createPetstoreStore([]),
    resolveScenario: () => ({}),
    handlers: petHandlers('coupons'),
    renderError: renderPetstoreError,
  };
  const sandbox = await startExampleSandbox(simulator, options);
  return Object.defineProperty(sandbox, 'orders', { get: () => [...sandbox.store.orders.values()].map((o) => ({ ...o })), enumerable: true }) as PetCouponsSandbox;
}
