import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../api/errors';
import { VARIANT_WORD } from '../api/settings';
import { STACK_NAME } from '../kinds/ownership';
import type { OptionSpec, PositionalSpec } from './args';

/**
 * Commands take a stack name (`prod`) or a desired-set file (`cdktf.out/stacks/prod/pexip-desired.json`). A stack
 * name is looked up in the app's synth output: `--outdir`, else the `output` of the nearest cdktf.json, else
 * `cdktf.out`.
 */

export const DESIRED_FILE = 'pexip-desired.json';

export const STACK_OR_FILE: PositionalSpec = { name: 'stack', description: 'Stack name (e.g. prod), or the desired-set JSON file a stack synthesized.', required: true };
export const OUTDIR: OptionSpec = { name: 'outdir', type: 'string', value: '<dir>', description: 'cdktf output directory (default: cdktf.json\'s output, or cdktf.out).' };

/** The nearest cdktf.json's directory and output directory, from `from` upwards. */
function cdktfOutput(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const file = join(dir, 'cdktf.json');
    if (existsSync(file)) {
      let output: unknown;
      try {
        output = (JSON.parse(readFileSync(file, 'utf8')) as { output?: unknown }).output;
      } catch {
        throw new ConfigError(`${file} is not valid JSON.`, { field: 'cdktf.json' });
      }
      return resolve(dir, typeof output === 'string' && output !== '' ? output : 'cdktf.out');
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Stacks synthesized in an output directory (those with a desired set). */
export function synthesizedStacks(outdir: string): string[] {
  const stacks = join(outdir, 'stacks');
  if (!existsSync(stacks)) return [];
  return readdirSync(stacks)
    .filter((name) => existsSync(join(stacks, name, DESIRED_FILE)))
    .sort();
}

/** The app's cdktf output directory: `--outdir`, else the nearest cdktf.json's `output`, else `cdktf.out`. */
export function outputDirectory(outdirOption?: string, cwd: string = process.cwd()): string {
  return outdirOption !== undefined ? resolve(cwd, outdirOption) : (cdktfOutput(cwd) ?? resolve(cwd, 'cdktf.out'));
}

/** The desired-set file a stack-or-file argument names; a clear error naming the known stacks otherwise. */
export function desiredSetPath(arg: string, outdirOption?: string, cwd: string = process.cwd()): string {
  if (arg.endsWith('.json') || arg.includes('/') || arg.includes('\\')) return arg;
  if (!STACK_NAME.test(arg)) throw new ConfigError(`"${arg}" is neither a stack name nor a .json desired-set file.`, { field: 'stack' });
  const outdir = outputDirectory(outdirOption, cwd);
  const file = join(outdir, 'stacks', arg, DESIRED_FILE);
  if (existsSync(file)) return file;
  const known = synthesizedStacks(outdir);
  if (known.length === 0) throw new ConfigError(`no stack '${arg}': nothing is synthesized in ${outdir}; run cdktf synth first (or give --outdir).`, { field: 'stack' });
  throw new ConfigError(`no stack '${arg}'; stacks: ${known.join(', ')}`, { field: 'stack' });
}

/** `--variant`: the stack's variant word, for commands that have no desired set. */
export const VARIANT_OPTION: OptionSpec = { name: 'variant', type: 'string', value: '<WORD>', description: 'The stack\'s variant word (PROD, NONPROD, …): its own node is PEXIP_<WORD>_ADDRESS when that is set, else PEXIP_ADDRESS.' };

/** The variant word given with `--variant`, checked; undefined when not given. */
export function variantOption(options: Readonly<Record<string, unknown>>): string | undefined {
  const variant = options.variant as string | undefined;
  if (variant === undefined || variant === '') return undefined;
  if (!VARIANT_WORD.test(variant)) throw new ConfigError(`--variant must be an upper-case word like PROD, NONPROD or SITE_A (got "${variant}").`, { field: '--variant' });
  return variant;
}
