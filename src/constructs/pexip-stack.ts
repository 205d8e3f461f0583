import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { IAspect, ITerraformDependable } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import { ConfigError } from '../api/errors';
import { DESIRED_SET_FORMAT, type DesiredSet, desiredSetHash, validateDesiredSet } from '../engine/desired';
import type { Environment } from '../epic/secret-variants';
import { STACK_NAME } from '../kinds/ownership';
import { appDirectory, stackDirectory } from './app-dir';
import { type Carrier, type CarrierType, carrierFor } from './carriers';
import { defaultCliCommand } from './cli-command';
import type { PackageContent } from './package';
import { desiredSetError, type PropSource } from './prop-errors';
import { checkDriftAtSynth } from './synth-drift';
import { checkSameToolkit, toolkit } from './toolkit';

const { lib: { Aspects, TerraformStack }, synthesizer: { addCustomSynthesis }, constructs: { Construct: ConstructClass } } = toolkit();

/** The desired-set file each stack writes next to its cdk.tf.json; the reconciler reads it. */
export const DESIRED_SET_FILE = 'pexip-desired.json';

export interface PexipStackProps {
  /**
   * Which Epic environment this stack configures. Secret references must carry the matching variant
   * (`…_PROD_…` for production, `…_NONPROD_…` for non-production), or synth fails.
   */
  readonly environment: Environment;
  /**
   * The Terraform resource type that carries the state: `terraform_data` (default; built into Terraform, no provider
   * download) or `null_resource` (needs the hashicorp/null provider).
   */
  readonly carrier?: CarrierType;
  /**
   * How provisioners run the CLI. Default: `node -e "require('pexip-telehealth-cdktf/cli').run()" --`, which finds the
   * package in the `node_modules` of the app holding `cdktf.out` (Terraform runs provisioners in
   * `cdktf.out/stacks/<stack>`). Override it when `cdktf.out` lies outside the app, e.g. `npx pexip-cdktf`.
   */
  readonly cliCommand?: string;
  /**
   * The directory relative paths in constructs (theme and branding packages) are resolved against. Default:
   * `appDirectory()`, the directory holding the app's `cdktf.json`.
   */
  readonly appDirectory?: string;
}

/** What a declared object hands the stack. */
export interface StackMember {
  readonly node: Construct['node'];
  readonly logicalId: string;
  toDesired(): DesiredSet['objects'][number];
  /** The prop behind a wire field (or desired-object option) of this object, so errors name what the user wrote. */
  sourceOf(field: string): PropSource;
  /** The package to copy next to the desired set, if any. */
  readonly packageContent?: PackageContent;
  /** The Terraform resource the reconciler waits for. */
  readonly carrierResource: ITerraformDependable;
  /** Licences: the action carrier the anchor and reconciler order themselves against. */
  readonly isLicence?: boolean;
}

/**
 * A Terraform stack that declares Pexip objects for one environment. Each object gets a declaration carrier; the
 * stack adds one reconciler (runs `pexip-cdktf reconcile` whenever the desired set changes) and one anchor (runs
 * `pexip-cdktf remove` on `cdktf destroy`).
 */
export class PexipStack extends TerraformStack {
  /** The PexipStack a construct belongs to; throws a clear error outside one. */
  static of(construct: IConstruct): PexipStack {
    const stack = construct.node.scopes.find((s): s is PexipStack => s instanceof PexipStack);
    if (!stack) throw new Error(`${construct.node.path}: Pexip constructs must be created inside a PexipStack (new PexipStack(app, 'prod', { environment: 'production' })).`);
    return stack;
  }

  readonly environment: Environment;
  readonly carrier: Carrier;
  /** The shell command provisioners use to run the CLI. */
  readonly cliCommand: string;
  /** The absolute directory relative paths in constructs are resolved against (see `PexipStackProps.appDirectory`). */
  readonly appDirectory: string;
  private readonly members: StackMember[] = [];
  private validated?: { set: DesiredSet; hash: string };
  private finalised = false;

  constructor(scope: Construct, id: string, props: PexipStackProps) {
    checkSameToolkit(scope);
    super(scope, id);
    if (!STACK_NAME.test(id)) throw new Error(`${this.node.path}: stack id must match ${STACK_NAME.source} (it is recorded on every Pexip object).`);
    if (props.environment !== 'production' && props.environment !== 'non-production') {
      throw new Error(`${this.node.path}: environment must be "production" or "non-production".`);
    }
    this.environment = props.environment;
    this.carrier = carrierFor(props.carrier ?? 'terraform_data');
    this.cliCommand = props.cliCommand ?? defaultCliCommand();
    this.appDirectory = props.appDirectory !== undefined ? resolve(props.appDirectory) : appDirectory();
    const stack = this;
    const finalise: IAspect = {
      visit(node) {
        if (node === stack) stack.finalise();
      },
    };
    Aspects.of(this).add(finalise);
  }

  /** Registers a declared object (called by the constructs). */
  register(member: StackMember): void {
    if (this.validated) throw new Error(`${member.node.path}: declared after the stack was synthesized.`);
    const twin = this.members.find((m) => m.logicalId === member.logicalId);
    if (twin) throw new Error(`${member.node.path}: logical id "${member.logicalId}" is also used by ${twin.node.path}.`);
    this.members.push(member);
  }

  /**
   * The desired set of this stack, validated (a synth error names the construct and prop). Nothing may be declared
   * after it was asked for; asking does not talk to Pexip (the drift check belongs to synthesis).
   */
  desiredSet(): DesiredSet {
    return this.validate().set;
  }

  private validate(): { set: DesiredSet; hash: string } {
    if (this.validated) return this.validated;
    // Where the app is, seen from the stack directory: secret files are relative to it (and confined to it) at apply.
    const appDir = relative(stackDirectory(this), this.appDirectory).split(sep).join('/') || '.';
    const set: DesiredSet = { format: DESIRED_SET_FORMAT, stack: this.node.id, environment: this.environment, appDir, objects: this.members.map((m) => m.toDesired()) };
    try {
      validateDesiredSet(JSON.parse(JSON.stringify(set)));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw desiredSetError(this.node.path, this.members, error);
    }
    this.validated = { set, hash: desiredSetHash(set) };
    return this.validated;
  }

  /** At synthesis: the drift check, the stack's carriers, and the desired-set file written next to cdk.tf.json. */
  private finalise(): void {
    if (this.finalised) return;
    const { set, hash } = this.validate();
    this.finalised = true;
    const drift = checkDriftAtSynth(set);
    // stdout: cdktf shows an app's stdout as it is, but flags every stderr line as an [ERROR].
    if (drift.message) process.stdout.write(`${drift.message}\n`);
    this.addCarriers(hash, drift.summary);
    const files = new ConstructClass(this, 'pexip-files');
    addCustomSynthesis(files, {
      onSynthesize: (session) => {
        const stackDir = join(session.outdir, dirname(session.manifest.forStack(this).synthesizedStackPath));
        mkdirSync(join(stackDir, 'pexip-packages'), { recursive: true });
        writeFileSync(join(stackDir, DESIRED_SET_FILE), `${JSON.stringify(set, null, 2)}\n`);
        for (const member of this.members) {
          if (member.packageContent) writeFileSync(join(stackDir, member.packageContent.path), member.packageContent.content);
        }
      },
    });
  }

  private addCarriers(hash: string, drift: string | undefined): void {
    const licences = this.members.filter((m) => m.isLicence).map((m) => m.carrierResource);
    const anchor = this.carrier.action(this, 'pexip-anchor', {
      triggers: { stack: this.node.id },
      input: { stack: this.node.id },
      destroy: { command: `${this.cliCommand} remove --stack "$PEXIP_CDKTF_STACK"`, environment: { PEXIP_CDKTF_STACK: this.carrier.self('stack') } },
      dependsOn: licences,
    });
    // The reconcile waits for the licence to be claimed. Not for the declarations: they run no provisioner, so their
    // order does not matter, and a depends_on listing them all makes every Terraform plan much slower.
    // Drift found at synth time replaces the reconciler, so the deploy repairs it; none adds nothing (plans stay clean).
    const repair: Record<string, string> = drift === undefined ? {} : { drift };
    this.carrier.action(this, 'pexip-reconciler', {
      triggers: { desired_set_sha256: hash, ...repair },
      input: { desired_set_sha256: hash, ...repair },
      create: { command: `${this.cliCommand} reconcile ${DESIRED_SET_FILE} --expect-hash ${hash}` },
      dependsOn: [anchor, ...licences],
    });
  }
}
