import { ownPackage } from '../util/own-package';

/**
 * The default command provisioners run the CLI with:
 * `node -e "require('pexip-telehealth-cdktf/cli').run()" --`.
 *
 * Terraform runs provisioners in the stack directory (`cdktf.out/stacks/<stack>`), so Node resolves the package by its
 * normal lookup, from the `node_modules` of the app that holds `cdktf.out`, or, inside this package's own repository,
 * by package self-reference (the `exports` map). The command names no path: the synthesized stack works wherever the
 * app is checked out, and a `cdktf.out` restored somewhere else (a CI artifact) still finds the CLI of the app it lies
 * in. It starts no slower than `node <path>/bin/pexip-cdktf.js` (measured; see docs/design-notes.md). The name
 * comes from our package.json, so a renamed or scoped fork finds itself. Double quotes around the code, so the same
 * command works in sh and in cmd.exe.
 */
export function defaultCliCommand(): string {
  return `node -e "require('${ownPackage().name}/cli').run()" --`;
}
