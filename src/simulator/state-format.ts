import type { JsonObject, JsonValue } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import { InvalidStateError } from './errors';
import type { SimulatorData, StoredFile, StoredObject } from './store';

/**
 * The shape of an exported state (`GET /_simulator/state`), checked in full before an import replaces anything:
 * a state that is accepted must not break the API afterwards.
 */

const TOP_LEVEL = ['config', 'counters', 'status', 'history', 'licenceRequests'];
const OBJECT_FIELDS = ['key', 'data', 'files', 'builtIn'];

function describe(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value).slice(0, 40)}`;
}

function fail(path: string, expected: string, value: JsonValue | undefined): never {
  throw new InvalidStateError(`${path} must be ${expected} (got ${describe(value)}).`);
}

function objectAt(value: JsonValue | undefined, path: string): JsonObject {
  return isPlainObject(value) ? value : fail(path, 'an object', value);
}

function arrayOfObjects(value: JsonValue | undefined, path: string): JsonObject[] {
  if (!Array.isArray(value)) fail(path, 'an array of objects', value);
  value.forEach((item, i) => objectAt(item, `${path}[${i}]`));
  return value as JsonObject[];
}

function storedFile(value: JsonValue | undefined, path: string): StoredFile {
  const file = objectAt(value, path);
  if (typeof file.fileName !== 'string') fail(`${path}.fileName`, 'a string', file.fileName);
  if (typeof file.sha256 !== 'string') fail(`${path}.sha256`, 'a string', file.sha256);
  if (typeof file.size !== 'number' || !(file.size >= 0)) fail(`${path}.size`, 'a non-negative number', file.size);
  if (!Array.isArray(file.entries) || !file.entries.every((e) => typeof e === 'string')) fail(`${path}.entries`, 'an array of strings', file.entries);
  return file as unknown as StoredFile;
}

function storedObject(value: JsonValue, path: string): StoredObject {
  const object = objectAt(value, path);
  const unknown = Object.keys(object).filter((k) => !OBJECT_FIELDS.includes(k));
  if (unknown.length > 0) throw new InvalidStateError(`${path} has unknown field "${unknown[0]}" (known: ${OBJECT_FIELDS.join(', ')}).`);
  if (typeof object.key !== 'string' || object.key === '') fail(`${path}.key`, 'a non-empty string', object.key);
  objectAt(object.data, `${path}.data`);
  for (const [name, file] of Object.entries(objectAt(object.files, `${path}.files`))) storedFile(file, `${path}.files.${name}`);
  if (object.builtIn !== undefined && typeof object.builtIn !== 'boolean') fail(`${path}.builtIn`, 'true or false when present', object.builtIn);
  return object as unknown as StoredObject;
}

function monitoring(value: JsonValue | undefined, path: string): { conference: JsonObject[]; participant: JsonObject[] } {
  const lists = objectAt(value, path);
  return { conference: arrayOfObjects(lists.conference, `${path}.conference`), participant: arrayOfObjects(lists.participant, `${path}.participant`) };
}

/**
 * Checks `value` against the exported shape and returns a copy to use as the simulator's state. `resources` are the
 * configuration collections this simulator serves; `fresh` fills what an older or hand-written state leaves out
 * (a collection, a counter, status, history, licence requests). Counters are raised to the highest numeric key of their collection, so a new
 * object never reuses a key. Throws InvalidStateError naming the first thing wrong.
 */
export function parseState(value: JsonValue, resources: readonly string[], fresh: SimulatorData): SimulatorData {
  const state = isPlainObject(value) ? value : fail('state', 'an object as exported by GET /_simulator/state', value);
  const unknown = Object.keys(state).filter((k) => !TOP_LEVEL.includes(k));
  if (unknown.length > 0) throw new InvalidStateError(`state has unknown field "${unknown[0]}" (known: ${TOP_LEVEL.join(', ')}).`);
  const config: Record<string, StoredObject[]> = { ...fresh.config };
  for (const [resource, objects] of Object.entries(objectAt(state.config, 'state.config'))) {
    const path = `state.config.${resource}`;
    if (!resources.includes(resource)) throw new InvalidStateError(`${path}: "${resource}" is not a configuration resource of this simulator (known: ${resources.join(', ')}).`);
    if (!Array.isArray(objects)) fail(path, 'an array of objects', objects);
    const seen = new Set<string>();
    config[resource] = objects.map((item, i) => {
      const object = storedObject(item, `${path}[${i}]`);
      if (seen.has(object.key)) throw new InvalidStateError(`${path}[${i}].key "${object.key}" is used twice.`);
      seen.add(object.key);
      return object;
    });
  }
  const counters: Record<string, number> = { ...fresh.counters };
  for (const [name, count] of Object.entries(objectAt(state.counters, 'state.counters'))) {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) fail(`state.counters.${name}`, 'a non-negative integer', count);
    counters[name] = count;
  }
  for (const [resource, objects] of Object.entries(config)) {
    const highest = Math.max(0, ...objects.map((o) => (/^\d+$/.test(o.key) ? Number(o.key) : 0)));
    counters[resource] = Math.max(counters[resource] ?? 0, highest);
  }
  const parsed: SimulatorData = {
    config,
    counters,
    status: state.status === undefined ? fresh.status : monitoring(state.status, 'state.status'),
    history: state.history === undefined ? fresh.history : monitoring(state.history, 'state.history'),
    licenceRequests: state.licenceRequests === undefined ? fresh.licenceRequests : arrayOfObjects(state.licenceRequests, 'state.licenceRequests'),
  };
  return structuredClone(parsed);
}
