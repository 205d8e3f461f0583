import { execFileSync } from 'node:child_process';
import { symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { ConfigError } from '../../src/api/errors';
import { formatBytes, readBoundedFile, readBoundedText } from '../../src/util/read-file';
import { tempDir } from '../helpers/terraform';

const dir = tempDir('pexip-read-file-');
const opts = { source: 'PEXIP_CA_FILE', maxBytes: 1024 };

function refusal(path: string, options: Parameters<typeof readBoundedFile>[1] = opts): ConfigError {
  try {
    readBoundedFile(path, options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${path} to be refused`);
}

describe('readBoundedFile', () => {
  it('reads a regular file up to the cap, the cap included, and through a symlink', () => {
    writeFileSync(join(dir, 'small.pem'), 'hello');
    writeFileSync(join(dir, 'exact.pem'), Buffer.alloc(1024, 0x41));
    symlinkSync(join(dir, 'small.pem'), join(dir, 'link.pem'));
    expect(readBoundedFile(join(dir, 'small.pem'), opts).toString()).toBe('hello');
    expect(readBoundedFile(join(dir, 'exact.pem'), opts)).toHaveLength(1024);
    expect(readBoundedText(join(dir, 'link.pem'), opts)).toBe('hello');
    writeFileSync(join(dir, 'empty.pem'), '');
    expect(readBoundedFile(join(dir, 'empty.pem'), opts)).toHaveLength(0);
  });

  it('refuses a file over the cap, naming the source, the path, the cap and the size, with the hint', () => {
    writeFileSync(join(dir, 'big.pem'), Buffer.alloc(1025));
    const error = refusal(join(dir, 'big.pem'), { ...opts, sizeHint: 'A CA bundle is a few KiB.' });
    expect(error.field).toBe('PEXIP_CA_FILE');
    expect(error.message).toBe(`PEXIP_CA_FILE names a file larger than 1 KiB: ${join(dir, 'big.pem')} (1.1 KiB). A CA bundle is a few KiB.`);
    writeFileSync(join(dir, 'sparse.bin'), '');
    truncateSync(join(dir, 'sparse.bin'), 8 * 1024 * 1024 * 1024);
    expect(refusal(join(dir, 'sparse.bin'), { source: '--state', maxBytes: 64 * 1024 * 1024 }).message).toBe(
      `--state names a file larger than 64 MiB: ${join(dir, 'sparse.bin')} (8192 MiB).`,
    );
  });

  it('reads a file whose reported size is 0 to its end, still within the cap (as /proc files are)', () => {
    const status = `/proc/${process.pid}/status`;
    expect(readBoundedText(status, { source: 'X', maxBytes: 1024 * 1024 })).toMatch(/^Name:/);
    expect(refusal(status, { source: 'X', maxBytes: 16 }).message).toBe(`X names a file larger than 16 bytes: ${status} (more than 16 bytes).`);
  });

  it.each([
    ['/dev/zero', '/dev/zero is a character device'],
    ['/dev/null', '/dev/null is a character device'],
  ])('refuses the device %s', (path, what) => {
    expect(refusal(path).message).toBe(`PEXIP_CA_FILE must name a regular file, but ${what}.`);
  });

  it('refuses a symlink to a device, showing where it leads', () => {
    symlinkSync('/dev/zero', join(dir, 'zero.pem'));
    expect(refusal(join(dir, 'zero.pem')).message).toBe(`PEXIP_CA_FILE must name a regular file, but ${join(dir, 'zero.pem')} (→ /dev/zero) is a character device.`);
  });

  it('refuses a FIFO at once instead of waiting for a writer', () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const started = Date.now();
    expect(refusal(join(dir, 'fifo')).message).toBe(`PEXIP_CA_FILE must name a regular file, but ${join(dir, 'fifo')} is a named pipe (FIFO).`);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses a directory and a socket', async () => {
    expect(refusal(dir).message).toBe(`PEXIP_CA_FILE must name a regular file, but ${dir} is a directory.`);
    const socket = join(dir, 'sock');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expect(refusal(socket).message).toBe(`PEXIP_CA_FILE must name a regular file, but ${socket} is a socket.`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says why a path cannot be read', () => {
    expect(refusal(join(dir, 'missing.pem')).message).toBe(`PEXIP_CA_FILE names a file that cannot be read: ${join(dir, 'missing.pem')} (ENOENT).`);
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.pem'));
    expect(refusal(join(dir, 'dangling.pem')).message).toBe(`PEXIP_CA_FILE names a file that cannot be read: ${join(dir, 'dangling.pem')} (ENOENT).`);
  });

  it('rejects a cap that is not a byte count (a programming error, not a user one)', () => {
    expect(() => readBoundedFile(join(dir, 'small.pem'), { source: 'X', maxBytes: 1.5 })).toThrow(RangeError);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [512, '512 bytes'],
    [1024, '1 KiB'],
    [1025, '1.1 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024, '1 MiB'],
    [2.5 * 1024 * 1024, '2.5 MiB'],
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
