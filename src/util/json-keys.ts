/**
 * JSON.parse keeps the last of two equal keys silently, so `{"adopt": false, "adopt": true}` would adopt without a
 * reviewer noticing. This scan finds the first duplicate key in a JSON text (already known to parse) and returns
 * its path, e.g. `objects[2].spec.name`, or undefined when every object's keys are unique.
 */
export function findDuplicateKey(text: string): string | undefined {
  interface Frame {
    readonly keys?: Set<string>;
    index: number;
    key?: string;
  }
  const stack: Frame[] = [];
  const path = () =>
    stack
      .map((f, i) => (f.keys ? (f.key === undefined ? '' : `${i > 0 ? '.' : ''}${f.key}`) : `[${f.index}]`))
      .join('');
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const frame = stack[stack.length - 1];
      if (expectKey && frame?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (frame.keys.has(key)) {
          frame.key = key;
          return path();
        }
        frame.keys.add(key);
        frame.key = key;
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push({ keys: new Set(), index: 0 });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const frame = stack[stack.length - 1];
      if (frame?.keys) expectKey = true;
      else if (frame) frame.index++;
    }
  }
  return undefined;
}
