export interface AnimalRecord {
  readonly id: string;
  readonly name: string;
  readonly species: string;
  readonly enclosure: string;
  readonly admittedAt: string;
}

export interface ZooStore {
  readonly animals: Map<string, AnimalRecord>;
  /** Animals waiting to be admitted, first in line first. */
  readonly quarantine: { readonly name: string; readonly species: string }[];
  nextId: number;
}

const ENCLOSURES: Readonly<Record<string, string>> = {
  lion: 'Savannah',
  giraffe: 'Savannah',
  zebra: 'Savannah',
  okapi: 'Rainforest',
  'red panda': 'Bamboo Forest',
  penguin: 'Polar Coast',
};

/** Where a species lives; unknown species go to the quarantine enclosure until keepers decide. */
export function enclosureFor(species: string): string {
  return ENCLOSURES[species.trim().toLowerCase()] ?? 'Quarantine';
}

export function createZooStore(now: number): ZooStore {
  const admittedAt = new Date(now - 30 * 86_400_000).toISOString();
  const residents = [
    { name: 'Leo', species: 'Lion' },
    { name: 'Gina', species: 'Giraffe' },
    { name: 'Pip', species: 'Penguin' },
  ];
  const animals = new Map(residents.map((a, i) => [`ani_${i + 1}`, { id: `ani_${i + 1}`, ...a, enclosure: enclosureFor(a.species), admittedAt }]));
  return {
    animals,
    quarantine: [
      { name: 'Kibo', species: 'Okapi' },
      { name: 'Momo', species: 'Red Panda' },
      { name: 'Zara', species: 'Zebra' },
    ],
    nextId: residents.length + 1,
  };
}
