import { findDuplicateKey } from '../../src/util/json-keys';

describe('duplicate JSON keys', () => {
  it('finds the first duplicate with its path, through arrays, nesting and escaped quotes', () => {
    expect(findDuplicateKey('{"a": 1, "b": {"c": [1, {"d": 1, "d": 2}]}}')).toBe('b.c[1].d');
    expect(findDuplicateKey('{"objects": [{}, {"id": "x", "spec": {"na\\"me": 1, "na\\"me": 2}}]}')).toBe('objects[1].spec.na"me');
    expect(findDuplicateKey('{"a": 1, "a": 2}')).toBe('a');
  });

  it('accepts equal keys in different objects and keys that look like values', () => {
    expect(findDuplicateKey('{"a": {"x": 1}, "b": {"x": 1}, "c": ["a", "a"], "d": "a"}')).toBeUndefined();
    expect(findDuplicateKey('[{"k": 1}, {"k": 2}]')).toBeUndefined();
  });
});
