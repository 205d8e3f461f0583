import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../../api/errors';
import type { JsonValue } from '../../kinds/types';
import type { Entitlement } from '../../simulator/licensing';
import { MAX_DAY_COUNT } from '../../simulator/appointment-input';
import { MAX_LATENCY_MS } from '../../simulator/latency';
import { DEFAULT_ENTITLEMENTS } from '../../simulator/licensing';
import { InvalidStateError, PexipSimulator, SimulatorInputError, type SimulatorOptions } from '../../simulator/server';
import { type NodeModel, snapshotNode } from '../../simulator/node-model';
import { type NodeVariant, parseVariant, VARIANTS } from '../../simulator/variants';
import { parseSnapshot } from '../../snapshot/format';
import type { Command } from '../command';
import { EXIT } from '../command';

/** A named variant, or one read from a JSON file. */
function variantOption(value: string | undefined): NodeVariant | undefined {
  if (value === undefined) return undefined;
  if (Object.prototype.hasOwnProperty.call(VARIANTS, value)) return VARIANTS[value];
  if (!value.endsWith('.json')) throw new ConfigError(`--variant must be one of ${Object.keys(VARIANTS).join(', ')}, or a .json file (got "${value}").`, { field: '--variant' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(readOption(value, '--variant').toString('utf8'));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`--variant ${value} is not valid JSON.`, { field: '--variant' });
  }
  try {
    return parseVariant(parsed, `--variant ${value}`);
  } catch (error) {
    if (error instanceof SimulatorInputError) throw new ConfigError(error.message, { field: '--variant' });
    throw error;
  }
}

/** The node a snapshot file describes (`pexip-cdktf snapshot`), checked before anything listens. */
function snapshotOption(path: string | undefined): NodeModel | undefined {
  if (path === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readOption(path, '--from-snapshot').toString('utf8'));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`--from-snapshot ${path} is not valid JSON.`, { field: '--from-snapshot' });
  }
  return snapshotNode(parseSnapshot(parsed, `--from-snapshot ${path}`));
}

function readOption(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, { field: option });
  }
}

/** The certificate and key, checked to form a usable pair now rather than failing inside the server. */
function tlsMaterial(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const cert = readOption(certFile, '--tls-cert');
  const key = readOption(keyFile, '--tls-key');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const reason = (error as Error).message.replace(/^error:[0-9a-f]+:/i, '');
    throw new ConfigError(`--tls-cert ${certFile} and --tls-key ${keyFile} are not a usable PEM certificate and private key (${reason}).`, { field: '--tls-cert' });
  }
  return { cert, key };
}

function oauthClients(values: readonly string[] | undefined): Record<string, string> {
  return Object.fromEntries(
    pairs(values, '--oauth-client').map(([id, file]) => {
      const pem = readOption(file, '--oauth-client').toString('utf8');
      try {
        createPublicKey(pem);
      } catch {
        throw new ConfigError(`--oauth-client ${id}: ${file} is not a PEM public key.`, { field: '--oauth-client' });
      }
      return [id, pem];
    }),
  );
}

/** One clear line for the ways listening can fail; anything else is a bug and keeps its stack. */
function listenError(error: unknown, port: number, host: string): unknown {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return new ConfigError(`port ${port} is already in use; choose another --port or 0 for a free one.`, { field: '--port' });
    case 'EACCES':
      return new ConfigError(`not allowed to listen on port ${port} (ports below 1024 need privileges); choose another --port or 0 for a free one.`, { field: '--port' });
    case 'EADDRNOTAVAIL':
      return new ConfigError(`--host ${host} is not an address of this machine.`, { field: '--host' });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError(`--host ${host} cannot be resolved.`, { field: '--host' });
    default:
      return error;
  }
}

function readState(path: string): JsonValue {
  const text = readOption(path, '--state').toString('utf8');
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new ConfigError(`--state ${path} is not JSON (${(error as Error).message}).`, { field: '--state' });
  }
}

function latencyOption(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_LATENCY_MS) {
    throw new ConfigError(`--${flag} must be an integer from 0 to ${MAX_LATENCY_MS} (got ${String(value)}).`, { field: `--${flag}` });
  }
  return value;
}

function pairs(values: readonly string[] | undefined, option: string): [string, string][] {
  return (values ?? []).map((value) => {
    const at = value.indexOf('=');
    if (at <= 0) throw new ConfigError(`${option} takes NAME=VALUE (got "${value}").`, { field: option });
    return [value.slice(0, at), value.slice(at + 1)];
  });
}

function entitlements(values: readonly string[] | undefined): Record<string, Entitlement> {
  const extra = pairs(values, '--entitlement').map(([key, spec]): [string, Entitlement] => {
    const match = /^(telehealth|port|system):(\d+)$/.exec(spec);
    if (!match) throw new ConfigError(`--entitlement ${key}=… must be telehealth:<count>, port:<count> or system:<count>.`, { field: '--entitlement' });
    return [key.replace(/\s+/g, ''), { product: match[1] as Entitlement['product'], concurrent: Number(match[2]) }];
  });
  return { ...DEFAULT_ENTITLEMENTS, ...Object.fromEntries(extra) };
}

export const simulatorCommand: Command = {
  name: 'simulator',
  summary: 'Run a local Pexip Infinity management-API simulator until stopped (Ctrl-C).',
  stoppable: true,
  positionals: [],
  options: [
    { name: 'port', type: 'number', value: '<port>', description: 'TCP port (default 0: a free port).' },
    { name: 'host', type: 'string', value: '<address>', description: 'Listen address (default 127.0.0.1).' },
    { name: 'username', type: 'string', value: '<name>', description: 'Basic-auth user (default admin).' },
    { name: 'password', type: 'string', value: '<password>', description: 'Basic-auth password (default $PEXIP_SIMULATOR_PASSWORD or pexip-simulator).' },
    { name: 'oauth-client', type: 'string', value: '<id>=<public.pem>', repeatable: true, description: 'Register an OAuth2 client with its EC public key.' },
    { name: 'token-lifetime', type: 'number', value: '<seconds>', description: 'OAuth2 token lifetime (default 3600).' },
    { name: 'disable-basic', type: 'boolean', description: 'Accept OAuth2 tokens only.' },
    { name: 'tls-cert', type: 'string', value: '<cert.pem>', description: 'Serve HTTPS with this certificate (needs --tls-key).' },
    { name: 'tls-key', type: 'string', value: '<key.pem>', description: 'Private key for --tls-cert.' },
    { name: 'secret-read-mode', type: 'string', value: 'encrypted|blank|omit', description: 'How secret fields read back (default encrypted).' },
    { name: 'referenced-delete', type: 'string', value: 'protect|set-null', description: 'Deleting a referenced object: refuse (default) or clear references.' },
    { name: 'entitlement', type: 'string', value: '<key>=telehealth:<n>', repeatable: true, description: 'Accept another licence entitlement key.' },
    { name: 'appointments', type: 'number', value: '<count>', description: 'Seed a realistic day with this many appointments.' },
    { name: 'state', type: 'string', value: '<state.json>', description: 'Start from exported state (GET /_simulator/state).' },
    { name: 'read-latency-ms', type: 'number', value: '<ms>', description: 'Delay every management-API read (GET) by this much (default 0).' },
    { name: 'write-latency-ms', type: 'number', value: '<ms>', description: 'Delay every write (POST/PUT/PATCH/DELETE) before it commits (default 0).' },
    { name: 'latency-jitter-ms', type: 'number', value: '<ms>', description: 'Add up to this much more, at random, to every request (default 0).' },
    { name: 'variant', type: 'string', value: '<name|file.json>', description: `Behave like another real node: ${Object.keys(VARIANTS).join(', ')}, or a JSON file {"version", "kinds", "themeUuids"}.` },
    { name: 'from-snapshot', type: 'string', value: '<snapshot.json>', description: 'Be a twin of the node a `pexip-cdktf snapshot` was taken of: its version, licence counts, objects and schema-driven validation.' },
  ],
  async run({ args, json, env, log, out, stopped }) {
    const o = args.options;
    const secretReadMode = (o['secret-read-mode'] as string | undefined) ?? 'encrypted';
    if (!['encrypted', 'blank', 'omit'].includes(secretReadMode)) throw new ConfigError('--secret-read-mode must be encrypted, blank or omit.', { field: '--secret-read-mode' });
    const referencedDelete = (o['referenced-delete'] as string | undefined) ?? 'protect';
    if (!['protect', 'set-null'].includes(referencedDelete)) throw new ConfigError('--referenced-delete must be protect or set-null.', { field: '--referenced-delete' });
    if (Boolean(o['tls-cert']) !== Boolean(o['tls-key'])) throw new ConfigError('--tls-cert and --tls-key go together.', { field: '--tls-cert' });
    const port = (o.port as number | undefined) ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('--port must be 0-65535.', { field: '--port' });
    const latency = {
      readMs: latencyOption(o['read-latency-ms'], 'read-latency-ms'),
      writeMs: latencyOption(o['write-latency-ms'], 'write-latency-ms'),
      jitterMs: latencyOption(o['latency-jitter-ms'], 'latency-jitter-ms'),
    };
    const state = o.state ? readState(o.state as string) : undefined;
    const host = (o.host as string | undefined) ?? '127.0.0.1';
    if (o.variant !== undefined && o['from-snapshot'] !== undefined) throw new ConfigError('--variant and --from-snapshot exclude each other: a snapshot describes the whole node.', { field: '--from-snapshot' });
    const node = snapshotOption(o['from-snapshot'] as string | undefined);
    const appointments = o.appointments as number | undefined;
    if (appointments !== undefined && !(Number.isInteger(appointments) && appointments >= 1 && appointments <= MAX_DAY_COUNT)) {
      throw new ConfigError(`--appointments must be an integer from 1 to ${MAX_DAY_COUNT}.`, { field: '--appointments' });
    }
    const options: SimulatorOptions = {
      port,
      host,
      onWarning: (message) => log.warn(message),
      users: { [(o.username as string | undefined) ?? 'admin']: (o.password as string | undefined) ?? env.PEXIP_SIMULATOR_PASSWORD ?? 'pexip-simulator' },
      oauthClients: oauthClients(o['oauth-client'] as string[] | undefined),
      tokenLifetimeSeconds: o['token-lifetime'] as number | undefined,
      disableBasic: Boolean(o['disable-basic']),
      tls: o['tls-cert'] ? tlsMaterial(o['tls-cert'] as string, o['tls-key'] as string) : undefined,
      secretReadMode: secretReadMode as 'encrypted' | 'blank' | 'omit',
      referencedDelete: referencedDelete as 'protect' | 'set-null',
      entitlements: entitlements(o.entitlement as string[] | undefined),
      latency,
      variant: variantOption(o.variant as string | undefined),
      node,
    };
    const simulator = await PexipSimulator.start(options).catch((error: unknown) => {
      throw listenError(error, port, host);
    });
    if (state !== undefined) {
      try {
        simulator.importState(state);
      } catch (error) {
        await simulator.stop();
        if (error instanceof InvalidStateError) throw new ConfigError(`--state ${o.state as string}: ${error.message}`, { field: '--state' });
        throw error;
      }
    }
    if (appointments !== undefined) simulator.addRealisticDay({ count: appointments });
    out(json ? `${JSON.stringify({ url: simulator.url })}\n` : `listening on ${simulator.url}\n`);
    await stopped;
    await simulator.stop();
    return EXIT.ok;
  },
};
