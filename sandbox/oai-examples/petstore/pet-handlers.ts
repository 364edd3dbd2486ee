import type { SandboxResponse } from '../../http/index.js';
import type { ExampleContext, ExampleHandler } from '../shared/start-example-sandbox.js';
import { bestCouponFor, COUPONS, PET_STATUSES, type PetRecord, type PetStatus } from './pet-catalogue.js';
import type { OrderRecord, OrderStatus, PetstoreStore } from './petstore-store.js';

/**
 * The two Petstore descriptions differ: the coupons one prices pets, pages `findByStatus` and
 * applies coupons to orders; the classic one does none of that.
 */
export type PetstoreFlavour = 'classic' | 'coupons';

type Ctx = ExampleContext<PetstoreStore, unknown>;
type Handler = ExampleHandler<PetstoreStore, unknown>;

const round2 = (n: number) => Math.round(n * 100) / 100;

function renderPet(pet: PetRecord, flavour: PetstoreFlavour): Record<string, unknown> {
  const { price, ...rest } = pet;
  return flavour === 'coupons' ? { ...rest, price } : rest;
}

function renderOrder(order: OrderRecord, flavour: PetstoreFlavour): Record<string, unknown> {
  const base = { id: order.id, petId: order.petId, quantity: order.quantity, shipDate: order.shipDate, status: order.status, complete: order.complete };
  return flavour === 'coupons' && order.couponCode !== undefined ? { ...base, couponCode: order.couponCode } : base;
}

type Found<T> = { readonly found: T } | { readonly error: SandboxResponse };

function findPet(ctx: Ctx): Found<PetRecord> {
  const id = ctx.request.path.petId as number;
  const pet = ctx.store.pets.get(id);
  return pet ? { found: pet } : { error: ctx.fail(404, 'not_found', 'Pet not found', `no pet with id ${id}`) };
}

/** A pet from a request body: JSON as validated, or form fields (strings) coerced by the validator. */
function petFields(body: Record<string, unknown>): Partial<PetRecord> {
  const fields: Partial<PetRecord> = {};
  if (typeof body.name === 'string') fields.name = body.name;
  if (Array.isArray(body.photoUrls)) fields.photoUrls = body.photoUrls.map(String);
  if (Array.isArray(body.tags)) fields.tags = body.tags as PetRecord['tags'];
  if (body.category && typeof body.category === 'object') fields.category = body.category as PetRecord['category'];
  if (typeof body.status === 'string' && (PET_STATUSES as readonly string[]).includes(body.status)) fields.status = body.status as PetStatus;
  if (typeof body.price === 'number') fields.price = body.price;
  return fields;
}

export function petHandlers(flavour: PetstoreFlavour): Record<string, Handler> {
  const findPetsByStatus: Handler = (ctx) => {
    const status = (ctx.request.query.status as string | undefined) ?? 'available';
    const matching = [...ctx.store.pets.values()].filter((p) => p.status === status).sort((a, b) => a.id - b.id);
    if (flavour === 'classic') return { status: 200, body: matching.map((p) => renderPet(p, flavour)) };
    const page = ctx.request.query.page as number;
    const pageSize = (ctx.request.query.pageSize as number | undefined) ?? 10;
    if (page < 1 || pageSize < 1) return ctx.fail(400, 'invalid_page', 'Invalid page', 'page and pageSize start at 1');
    const slice = matching.slice((page - 1) * pageSize, page * pageSize);
    return { status: 200, body: slice.map((p) => renderPet(p, flavour)) };
  };

  const findPetsByTags: Handler = (ctx) => {
    // The description says "comma separated strings" while declaring an exploded array: accept both.
    const raw = (ctx.request.query.tags as string[] | undefined) ?? [];
    const wanted = new Set(raw.flatMap((t) => t.split(',')).map((t) => t.trim().toLowerCase()).filter(Boolean));
    if (wanted.size === 0) return ctx.fail(400, 'invalid_tag', 'Invalid tag value', 'give at least one tag');
    const matching = [...ctx.store.pets.values()].filter((p) => p.tags.some((t) => wanted.has(t.name.toLowerCase()))).sort((a, b) => a.id - b.id);
    return { status: 200, body: matching.map((p) => renderPet(p, flavour)) };
  };

  const getPetById: Handler = (ctx) => {
    const pet = findPet(ctx);
    return 'error' in pet ? pet.error : { status: 200, body: renderPet(pet.found, flavour) };
  };

  const addPet: Handler = (ctx) => {
    const body = ctx.request.body as Record<string, unknown>;
    const fields = petFields(body);
    const requested = typeof body.id === 'number' ? body.id : undefined;
    if (requested !== undefined && ctx.store.pets.has(requested)) return ctx.fail(400, 'duplicate_id', 'Invalid input', `a pet with id ${requested} exists; use PUT /pet to update it`);
    const id = requested ?? ctx.store.nextPetId;
    ctx.store.nextPetId = Math.max(ctx.store.nextPetId, id + 1);
    const pet: PetRecord = { id, name: fields.name ?? '', photoUrls: fields.photoUrls ?? [], tags: fields.tags ?? [], status: fields.status ?? 'available', price: fields.price ?? 0, ...(fields.category ? { category: fields.category } : {}) };
    ctx.store.pets.set(id, pet);
    return { status: 200, body: renderPet(pet, flavour) };
  };

  const updatePet: Handler = (ctx) => {
    const body = ctx.request.body as Record<string, unknown>;
    if (typeof body.id !== 'number') return ctx.fail(400, 'invalid_id', 'Invalid ID supplied', 'the pet needs its id');
    const pet = ctx.store.pets.get(body.id);
    if (!pet) return ctx.fail(404, 'not_found', 'Pet not found', `no pet with id ${body.id}`);
    Object.assign(pet, petFields(body));
    return { status: 200, body: renderPet(pet, flavour) };
  };

  const updatePetWithForm: Handler = (ctx) => {
    const lookup = findPet(ctx);
    if ('error' in lookup) return lookup.error;
    const pet = lookup.found;
    const { name, status } = ctx.request.query as { name?: string; status?: string };
    if (status !== undefined && !(PET_STATUSES as readonly string[]).includes(status)) return ctx.fail(405, 'invalid_input', 'Invalid input', `status must be one of ${PET_STATUSES.join(', ')}`);
    if (name !== undefined) pet.name = name;
    if (status !== undefined) pet.status = status as PetStatus;
    return { status: 200, body: renderPet(pet, flavour) };
  };

  const deletePet: Handler = (ctx) => {
    const lookup = findPet(ctx);
    if ('error' in lookup) return lookup.error;
    const pet = lookup.found;
    ctx.store.pets.delete(pet.id);
    return { status: 200 };
  };

  const getPetCoupons: Handler = (ctx) => {
    const lookup = findPet(ctx);
    if ('error' in lookup) return lookup.error;
    const pet = lookup.found;
    const coupon = bestCouponFor(pet);
    if (!coupon) return ctx.fail(404, 'coupon_not_available', 'Coupon not available', `no coupon applies to pet ${pet.id}`);
    return { status: 200, body: { id: coupon.id, description: coupon.description, couponCode: coupon.couponCode } };
  };

  const placeOrder: Handler = (ctx) => {
    const body = (ctx.request.body ?? {}) as { petId?: number; quantity?: number; status?: OrderStatus; complete?: boolean; couponCode?: string };
    if (body.petId === undefined) return ctx.fail(400, 'invalid_input', 'Invalid input', 'the order needs a petId');
    const pet = ctx.store.pets.get(body.petId);
    if (!pet) return ctx.fail(400, 'invalid_input', 'Invalid input', `no pet with id ${body.petId}`);
    if (pet.status !== 'available') return ctx.fail(400, 'pet_not_available', 'Invalid input', `pet ${pet.id} is not available (it is ${pet.status})`);
    const quantity = body.quantity ?? 1;
    if (quantity < 1) return ctx.fail(400, 'invalid_input', 'Invalid input', 'quantity must be at least 1');
    let percentOff = 0;
    let couponCode: string | undefined;
    if (flavour === 'coupons' && body.couponCode !== undefined) {
      const coupon = COUPONS.find((c) => c.couponCode.toLowerCase() === body.couponCode!.toLowerCase());
      if (!coupon) return ctx.fail(400, 'invalid_coupon', 'Invalid input', `unknown coupon ${body.couponCode}`);
      if (!coupon.appliesTo(pet)) return ctx.fail(400, 'coupon_not_applicable', 'Invalid input', `coupon ${coupon.couponCode} does not apply to pet ${pet.id}`);
      percentOff = coupon.percentOff;
      couponCode = coupon.couponCode;
    }
    const listPrice = round2(pet.price * quantity);
    const order: OrderRecord = {
      id: ctx.store.nextOrderId++,
      petId: pet.id,
      quantity,
      status: body.status ?? 'placed',
      complete: body.complete ?? false,
      shipDate: new Date(ctx.now() + 2 * 86_400_000).toISOString(),
      ...(couponCode ? { couponCode } : {}),
      listPrice,
      percentOff,
      total: round2(listPrice * (1 - percentOff / 100)),
    };
    ctx.store.orders.set(order.id, order);
    // An ordered pet is held for its buyer until the order is delivered or deleted.
    pet.status = 'pending';
    return { status: 200, body: renderOrder(order, flavour) };
  };

  const findOrder = (ctx: Ctx): Found<OrderRecord> => {
    const id = ctx.request.path.orderId as number;
    const order = ctx.store.orders.get(id);
    return order ? { found: order } : { error: ctx.fail(404, 'not_found', 'Order not found', `no order with id ${id}`) };
  };

  const getOrderById: Handler = (ctx) => {
    const lookup = findOrder(ctx);
    return 'error' in lookup ? lookup.error : { status: 200, body: renderOrder(lookup.found, flavour) };
  };

  const deleteOrder: Handler = (ctx) => {
    const lookup = findOrder(ctx);
    if ('error' in lookup) return lookup.error;
    const order = lookup.found;
    ctx.store.orders.delete(order.id);
    const pet = ctx.store.pets.get(order.petId);
    if (pet && pet.status === 'pending' && order.status !== 'delivered') pet.status = 'available';
    return { status: 200 };
  };

  const getInventory: Handler = (ctx) => {
    const counts: Record<string, number> = {};
    for (const pet of ctx.store.pets.values()) counts[pet.status] = (counts[pet.status] ?? 0) + 1;
    return { status: 200, body: counts };
  };

  const common = { findPetsByStatus, findPetsByTags, getPetById, addPet, updatePet, updatePetWithForm, deletePet, placeOrder, getOrderById, deleteOrder };
  return flavour === 'coupons' ? { ...common, getPetCoupons } : { ...common, getInventory };
}
