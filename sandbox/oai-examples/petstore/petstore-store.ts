import { seedPets, type PetRecord } from './pet-catalogue.js';

export type OrderStatus = 'placed' | 'approved' | 'delivered';

export interface OrderRecord {
  readonly id: number;
  readonly petId: number;
  readonly quantity: number;
  status: OrderStatus;
  complete: boolean;
  readonly shipDate: string;
  readonly couponCode?: string;
  /** What the order costs: list price × quantity, less the coupon. */
  readonly listPrice: number;
  readonly percentOff: number;
  readonly total: number;
}

export interface UserRecord {
  readonly id: number;
  readonly username: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  password: string;
  phone?: string;
  userStatus?: number;
}

export interface SessionRecord {
  readonly username: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

export interface PetstoreStore {
  readonly pets: Map<number, PetRecord>;
  readonly orders: Map<number, OrderRecord>;
  readonly users: Map<string, UserRecord>;
  readonly sessions: Map<string, SessionRecord>;
  nextPetId: number;
  nextOrderId: number;
  nextUserId: number;
  /** Successful logins, per user. */
  readonly logins: Map<string, number>;
}

/** The user the classic Petstore documents in its examples (`theUser` / `12345`). */
export const DEFAULT_PETSTORE_USERS: readonly Omit<UserRecord, 'id'>[] = [
  { username: 'theUser', firstName: 'John', lastName: 'James', email: 'john@email.com', password: '12345', phone: '12345', userStatus: 1 },
];

export function createPetstoreStore(users: readonly Omit<UserRecord, 'id'>[] = DEFAULT_PETSTORE_USERS): PetstoreStore {
  const pets = new Map(seedPets().map((p) => [p.id, p]));
  return {
    pets,
    orders: new Map(),
    users: new Map(users.map((u, i) => [u.username, { ...u, id: i + 1 }])),
    sessions: new Map(),
    nextPetId: Math.max(...pets.keys()) + 1,
    // Order ids start high so a test never confuses one with a pet id.
    nextOrderId: 1001,
    nextUserId: users.length + 1,
    logins: new Map(),
  };
}
