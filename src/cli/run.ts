import { main } from './main';

/**
 * The CLI as a program: runs `main` and sets the exit code. This is the package's `./cli` export, so provisioners can
 * start the CLI with `node -e "require('pexip-telehealth-cdktf/cli').run()" -- <command> …`, which Node resolves from
 * the app's own node_modules (see `defaultCliCommand`).
 *
 * @param argv the arguments; default: what follows the script (`node bin/pexip-cdktf.js …`) or, under `node -e`,
 *   what follows the evaluated code (there `require.main` is undefined and argv[1] is already the first argument).
 */
export function run(argv: readonly string[] = process.argv.slice(require.main ? 2 : 1)): Promise<void> {
  // `--` ends node's own options on the provisioner's command line; it is not one of ours.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  return main(args).then((code) => {
    process.exitCode = code;
  });
}

export { main };
