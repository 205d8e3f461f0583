import type { IConstruct } from 'constructs';
import type { ConfigError } from '../api/errors';
import { describeObject } from '../engine/desired';
import { kindByName, type KindName } from '../kinds';

/**
 * Synth errors name what the user wrote: the construct they created and the prop they set, never a wire field or a
 * construct some other construct made for them. Each construct knows its own props (an L2 knows which prop each wire
 * field, secret or derived value comes from); a construct that creates others (an L3) says how its children's props
 * map to its own, and an error climbs those mappings to the outermost construct that still has a prop for it.
 */

/** Where a value came from in the user's code. */
export interface PropSource {
  /** The prop, dotted for nested props (`secrets.encryptionKey`). */
  readonly prop: string;
  /** When the failing value was made from the prop rather than being the prop: what was made, e.g. "the patient OAuth2 redirect URL made from it". */
  readonly derived?: string;
}

/**
 * How a child's props map to its creator's props: child prop → own prop, or a `PropSource` when the child's value is
 * made from an own prop. A key also maps the props nested under it (`secrets` maps `secrets.encryptionKey`); the key
 * `*` maps every prop no other key maps, a `*` in its value standing for the child's prop (`{ '*': 'policy.*' }`).
 * A prop nothing maps is reported where it was set: on the child.
 */
export type PropMapping = { readonly [prop: string]: string | PropSource | undefined };

/** A synth error about a prop: `<construct path>: <prop>: <problem>`. */
export class PropError extends Error {
  constructor(
    /** Path of the construct the user created and set the prop on. */
    readonly constructPath: string,
    /** The prop as the user wrote it. */
    readonly prop: string,
    /** What is wrong with it. */
    readonly problem: string,
  ) {
    super(`${constructPath}: ${prop}: ${problem}`);
    this.name = 'PropError';
  }
}

const MAPPINGS = new WeakMap<IConstruct, Map<string, PropMapping>>();

/**
 * Declares, before creating the child `childId` of `parent`, how the child's props map to the parent's, so the
 * child's errors are reported on the parent with the parent's props. Returns `childId`, to pass to the child.
 */
export function reportChildProps(parent: IConstruct, childId: string, mapping: PropMapping): string {
  let children = MAPPINGS.get(parent);
  if (!children) MAPPINGS.set(parent, (children = new Map()));
  children.set(childId, mapping);
  return childId;
}

const own = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);

function mapProp(mapping: PropMapping | undefined, source: PropSource): PropSource | undefined {
  if (!mapping) return undefined;
  // The longest key that is the prop or a dotted prefix of it: `secrets.encryptionKey` before `secrets`.
  const key = Object.keys(mapping)
    .filter((k) => k !== '*' && mapping[k] !== undefined && (source.prop === k || source.prop.startsWith(`${k}.`)))
    .sort((a, b) => b.length - a.length)[0];
  const target = key !== undefined ? mapping[key] : own(mapping, '*') ? mapping['*'] : undefined;

  if (target === undefined) return undefined;
  const to: PropSource = typeof target === 'string' ? { prop: target } : target;
  const prop = key !== undefined ? `${to.prop}${source.prop.slice(key.length)}` : to.prop.replace('*', source.prop);
  // The innermost description wins: it names the value that actually failed.
  const derived = source.derived ?? to.derived;
  return derived !== undefined ? { prop, derived } : { prop };
}

/** Where a prop of the construct `id` in `scope` (which need not exist yet) is reported: construct path and prop. */
export function reportedAt(scope: IConstruct, id: string, source: PropSource | string): { path: string; source: PropSource } {
  let current: PropSource = typeof source === 'string' ? { prop: source } : source;
  let path = scope.node.path === '' ? id : `${scope.node.path}/${id}`;
  let parent: IConstruct | undefined = scope;
  let childId = id;
  while (parent) {
    const mapped = mapProp(MAPPINGS.get(parent)?.get(childId), current);
    if (!mapped) break;
    current = mapped;
    path = parent.node.path;
    childId = parent.node.id;
    parent = parent.node.scope;
  }
  return { path, source: current };
}

/** The error for a prop of the construct `id` in `scope`, reported where the user wrote the prop. */
export function propErrorAt(scope: IConstruct, id: string, source: PropSource | string, problem: string): PropError {
  const at = reportedAt(scope, id, source);
  return new PropError(at.path, at.source.prop, at.source.derived !== undefined ? `${at.source.derived}: ${problem}` : problem);
}

/** The error for a prop of `construct`, reported where the user wrote the prop. */
export function propErrorOf(construct: IConstruct, source: PropSource | string, problem: string): PropError {
  const scope = construct.node.scope;
  return scope ? propErrorAt(scope, construct.node.id, source, problem) : new PropError(construct.node.path, typeof source === 'string' ? source : source.prop, problem);
}

/** A declared object as the stack sees it: enough to report a desired-set error where the user declared it. */
export interface ReportingMember {
  readonly node: IConstruct['node'];
  readonly logicalId: string;
  toDesired(): { readonly kind: KindName; readonly id: string };
  /** The prop behind a wire field or desired-object option of this member. */
  sourceOf(field: string): PropSource;
}

/**
 * A desired-set error (which names an object by logical id and a wire field) as a synth error at the construct and
 * prop the user wrote. Other members the problem names are named by their construct paths too.
 */
export function desiredSetError(stackPath: string, members: readonly ReportingMember[], error: ConfigError): Error {
  const member = members.find((m) => m.logicalId === error.object);
  // Without a field there is no prop to name (and constructs cannot cause such errors): say it as the engine does.
  if (!member?.node.scope || error.field === undefined) return new Error(`${member?.node.path ?? stackPath}: ${error.message}`);
  const prefix = `${describeObject(member.toDesired())}, field ${error.field}: `;
  let problem = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  for (const other of members) {
    const mention = describeObject(other.toDesired());
    if (other.node.scope && problem.includes(mention)) {
      problem = problem.split(mention).join(reportedAt(other.node.scope, other.node.id, other.sourceOf(kindByName(other.toDesired().kind).naturalKey)).path);
    }
  }
  // "name \"X\" is also declared by …": the wire name would stand next to the prop it came from.
  if (problem.startsWith(`${error.field} `)) problem = problem.slice(error.field.length + 1);
  return propErrorAt(member.node.scope, member.node.id, member.sourceOf(error.field), problem);
}
