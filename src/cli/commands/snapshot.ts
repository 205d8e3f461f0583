import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../api/errors';
import { loadDesiredSet, variantOf } from '../../engine/desired';
import { captureSnapshot, type SnapshotSummary, summariseSnapshot } from '../../snapshot/capture';
import { snapshotText } from '../../snapshot/format';
import { type Command, EXIT } from '../command';
import { desiredSetPath, OUTDIR } from '../desired-arg';
import { withClient } from '../with-client';

/** Checked before the node is read: a slow capture should not end in a path that cannot be written. */
function checkOut(out: string): void {
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`--out ${out}: the directory ${dir} does not exist.`, { field: '--out' });
  if (existsSync(out) && statSync(out).isDirectory()) throw new ConfigError(`--out ${out} is a directory; name the snapshot file.`, { field: '--out' });
}

function write(out: string, text: string): void {
  try {
    writeFileSync(out, text);
  } catch (error) {
    throw new ConfigError(`--out ${out}: cannot write the snapshot (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, { field: '--out' });
  }
}

function kB(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

function summaryText(summary: SnapshotSummary, address: string, file: string): string {
  const lines = [`Snapshot of ${address}${summary.version ? ` (Pexip Infinity ${summary.version})` : ''} written to ${file}: ${kB(summary.bytes)}, format ${summary.format}.`, 'Captured:'];
  lines.push(`  version: ${summary.version ?? '(not reported by the node)'}`);
  lines.push(`  telehealth licences: ${summary.licensing ? `${summary.licensing.telehealth_total} total, ${summary.licensing.telehealth_count} in use` : '(not reported by the node)'}`);
  const width = Math.max(...Object.keys(summary.kinds).map((k) => k.length));
  for (const [name, k] of Object.entries(summary.kinds)) {
    lines.push(`  ${name.padEnd(width)}  schema ${k.schemaBytes ? kB(k.schemaBytes) : '(none)'}, ${k.objects} object${k.objects === 1 ? '' : 's'} (${kB(k.objectBytes)})`);
  }
  lines.push('Left out:');
  for (const [name, k] of Object.entries(summary.kinds)) if (k.omitted.length > 0) lines.push(`  ${name}: ${k.omitted.join(', ')} (secret: values never read into the file)`);
  for (const what of summary.notRead) lines.push(`  ${what}`);
  return `${lines.join('\n')}\n`;
}

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'Read-only: save a Management Node\'s version, licence counts, and the schema and objects of every managed kind (no secret, no patient data) to a file, for `simulator --from-snapshot`.',
  positionals: [{ name: 'stack', description: 'Optional: a stack name or desired-set file whose connection settings to use.', required: false }],
  options: [{ name: 'out', type: 'string', value: '<file.json>', description: 'Where to write the snapshot (required).' }, OUTDIR],
  async run(context) {
    const out = context.args.options.out as string | undefined;
    if (!out) throw new ConfigError('--out <file.json> is required: where to write the snapshot.', { field: '--out' });
    checkOut(out);
    const arg = context.args.positionals[0];
    // The stack's own node (PEXIP_<VARIANT>_ADDRESS) when it has one, as for every command that takes a stack.
    const variant = arg !== undefined ? variantOf(loadDesiredSet(desiredSetPath(arg, context.args.options.outdir as string | undefined)).set) : undefined;
    return withClient(context, async (client) => {
      const snapshot = await captureSnapshot(client, (line) => context.log.info(line), context.stop);
      write(out, snapshotText(snapshot));
      const summary = summariseSnapshot(snapshot);
      context.out(context.json ? `${JSON.stringify({ file: out, address: client.address, ...summary })}\n` : summaryText(summary, client.address, out));
      return EXIT.ok;
    }, variant);
  },
};
