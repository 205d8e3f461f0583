/**
 * The benchmark's object mix for N objects: a fifth each of telehealth profiles, routing rules (one per profile),
 * themes, web app branding packages and policy profiles (the rest).
 */
export interface Mix {
  readonly profiles: number;
  readonly themes: number;
  readonly brandings: number;
  readonly policies: number;
}

export function mixFor(n: number): Mix {
  const fifth = Math.floor(n / 5);
  return { profiles: fifth, themes: fifth, brandings: fifth, policies: n - 4 * fifth };
}

/** Objects in the mix (rules are one per profile). */
export function objectCount(mix: Mix): number {
  return 2 * mix.profiles + mix.themes + mix.brandings + mix.policies;
}

export const uuidFor = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
