export type PetStatus = 'available' | 'pending' | 'sold';
export const PET_STATUSES: readonly PetStatus[] = ['available', 'pending', 'sold'];

export interface PetRecord {
  id: number;
  name: string;
  category?: { readonly id: number; readonly name: string };
  photoUrls: string[];
  tags: { readonly id: number; readonly name: string }[];
  status: PetStatus;
  /** List price; the coupons description shows it (`Pet.price`), the classic Petstore does not. */
  price: number;
}

export interface CouponRecord {
  readonly id: number;
  readonly couponCode: string;
  readonly description: string;
  readonly percentOff: number;
  /** Which pets the coupon may be used on. */
  readonly appliesTo: (pet: PetRecord) => boolean;
}

const DOGS = { id: 1, name: 'Dogs' };
const CATS = { id: 2, name: 'Cats' };
const FISH = { id: 3, name: 'Fish' };
const BIRDS = { id: 4, name: 'Birds' };
const RABBITS = { id: 5, name: 'Rabbits' };

const tag = (id: number, name: string) => ({ id, name });

/**
 * The store every Petstore simulator opens with: a few pets of each status, so searches by
 * status and by tag find something, and some pets that a coupon applies to and some it does not.
 */
export function seedPets(): PetRecord[] {
  const photo = (name: string) => [`https://petstore.example/photos/${name.toLowerCase()}.jpg`];
  return [
    { id: 1, name: 'Rex', category: DOGS, photoUrls: photo('Rex'), tags: [tag(1, 'puppy'), tag(2, 'dalmatian')], status: 'available', price: 450 },
    { id: 2, name: 'Lady', category: DOGS, photoUrls: photo('Lady'), tags: [tag(2, 'dalmatian')], status: 'available', price: 600 },
    { id: 3, name: 'Whiskers', category: CATS, photoUrls: photo('Whiskers'), tags: [tag(3, 'kitten')], status: 'available', price: 200 },
    { id: 4, name: 'Tom', category: CATS, photoUrls: photo('Tom'), tags: [tag(4, 'senior')], status: 'pending', price: 90 },
    { id: 5, name: 'Nemo', category: FISH, photoUrls: photo('Nemo'), tags: [tag(5, 'clownfish')], status: 'sold', price: 15 },
    { id: 6, name: 'Polly', category: BIRDS, photoUrls: photo('Polly'), tags: [tag(6, 'parrot')], status: 'available', price: 300 },
    { id: 7, name: 'Buddy', category: DOGS, photoUrls: photo('Buddy'), tags: [tag(1, 'puppy'), tag(7, 'labrador')], status: 'available', price: 500 },
    { id: 8, name: 'Snowball', category: RABBITS, photoUrls: photo('Snowball'), tags: [tag(8, 'bunny')], status: 'pending', price: 60 },
  ];
}

const hasTag = (pet: PetRecord, name: string) => pet.tags.some((t) => t.name.toLowerCase() === name);

/** Coupons of the coupons description: one for puppies, one for cats and birds. */
export const COUPONS: readonly CouponRecord[] = [
  { id: 1, couponCode: 'PUPPYLOVE', description: 'Puppy Love - 15% off any puppy!', percentOff: 15, appliesTo: (pet) => hasTag(pet, 'puppy') },
  {
    id: 2,
    couponCode: 'SUMMERSALE',
    description: 'Summer Sale - 10% off!',
    percentOff: 10,
    appliesTo: (pet) => pet.category?.name === 'Cats' || pet.category?.name === 'Birds',
  },
];

/** The best coupon for a pet (largest discount), if any applies. */
export function bestCouponFor(pet: PetRecord): CouponRecord | undefined {
  return COUPONS.filter((c) => c.appliesTo(pet)).sort((a, b) => b.percentOff - a.percentOff)[0];
}
