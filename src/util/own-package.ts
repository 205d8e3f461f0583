import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What this package's package.json says about itself. */
export interface OwnPackage {
  readonly name: string;
  readonly version: string;
  readonly peerDependencies: Readonly<Record<string, string>>;
  /** The package's root directory. */
  readonly root: string;
}

let cached: OwnPackage | undefined;

/**
 * This package's package.json: the nearest one above this file, so it is found from the sources (tests) and from the
 * compiled `dist/src/...` alike.
 */
export function ownPackage(): OwnPackage {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string; peerDependencies?: Record<string, string> };
      cached = { name: json.name, version: json.version, peerDependencies: json.peerDependencies ?? {}, root: dir };
      return cached;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}
