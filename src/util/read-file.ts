import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { ConfigError } from '../api/errors';

/**
 * Reading a file whose name came from a user (an environment variable or a command-line option) without letting that
 * name hurt the process. `readFileSync('/dev/zero')` allocates until Node aborts with `std::bad_alloc`; a FIFO blocks
 * the (synchronous) read forever, so not even SIGTERM gets through; a multi-gigabyte file does the first slowly. This
 * reader accepts regular files only (after following symlinks) and never holds more than a caller-given cap.
 *
 * ```ts
 * const pem = readBoundedFile(env.PEXIP_CA_FILE, { source: 'PEXIP_CA_FILE', maxBytes: 1024 * 1024 });
 * const text = readBoundedText(options.state, { source: '--state', maxBytes: 64 * 1024 * 1024 });
 * ```
 *
 * Every refusal is a {@link ConfigError} whose `field` is `source` and whose message names `source`, the path and,
 * for size, the cap, e.g. `PEXIP_CA_FILE names a file larger than 1 MiB: /etc/big.pem (5 MiB). …`.
 */
export interface BoundedReadOptions {
  /** What named the file, as the user wrote it: `PEXIP_CA_FILE`, `--state`, `EPIC_PROD_KEY_FILE`. */
  readonly source: string;
  /** Largest size accepted, in bytes. Pick one well above any real file, well below memory trouble. */
  readonly maxBytes: number;
  /** Appended to the size refusal, to say what a sensible file looks like (e.g. "a CA bundle is a few KiB"). */
  readonly sizeHint?: string;
}

/**
 * `1 MiB`, `64 KiB`, `512 bytes`: sizes as a person reads them. Rounded up to one decimal, so that a size over a cap
 * never reads as the cap itself ("larger than 1 KiB: … (1.1 KiB)", not "(1.0 KiB)").
 */
export function formatBytes(bytes: number): string {
  const unit = (size: number, name: string) => {
    const value = bytes / size;
    return `${Number.isInteger(value) ? value : (Math.ceil(value * 10) / 10).toFixed(1)} ${name}`;
  };
  if (bytes >= 1024 * 1024) return unit(1024 * 1024, 'MiB');
  if (bytes >= 1024) return unit(1024, 'KiB');
  return `${bytes} bytes`;
}

function describeType(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function unreadable(source: string, path: string, error: unknown): ConfigError {
  return new ConfigError(`${source} names a file that cannot be read: ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, { field: source });
}

/**
 * The whole content of a regular file of at most `maxBytes` bytes. Refuses, with a {@link ConfigError} naming
 * `options.source`: a missing or unreadable path, anything but a regular file once symlinks are followed, and a
 * file larger than the cap (also one that grows past it while being read).
 */
export function readBoundedFile(path: string, options: BoundedReadOptions): Buffer {
  const { source, maxBytes } = options;
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError(`readBoundedFile: maxBytes must be a non-negative integer, not ${maxBytes}`);
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    throw unreadable(source, path, error);
  }
  const shown = real === path ? path : `${path} (→ ${real})`;
  const notRegular = (stats: Stats) => new ConfigError(`${source} must name a regular file, but ${shown} is ${describeType(stats)}.`, { field: source });
  let fd: number;
  try {
    // Checked before opening too: opening a socket fails with an errno that would hide what the path really is.
    const stats = statSync(real);
    if (!stats.isFile()) throw notRegular(stats);
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before fstat could refuse it.
    fd = openSync(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw unreadable(source, path, error);
  }
  try {
    // fstat on the open descriptor, not stat on the name: what we check is what we read.
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notRegular(stats);
    const tooBig = (size: string) =>
      new ConfigError(`${source} names a file larger than ${formatBytes(maxBytes)}: ${shown} (${size}).${options.sizeHint ? ` ${options.sizeHint}` : ''}`, { field: source });
    if (stats.size > maxBytes) throw tooBig(formatBytes(stats.size));
    // Read at most one byte past the cap: enough to notice a file that grew, or whose size the kernel under-reports
    // (as for /proc files), without ever holding more than the cap.
    let buffer = Buffer.alloc(Math.min(maxBytes + 1, stats.size + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw tooBig(`more than ${formatBytes(maxBytes)}`);
        const grown = Buffer.alloc(Math.min(maxBytes + 1, Math.max(buffer.length * 2, 64 * 1024)));
        buffer.copy(grown);
        buffer = grown;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) throw tooBig(`more than ${formatBytes(maxBytes)}`);
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw unreadable(source, path, error);
  } finally {
    closeSync(fd);
  }
}

/** {@link readBoundedFile} decoded as UTF-8. */
export function readBoundedText(path: string, options: BoundedReadOptions): string {
  return readBoundedFile(path, options).toString('utf8');
}
