import { ConfigError } from '../api/errors';

/** A command-line option of one command. */
export interface OptionSpec {
  readonly name: string;
  readonly type: 'string' | 'number' | 'boolean';
  readonly description: string;
  /** Placeholder shown in help, e.g. `<port>`. */
  readonly value?: string;
  readonly repeatable?: boolean;
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
}

export interface ParsedArgs {
  readonly options: Readonly<Record<string, string | number | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** Options every command takes. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'Machine-readable output on stdout (progress still goes to stderr).' },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

/** Parses `--name value`, `--name=value`, `--flag`, `--no-flag` and positionals; unknown options are errors. */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], positionals: readonly PositionalSpec[]): ParsedArgs {
  const all = [...specs, ...COMMON_OPTIONS];
  const options: Record<string, string | number | boolean | string[] | undefined> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    // `-h` is what people type first; read as a positional it became a file name or a key size.
    if (arg === '-h') {
      options.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const negated = rawName.startsWith('no-') && all.some((s) => s.name === rawName.slice(3) && s.type === 'boolean');
    const name = negated ? rawName.slice(3) : rawName;
    const spec = all.find((s) => s.name === name);
    if (!spec) throw new ConfigError(`unknown option --${rawName}; see --help.`, { field: `--${rawName}` });
    if (spec.type === 'boolean') {
      if (inline !== undefined && !['true', 'false'].includes(inline)) throw new ConfigError(`--${name} takes no value (or =true/=false).`, { field: `--${name}` });
      options[name] = negated ? false : inline !== 'false';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new ConfigError(`--${name} needs a value ${spec.value ?? ''}.`.trimEnd(), { field: `--${name}` });
    let parsed: string | number = value;
    if (spec.type === 'number') {
      parsed = Number(value);
      if (value.trim() === '' || !Number.isFinite(parsed)) throw new ConfigError(`--${name} must be a number (got "${value}").`, { field: `--${name}` });
    }
    if (spec.repeatable) options[name] = [...((options[name] as string[] | undefined) ?? []), String(parsed)];
    else options[name] = parsed;
  }
  const required = positionals.filter((p) => p.required).length;
  if (!options.help && rest.length < required) {
    throw new ConfigError(`missing argument <${positionals[rest.length].name}>: ${positionals[rest.length].description}`, { field: positionals[rest.length].name });
  }
  if (rest.length > positionals.length) throw new ConfigError(`unexpected argument "${rest[positionals.length]}"; see --help.`);
  return { options, positionals: rest };
}

/** Help text of a command, generated from its option specs. */
export function helpText(command: string, summary: string, specs: readonly OptionSpec[], positionals: readonly PositionalSpec[]): string {
  const usage = [`pexip-cdktf ${command}`, ...positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`)), '[options]'].join(' ');
  const arguments_ = positionals.map((p) => [`<${p.name}>`, p.description] as const);
  const options = [...specs, ...COMMON_OPTIONS].map((s) => [`--${s.name}${s.value ? ` ${s.value}` : ''}`, s.description] as const);
  // One column for both lists, as wide as the longest entry: a fixed width let a long option push its text out of line.
  const width = Math.max(...[...arguments_, ...options].map(([label]) => label.length));
  const row = ([label, description]: readonly [string, string]) => `  ${label.padEnd(width)}  ${description}`;
  const lines = [summary, '', `Usage: ${usage}`, ''];
  lines.push(...arguments_.map(row));
  if (positionals.length > 0) lines.push('');
  lines.push('Options:', ...options.map(row));
  return `${lines.join('\n')}\n`;
}
