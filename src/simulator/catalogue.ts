import { KINDS } from '../kinds';
import type { JsonObject, KindSpec } from '../kinds/types';
import { EXTRA_COLLECTIONS } from './store';

/**
 * The resource kinds one simulator instance serves. Every part of the simulator asks its catalogue, never the shared
 * registry in src/kinds, so that an instance can behave like another real node (other enum choices, other maximum
 * lengths, missing fields, more resources) by being given other kind descriptions.
 */
export interface KindCatalogue {
  /** Kinds served with full configuration-API semantics, in root-map order. */
  readonly kinds: readonly KindSpec[];
  /** Collections served read-only as seeded reference targets (system locations, SIP proxies, …). */
  readonly extraCollections: readonly string[];
  /** The kind serving this resource name, or undefined for an extra collection or an unknown name. */
  find(name: string): KindSpec | undefined;
  /** The node's own `schema/` answer for a kind, served as it is; absent: generated from the kind's description. */
  schema?(name: string): JsonObject | undefined;
  /** Fields of a kind whose values this simulator cannot check (a node type it has no check for). */
  unchecked?(name: string): ReadonlySet<string>;
}

/** A catalogue over the given kinds; by default the project's shared kind descriptions. */
export function kindCatalogue(kinds: readonly KindSpec[] = KINDS, extraCollections: readonly string[] = EXTRA_COLLECTIONS): KindCatalogue {
  const byName = new Map(kinds.map((kind) => [kind.name, kind]));
  return { kinds, extraCollections, find: (name) => byName.get(name) };
}

/** The kind of this name; a missing one is a programming error in the simulator, not a client's mistake. */
export function requireKind(catalogue: KindCatalogue, name: string): KindSpec {
  const kind = catalogue.find(name);
  if (!kind) throw new Error(`simulator: resource kind "${name}" is not in this simulator's catalogue`);
  return kind;
}

/** Every resource name served under configuration/v1: the kinds, then the seeded collections. */
export function resourceNames(catalogue: KindCatalogue): string[] {
  return [...catalogue.kinds.map((k) => k.name), ...catalogue.extraCollections];
}
