import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { writeZip } from '../util/zip';

/** A theme or branding package as synthesized: its bytes and hash, copied next to the desired set. */
export interface PackageContent {
  readonly content: Buffer;
  readonly sha256: string;
  /** File name in the stack directory: `pexip-packages/<sha256>.zip`. */
  readonly path: string;
  /** Where it came from, for messages. */
  readonly source: string;
}

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name);
      return statSync(full).isDirectory() ? files(full) : [full];
    });
}

/**
 * Reads a package from a ZIP file, or packages a directory deterministically (sorted entries, fixed timestamps), so
 * the same content always has the same hash and an unchanged theme is never uploaded again. Relative paths are
 * relative to `base` (the app directory), not to whatever directory the command was started from.
 */
export function loadPackage(options: { packageFile?: string; packageDirectory?: string }, base: string): PackageContent {
  let content: Buffer;
  let source: string;
  if (options.packageDirectory !== undefined) {
    const dir = resolve(base, options.packageDirectory);
    source = options.packageDirectory;
    content = writeZip(files(dir).map((file) => ({ name: relative(dir, file).split(sep).join('/'), content: readFileSync(file) })));
  } else {
    source = options.packageFile!;
    content = readFileSync(resolve(base, options.packageFile!));
  }
  const sha256 = createHash('sha256').update(content).digest('hex');
  return { content, sha256, path: `pexip-packages/${sha256}.zip`, source: basename(source) };
}
