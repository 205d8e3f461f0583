import { PexipCdktfError } from '../api/errors';
import { logLevelFromEnv, streamLogger } from '../api/log';
import { redactor } from '../api/redact';
import { helpText, parseArgs } from './args';
import { type Command, EXIT } from './command';
import { StopToken } from '../engine/pool';
import { printable } from '../util/printable';

/**
 * The `pexip-cdktf` entry point. Commands load lazily: the CLI starts once per `cdktf deploy`, and `keygen` should
 * not pay for axios or the simulator.
 */
export const COMMANDS: Readonly<Record<string, () => Command>> = {
  reconcile: () => require('./commands/stack-commands').reconcileCommand as Command,
  plan: () => require('./commands/stack-commands').planCommand as Command,
  drift: () => require('./commands/stack-commands').driftCommand as Command,
  remove: () => require('./commands/stack-commands').removeCommand as Command,
  adopt: () => require('./commands/stack-commands').adoptCommand as Command,
  repair: () => require('./commands/stack-commands').repairCommand as Command,
  stacks: () => require('./commands/stacks').stacksCommand as Command,
  doctor: () => require('./commands/doctor').doctorCommand as Command,
  snapshot: () => require('./commands/snapshot').snapshotCommand as Command,
  export: () => require('./commands/export').exportCommand as Command,
  init: () => require('./commands/init').initCommand as Command,
  licence: () => require('./commands/licence').licenceCommand as Command,
  keygen: () => require('./commands/epic-commands').keygenCommand as Command,
  secrets: () => require('./commands/epic-commands').secretsCommand as Command,
  appointments: () => require('./commands/epic-commands').appointmentsCommand as Command,
  simulator: () => require('./commands/simulator').simulatorCommand as Command,
};

function usage(): string {
  const names = Object.keys(COMMANDS);
  return `pexip-cdktf — configuration-as-code for Pexip Infinity's Epic telehealth integration\n\nUsage: pexip-cdktf <command> [options]\n\nCommands: ${names.join(', ')}\nRun pexip-cdktf <command> --help for a command's options.\nExit codes: 0 success / in sync, 2 changes or drift found, 1 error.\n`;
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [name, ...rest] = argv;
  // Names read from a node can hold text-direction and zero-width characters: printed escaped, never raw. Sensitive
  // identifiers (licence entitlements) are masked here too; PHI is not redacted on stdout, which --show-phi may need.
  const out = (text: string) => process.stdout.write(printable(redactor.mask(text)));
  const json = rest.includes('--json');
  const log = streamLogger(logLevelFromEnv(env));
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(usage());
    return name === undefined ? EXIT.error : EXIT.ok;
  }
  if (name === '--version') {
    out(`${(require('../../../package.json') as { version: string }).version}\n`);
    return EXIT.ok;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`error: unknown command "${name}".\n\n${usage()}`);
    return EXIT.error;
  }
  const command = load();
  // Ctrl-C (Terraform passes it on to the provisioner) or SIGTERM: a command that writes stops after the requests in
  // flight and says what it did; a second signal, or any other command, ends the process at once.
  const stop = new StopToken();
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGTERM' ? 143 : 130;
    if (!command.stoppable || stop.stopped) process.exit(code);
    stop.stop(signal);
    if (command.name !== 'simulator') log.alert(`${signal}: stopping after the requests in flight (send it again to end at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const args = parseArgs(rest, command.options, command.positionals);
    if (args.options.help) {
      out(helpText(command.name, command.summary, command.options, command.positionals));
      return EXIT.ok;
    }
    return await command.run({ args, json, env, log, out, stop, stopped: stop.whenStopped() });
  } catch (error) {
    return reportError(error, json, out);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Prints an error (JSON on stdout with --json, else one line on stderr) and returns exit code 1. */
export function reportError(error: unknown, json: boolean, out: (text: string) => void): number {
  const known = error instanceof PexipCdktfError;
  const message = redactor.redact(known ? error.message : `internal error: ${(error as Error)?.stack ?? String(error)}`);
  if (json) out(`${JSON.stringify(known ? error.toJSON() : { error: 'InternalError', message })}\n`);
  else process.stderr.write(`error: ${printable(message)}\n`);
  return known ? error.exitCode : EXIT.error;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
