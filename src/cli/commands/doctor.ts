import { loadDesiredSet } from '../../engine/desired';
import { runDoctor } from '../../engine/doctor';
import { type Command, EXIT } from '../command';
import { desiredSetPath, OUTDIR } from '../desired-arg';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Read-only first contact with a Management Node: settings, reachability and TLS, authentication, version; with a stack also licences, schema and plan. Exit 0 ready, 1 not.',
  positionals: [{ name: 'stack', description: 'Optional: a stack name or desired-set file, to check against the node.', required: false }],
  options: [OUTDIR],
  async run(context) {
    const arg = context.args.positionals[0];
    const loaded = arg === undefined ? undefined : loadDesiredSet(desiredSetPath(arg, context.args.options.outdir as string | undefined));
    const report = await runDoctor(context.env, loaded?.set, loaded?.appDir, context.log);
    if (context.json) {
      context.out(`${JSON.stringify(report)}\n`);
    } else {
      const width = Math.max(...report.checks.map((c) => c.check.length));
      for (const c of report.checks) context.out(`${c.status.toUpperCase().padEnd(5)} ${c.check.padEnd(width)}  ${c.detail}\n`);
      const failed = report.checks.filter((c) => c.status === 'fail').length;
      context.out(report.ready ? `Ready${loaded ? `: stack "${loaded.set.stack}" can be deployed` : ''}.\n` : `Not ready: ${failed} check${failed > 1 ? 's' : ''} failed. See README, "First contact with a real Management Node".\n`);
    }
    return report.ready ? EXIT.ok : EXIT.error;
  },
};
