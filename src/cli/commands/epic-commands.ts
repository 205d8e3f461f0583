import { ConfigError } from '../../api/errors';
import { loadDesiredSet, variantOf } from '../../engine/desired';
import { checkSecrets } from '../../engine/secret-check';
import { generateEpicKey } from '../../epic/encryption-key';
import { activeAppointments, historicAppointments, type MonitoringReport, presentReport } from '../../epic/monitoring';
import { type Command, EXIT } from '../command';
import { desiredSetPath, OUTDIR, VARIANT_OPTION, variantOption } from '../desired-arg';
import { withClient } from '../with-client';

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'Generate an Epic encryption key as Pexip\'s pextelehealthkeygen does: random bytes, base64 (32 for AES-256-CBC, 16 for AES-128-CBC), printed as "value: <base64>".',
  positionals: [{ name: 'bytes', description: '32 (default) or 16', required: false }],
  options: [{ name: 'value-only', type: 'boolean', description: 'Print only the base64 key and a newline, e.g. export EPIC_PROD_ENCRYPTION_KEY=$(pexip-cdktf keygen --value-only).' }],
  async run({ args, json, out }) {
    const raw = args.positionals[0] ?? '32';
    if (raw !== '32' && raw !== '16') throw new ConfigError(`key size must be 32 (AES-256-CBC) or 16 (AES-128-CBC), not ${raw}.`, { field: 'bytes' });
    const valueOnly = Boolean(args.options['value-only']);
    if (valueOnly && json) throw new ConfigError('--value-only and --json do not go together: --json already gives the key alone in "value".', { field: '--value-only' });
    const bytes = Number(raw) as 32 | 16;
    const value = generateEpicKey(bytes);
    // The default stays byte-for-byte what pextelehealthkeygen prints, so instructions written for Pexip's tool hold.
    if (json) out(`${JSON.stringify({ value, bytes, algorithm: bytes === 32 ? 'AES-256-CBC' : 'AES-128-CBC', keyType: 'base64key' })}\n`);
    else out(valueOnly ? `${value}\n` : `value: ${value}\n`);
    return EXIT.ok;
  },
};

export const secretsCommand: Command = {
  name: 'secrets',
  summary: 'secrets check <stack>: resolve every secret reference of a synthesized stack; report missing, wrong-environment and malformed ones (never values).',
  positionals: [
    { name: 'action', description: 'check', required: true },
    { name: 'stack', description: 'Stack name (reads <outdir>/stacks/<stack>/pexip-desired.json) or a desired-set file', required: true },
  ],
  options: [OUTDIR],
  async run({ args, json, env, out, log }) {
    if (args.positionals[0] !== 'check') throw new ConfigError(`unknown secrets action "${args.positionals[0]}"; use check.`, { field: 'action' });
    const file = desiredSetPath(args.positionals[1], args.options.outdir as string | undefined);
    const { set, appDir } = loadDesiredSet(file);
    const report = checkSecrets(set, env, appDir);
    const problems = report.secrets.filter((s) => s.status !== 'ok');
    if (json) out(`${JSON.stringify(report)}\n`);
    else {
      out(`Secrets of stack "${set.stack}" (${set.environment}):\n`);
      for (const s of report.secrets) out(`  ${s.status === 'ok' ? 'ok     ' : 'PROBLEM'}  ${s.kind} "${s.object}" ${s.field} ← ${s.reference}${s.detail ? `: ${s.status}: ${s.detail}` : ''}\n`);
      if (report.secrets.length === 0) out('  (the stack references no secrets)\n');
      out(problems.length === 0 ? 'All secrets resolve.\n' : `${problems.length} problem${problems.length > 1 ? 's' : ''}.\n`);
    }
    for (const warning of report.warnings) log.warn(warning);
    return problems.length === 0 ? EXIT.ok : EXIT.error;
  },
};

/** `24h`, `7d`, `90m` before now, or an ISO date/time (UTC when it has no zone). */
export function parseTime(value: string, option: string, now: Date): Date {
  const relative = /^(\d+)([mhd])$/.exec(value);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd']);
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || !value.includes('T') ? value : `${value}Z`);
  if (Number.isNaN(date.getTime())) throw new ConfigError(`${option} must be an ISO date/time (2026-11-25T08:00) or an age (90m, 24h, 7d), not "${value}".`, { field: option });
  return date;
}

function minutes(seconds: number): string {
  return seconds >= 3600 ? `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m` : `${Math.round(seconds / 60)}m`;
}

function table(report: ReturnType<typeof presentReport>, address: string): string {
  const title = report.mode === 'active' ? `Active telehealth appointments at ${address}` : `Telehealth appointments that started ${report.since} – ${report.until} at ${address}`;
  const lines = [`${title}: ${report.appointments.length}`];
  if (report.appointments.length > 0) {
    const rows = [['START (UTC)', report.mode === 'active' ? 'RUNNING' : 'DURATION', 'PROFILE', 'APPOINTMENT ID', 'DEPARTMENT', 'PATIENT', 'PARTICIPANTS']];
    for (const a of report.appointments) {
      const extras = a.participants.filter((p) => p.role.startsWith('additional'));
      rows.push([
        a.startTime.replace('T', ' ').slice(0, 19),
        minutes(a.durationSeconds),
        a.profileName,
        a.appointmentId ?? '(not in name)',
        a.department ?? '(none)',
        a.patientName ?? '(not in name)',
        `${a.participants.length}${extras.length > 0 ? ` (group: ${extras.map((p) => `${p.role} ${p.name}`).join(', ')})` : ''}`,
      ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const row of rows) lines.push(`  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`);
  } else {
    lines.push(report.mode === 'active' ? '  No telehealth appointment is under way.' : '  No telehealth appointment started in this period.');
  }
  for (const p of report.templateProblems) lines.push(`Profile "${p.profileName}": ${p.problem}.`);
  if (report.unattributed.length > 0) {
    lines.push(`Conferences not attributed to a telehealth profile: ${report.unattributed.length}`);
    for (const u of report.unattributed) lines.push(`  ${u.conferenceId}  ${(report.phiShown ? u.name : u.maskedName) ?? ''}  (${u.reason})`);
    if (!report.phiShown) lines.push('  Their names are masked, every word cut to its first letter (they may hold patient names); --show-phi shows them.');
  }
  if (!report.phiShown && report.appointments.length > 0) lines.push('Patient names are masked; --show-phi shows them.');
  return `${lines.join('\n')}\n`;
}

export const appointmentsCommand: Command = {
  name: 'appointments',
  summary: 'List telehealth appointments: active ones (status API), or with --history those that started in a period (history API). Patient names masked unless --show-phi.',
  positionals: [],
  options: [
    { name: 'history', type: 'boolean', description: 'Ended appointments from the history API instead of active ones.' },
    { name: 'since', type: 'string', value: '<time|age>', description: 'With --history: start of the period (ISO UTC or age like 24h; default 24h).' },
    { name: 'until', type: 'string', value: '<time|age>', description: 'With --history: end of the period (default now).' },
    { name: 'show-phi', type: 'boolean', description: 'Show patient and participant names (PHI). Default: masked as initials.' },
    { name: 'stack', type: 'string', value: '<stack|desired.json>', description: 'Ask the node of this synthesized stack (its PEXIP_<VARIANT>_ADDRESS when set).' },
    VARIANT_OPTION,
    OUTDIR,
  ],
  async run(context) {
    const { args, json, out } = context;
    const now = new Date();
    const history = Boolean(args.options.history);
    if (!history && (args.options.since || args.options.until)) throw new ConfigError('--since and --until go with --history.', { field: '--since' });
    const since = parseTime((args.options.since as string | undefined) ?? '24h', '--since', now);
    const until = parseTime((args.options.until as string | undefined) ?? '0m', '--until', now);
    if (history && since >= until) throw new ConfigError('--since must be before --until.', { field: '--since' });
    const stack = args.options.stack as string | undefined;
    const variant = variantOption(args.options) ?? (stack ? variantOf(loadDesiredSet(desiredSetPath(stack, args.options.outdir as string | undefined)).set) : undefined);
    return withClient(context, async (client) => {
      const report: MonitoringReport = history ? await historicAppointments(client, since, until) : await activeAppointments(client, now);
      const shown = presentReport(report, Boolean(args.options['show-phi']));
      out(json ? `${JSON.stringify({ address: client.address, ...shown })}\n` : table(shown, client.address));
      return EXIT.ok;
    }, variant);
  },
};
