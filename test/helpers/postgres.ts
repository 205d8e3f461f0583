import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './terraform';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Postgres {
  /** A connection string for Terraform's pg backend. */
  readonly connStr: string;
  stop(): void;
}

function asPostgres(args: string[]): string {
  // PostgreSQL refuses to run as root; the machine has a postgres user for it.
  return execFileSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts a throw-away PostgreSQL 15 server (trust auth, user `tf`) on a free loopback port. */
export async function startPostgres(): Promise<Postgres> {
  const dir = tempDir('pexip-pg-');
  const data = join(dir, 'data');
  mkdirSync(data);
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  chownSync(data, uid, gid);
  asPostgres(['initdb', '-D', data, '-A', 'trust', '-U', 'tf']);
  const port = await freePort();
  asPostgres(['pg_ctl', '-D', data, '-w', '-l', join(dir, 'server.log'), '-o', `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir}`, 'start']);
  return {
    connStr: `postgres://tf@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop: () => {
      asPostgres(['pg_ctl', '-D', data, '-m', 'fast', '-w', 'stop']);
    },
  };
}
