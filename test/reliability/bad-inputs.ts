import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredSet } from '../../src/engine/desired';
import { generateEpicKey } from '../../src/epic/encryption-key';
import type { FaultSpec } from '../../src/simulator/faults';
import { withObject, withSpec } from '../helpers/desired';

/**
 * The bad-input table: what a user or a broken network can hand the CLI, and the exact, single-line error it must
 * answer with. `{desired}` in args is a valid desired set (changed by `desired` when given). `writes` is how many
 * write requests may reach Pexip: 0 wherever the problem is detectable before writing. Construct (synth-time)
 * cases are in test/constructs/synth.test.ts.
 *
 * Placeholders in args and env values: `{fixtures}` is a directory holding the files {@link writeBadInputFixtures}
 * makes; `{sim-port}` is the simulator's port; `{tls}` is the address of a second simulator serving HTTPS with a
 * certificate for manager.example.org only, signed by the CA in `{fixtures}/tls-ca.pem`.
 */
export interface BadInput {
  readonly area: 'environment' | 'cli' | 'desired set' | 'api response';
  readonly case: string;
  readonly args: readonly string[];
  /** Environment changes (undefined removes a variable). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly desired?: (set: DesiredSet) => DesiredSet;
  /** Replaces the desired-set file with this text. */
  readonly desiredText?: string;
  readonly fault?: FaultSpec;
  /** More faults, injected after `fault`. */
  readonly extraFaults?: readonly FaultSpec[];
  readonly exitCode: 0 | 1 | 2;
  /** The first line of stderr (errors), or a pattern stdout must match (tolerated inputs). */
  readonly stderr?: string | RegExp;
  readonly stdout?: RegExp;
  /** Lines stderr must hold exactly once each (warnings no log level may silence). */
  readonly warnings?: readonly string[];
  readonly writes: number;
  /** How many requests in all may reach Pexip, where that matters (no retry storms). */
  readonly requests?: number;
}

const list = (text: string, contentType = 'application/json'): FaultSpec => ({ match: { method: 'GET', path: '/telehealth_profile/' }, action: { type: 'raw', status: 200, contentType, text } });
const PLAN = ['plan', '{desired}'];
const RECONCILE = ['reconcile', '{desired}'];
const OAUTH2 = { PEXIP_USERNAME: undefined, PEXIP_PASSWORD: undefined, PEXIP_OAUTH2_CLIENT_ID: 'cdktf', PEXIP_OAUTH2_PRIVATE_KEY_FILE: '{fixtures}/client-key.pem' };
const TLS_OFF = 'warning: INSECURE: TLS certificate verification is OFF (PEXIP_INSECURE_SKIP_TLS_VERIFY=1); anyone on the path can read credentials and secrets.';
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The first error line for a file named by `{fixtures}/<name>`, whose absolute path varies per run. */
const inFixtures = (before: string, name: string, after: string) => new RegExp(`^${escape(before)}/\\S+/${escape(name)}${escape(after)}$`);

/** Files the cases name through `{fixtures}`: a client key, CA files that are not what they should be, a FIFO, a TLS CA. */
export function writeBadInputFixtures(dir: string): void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'client-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'not-a-cert.pem'), 'This is the hospital CA, honest.\n');
  writeFileSync(join(dir, 'garbled-cert.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
  // Sparse: 2 MiB on paper, no disk used; over the 1 MiB cap on CA files.
  writeFileSync(join(dir, 'huge.pem'), '');
  truncateSync(join(dir, 'huge.pem'), 2 * 1024 * 1024);
  symlinkSync('/dev/zero', join(dir, 'zero.pem'));
  execFileSync('mkfifo', [join(dir, 'fifo.pem')]);
  execFileSync('mkfifo', [join(dir, 'NONPROD-fifo')]);
  // Secret files that break the line-break rule (one final line feed is all a secret file may have).
  writeFileSync(join(dir, 'NONPROD-crlf-secret'), `${'s'.repeat(40)}\r\n`);
  writeFileSync(join(dir, 'NONPROD-blank-line-secret'), `${'s'.repeat(40)}\n\n`);
  writeFileSync(join(dir, 'NONPROD-two-line-secret'), `${'s'.repeat(20)}\n${'t'.repeat(20)}\n`);
  writeFileSync(join(dir, 'NONPROD-one-newline-secret'), `${'s'.repeat(40)}\n`);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=Hospital CA', '-keyout', 'tls-ca.key', '-out', 'tls-ca.pem');
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=DNS:manager.example.org\n');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=manager.example.org', '-keyout', 'tls-server.key', '-out', 'tls-server.csr');
  openssl('x509', '-req', '-in', 'tls-server.csr', '-CA', 'tls-ca.pem', '-CAkey', 'tls-ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.cnf', '-out', 'tls-server.pem');
}

/** The profile's secret `field` read from `file`. */
const withSecret = (set: DesiredSet, field: string, file: string): DesiredSet =>
  withObject(set, 'profile', { secrets: { ...set.objects.find((o) => o.id === 'profile')!.secrets, [field]: { file } } });
/** The set with a web proxy whose password comes from EPIC_NONPROD_PROXY_PASSWORD. */
const withProxy = (set: DesiredSet): DesiredSet => ({
  ...set,
  objects: [...set.objects, { kind: 'http_proxy', id: 'proxy', spec: { name: 'Epic egress', address: 'proxy.example.org', port: 3128, protocol: 'http', username: 'cdktf' }, secrets: { password: { env: 'EPIC_NONPROD_PROXY_PASSWORD' } } }],
});

const manyPolicies = JSON.stringify({ meta: { limit: 5000, next: null, offset: 0, previous: null, total_count: 5000 }, objects: Array.from({ length: 5000 }, (_, i) => ({ id: i + 1, name: `Policy ${i}`, description: '', resource_uri: `/api/admin/configuration/v1/policy_server/${i + 1}/` })) });

export const BAD_INPUTS: readonly BadInput[] = [
  // ---- environment ----------------------------------------------------------------------------------------------------
  { area: 'environment', case: 'no PEXIP_ADDRESS', requests: 0, args: PLAN, env: { PEXIP_ADDRESS: undefined }, exitCode: 1, stderr: 'error: PEXIP_ADDRESS is not set: set it to the Management Node address, e.g. https://manager.example.org', writes: 0 },
  { area: 'environment', case: 'plain http to a remote host', args: PLAN, env: { PEXIP_ADDRESS: 'http://manager.example.org' }, exitCode: 1, stderr: 'error: PEXIP_ADDRESS uses plain http:// to manager.example.org: credentials would cross the network unencrypted. Use https://, or set PEXIP_ALLOW_HTTP=1 if you really mean it.', writes: 0 },
  { area: 'environment', case: 'credentials inside the address', args: PLAN, env: { PEXIP_ADDRESS: 'https://admin:pw@manager.example.org' }, exitCode: 1, stderr: 'error: PEXIP_ADDRESS must not contain credentials; use PEXIP_USERNAME and PEXIP_PASSWORD.', writes: 0 },
  { area: 'environment', case: 'an API path in the address', args: PLAN, env: { PEXIP_ADDRESS: 'https://manager.example.org/api/admin/' }, exitCode: 1, stderr: 'error: PEXIP_ADDRESS must be the Management Node\'s address only, without a path (got "/api/admin/").', writes: 0 },
  { area: 'environment', case: 'a scheme that is not http(s)', args: PLAN, env: { PEXIP_ADDRESS: 'ftp://manager.example.org' }, exitCode: 1, stderr: 'error: PEXIP_ADDRESS must use https:// (got ftp:).', writes: 0 },
  { area: 'environment', case: 'no password', args: PLAN, env: { PEXIP_PASSWORD: undefined }, exitCode: 1, stderr: 'error: PEXIP_PASSWORD is not set: set the password of API user "admin"', writes: 0 },
  { area: 'environment', case: 'Basic and OAuth2 both set', args: PLAN, env: { PEXIP_OAUTH2_CLIENT_ID: 'cdktf' }, exitCode: 1, stderr: 'error: Both PEXIP_OAUTH2_CLIENT_ID and PEXIP_USERNAME/PEXIP_PASSWORD are set; set one way to authenticate.', writes: 0 },
  { area: 'environment', case: 'OAuth2 without a private key', args: PLAN, env: { PEXIP_USERNAME: undefined, PEXIP_PASSWORD: undefined, PEXIP_OAUTH2_CLIENT_ID: 'cdktf' }, exitCode: 1, stderr: 'error: PEXIP_OAUTH2_PRIVATE_KEY is not set: OAuth2 needs the client private key: set PEXIP_OAUTH2_PRIVATE_KEY_FILE (a PEM file) or PEXIP_OAUTH2_PRIVATE_KEY', writes: 0 },
  { area: 'environment', case: 'an OAuth2 key that is not PEM', args: PLAN, env: { PEXIP_USERNAME: undefined, PEXIP_PASSWORD: undefined, PEXIP_OAUTH2_CLIENT_ID: 'cdktf', PEXIP_OAUTH2_PRIVATE_KEY: 'not a key' }, exitCode: 1, stderr: 'error: PEXIP_OAUTH2_PRIVATE_KEY does not hold a readable PEM private key.', writes: 0 },
  { area: 'environment', case: 'a CA file that does not exist', args: PLAN, env: { PEXIP_CA_FILE: '/nonexistent/ca.pem' }, exitCode: 1, stderr: 'error: PEXIP_CA_FILE names a file that cannot be read: /nonexistent/ca.pem (ENOENT).', writes: 0 },
  { area: 'environment', case: 'a timeout that is not a number', args: PLAN, env: { PEXIP_TIMEOUT_SECONDS: 'soon' }, exitCode: 1, stderr: 'error: PEXIP_TIMEOUT_SECONDS must be a number of seconds from 1 to 3600 (got "soon").', writes: 0 },
  { area: 'environment', case: 'zero attempts', args: PLAN, env: { PEXIP_MAX_ATTEMPTS: '0' }, exitCode: 1, stderr: 'error: PEXIP_MAX_ATTEMPTS must be a whole number from 1 to 10 (got "0").', writes: 0 },

  { area: 'environment', case: 'a timeout past Node\'s timer range (would become 1 ms)', requests: 0, args: PLAN, env: { PEXIP_TIMEOUT_SECONDS: '3000000' }, exitCode: 1, stderr: 'error: PEXIP_TIMEOUT_SECONDS must be a number of seconds from 1 to 3600 (got "3000000").', writes: 0 },
  { area: 'environment', case: 'a timeout under a second (would mean none)', requests: 0, args: PLAN, env: { PEXIP_TIMEOUT_SECONDS: '0.0001' }, exitCode: 1, stderr: 'error: PEXIP_TIMEOUT_SECONDS must be a number of seconds from 1 to 3600 (got "0.0001").', writes: 0 },
  { area: 'environment', case: 'a fractional attempt count', requests: 0, args: PLAN, env: { PEXIP_MAX_ATTEMPTS: '0.5' }, exitCode: 1, stderr: 'error: PEXIP_MAX_ATTEMPTS must be a whole number from 1 to 10 (got "0.5").', writes: 0 },
  { area: 'environment', case: 'an attempt count in exponent notation (a billion)', requests: 0, args: PLAN, env: { PEXIP_MAX_ATTEMPTS: '1e9' }, exitCode: 1, stderr: 'error: PEXIP_MAX_ATTEMPTS must be a whole number from 1 to 10 (got "1e9").', writes: 0 },
  { area: 'environment', case: 'a parallelism of zero', requests: 0, args: PLAN, env: { PEXIP_PARALLELISM: '0' }, exitCode: 1, stderr: 'error: PEXIP_PARALLELISM must be a whole number from 1 to 16 (got "0").', writes: 0 },
  { area: 'environment', case: 'a parallelism above 16', requests: 0, args: PLAN, env: { PEXIP_PARALLELISM: '64' }, exitCode: 1, stderr: 'error: PEXIP_PARALLELISM must be a whole number from 1 to 16 (got "64").', writes: 0 },
  { area: 'environment', case: 'an OAuth2 token URL over plain http to another host', requests: 0, args: PLAN, env: { ...OAUTH2, PEXIP_OAUTH2_TOKEN_URL: 'http://login.example.org/oauth/token/' }, exitCode: 1, stderr: 'error: PEXIP_OAUTH2_TOKEN_URL uses plain http:// to login.example.org: the signed client assertion and the access token would cross the network unencrypted. Use https://, or set PEXIP_ALLOW_HTTP=1 if you really mean it.', writes: 0 },
  { area: 'environment', case: 'an OAuth2 token URL that does not parse', requests: 0, args: PLAN, env: { ...OAUTH2, PEXIP_OAUTH2_TOKEN_URL: 'https://login.example.org:99999/oauth/token/' }, exitCode: 1, stderr: 'error: PEXIP_OAUTH2_TOKEN_URL is not a valid URL: "https://login.example.org:99999/oauth/token/"; give the token endpoint\'s full address, e.g. https://manager.example.org/oauth/token/.', writes: 0 },
  { area: 'environment', case: 'an OAuth2 token URL without a scheme', requests: 0, args: PLAN, env: { ...OAUTH2, PEXIP_OAUTH2_TOKEN_URL: 'login.example.org/oauth/token/' }, exitCode: 1, stderr: 'error: PEXIP_OAUTH2_TOKEN_URL is not a valid URL: "login.example.org/oauth/token/"; give the token endpoint\'s full address, e.g. https://manager.example.org/oauth/token/.', writes: 0 },
  { area: 'environment', case: 'a CA file that holds no certificate', requests: 0, args: PLAN, env: { PEXIP_CA_FILE: '{fixtures}/not-a-cert.pem' }, exitCode: 1, stderr: inFixtures('error: PEXIP_CA_FILE holds no PEM certificate ("-----BEGIN CERTIFICATE-----"): ', 'not-a-cert.pem', '. Give the private CA\'s certificate in PEM form; convert a DER file with: openssl x509 -inform der -in ca.cer -out ca.pem'), writes: 0 },
  { area: 'environment', case: 'a CA file whose certificate does not parse', requests: 0, args: PLAN, env: { PEXIP_CA_FILE: '{fixtures}/garbled-cert.pem' }, exitCode: 1, stderr: inFixtures('error: PEXIP_CA_FILE holds a PEM certificate that cannot be parsed (certificate 1 of 1): ', 'garbled-cert.pem', '.'), writes: 0 },
  { area: 'environment', case: 'a CA file that is /dev/zero (was: Node aborted, out of memory)', requests: 0, args: PLAN, env: { PEXIP_CA_FILE: '/dev/zero' }, exitCode: 1, stderr: 'error: PEXIP_CA_FILE must name a regular file, but /dev/zero is a character device.', writes: 0 },
  { area: 'environment', case: 'a CA file that is a symlink to /dev/zero', requests: 0, args: PLAN, env: { PEXIP_CA_FILE: '{fixtures}/zero.pem' }, exitCode: 1, stderr: inFixtures('error: PEXIP_CA_FILE must name a regular file, but ', 'zero.pem', ' (→ /dev/zero) is a character device.'), writes: 0 },
  { area: 'environment', case: 'a CA file that is a FIFO (was: blocked for ever)', requests: 0, args: PLAN, env: { PEXIP_CA_FILE: '{fixtures}/fifo.pem' }, exitCode: 1, stderr: inFixtures('error: PEXIP_CA_FILE must name a regular file, but ', 'fifo.pem', ' is a named pipe (FIFO).'), writes: 0 },
  { area: 'environment', case: 'a CA file that is a directory', requests: 0, args: PLAN, env: { PEXIP_CA_FILE: '{fixtures}' }, exitCode: 1, stderr: /^error: PEXIP_CA_FILE must name a regular file, but \/\S+ is a directory\.$/, writes: 0 },
  { area: 'environment', case: 'a CA file of 2 MiB', requests: 0, args: PLAN, env: { PEXIP_CA_FILE: '{fixtures}/huge.pem' }, exitCode: 1, stderr: inFixtures('error: PEXIP_CA_FILE names a file larger than 1 MiB: ', 'huge.pem', ' (2 MiB). A private CA bundle is a few KiB of PEM certificates.'), writes: 0 },
  { area: 'environment', case: 'an OAuth2 key file that is /dev/zero', requests: 0, args: PLAN, env: { ...OAUTH2, PEXIP_OAUTH2_PRIVATE_KEY_FILE: '/dev/zero' }, exitCode: 1, stderr: 'error: PEXIP_OAUTH2_PRIVATE_KEY_FILE must name a regular file, but /dev/zero is a character device.', writes: 0 },
  { area: 'environment', case: 'TLS verification off at log level error (warned anyway, once)', args: PLAN, env: { PEXIP_INSECURE_SKIP_TLS_VERIFY: '1', PEXIP_CDKTF_LOG: 'error' }, exitCode: 2, stdout: /Plan: 7 to create/, warnings: [TLS_OFF], writes: 0 },
  { area: 'environment', case: 'plain http to a remote host allowed, at log level error (warned anyway, once)', args: PLAN, env: { PEXIP_ADDRESS: 'http://[::ffff:127.0.0.1]:{sim-port}', PEXIP_ALLOW_HTTP: '1', PEXIP_CDKTF_LOG: 'error' }, exitCode: 2, stdout: /Plan: 7 to create/, warnings: ['warning: INSECURE: plain HTTP to [::ffff:7f00:1] (PEXIP_ALLOW_HTTP=1): credentials and secrets cross the network unencrypted.'], writes: 0 },
  { area: 'environment', case: 'a certificate that does not name the host in PEXIP_ADDRESS', requests: 0, args: PLAN, env: { PEXIP_ADDRESS: '{tls}', PEXIP_CA_FILE: '{fixtures}/tls-ca.pem', PEXIP_MAX_ATTEMPTS: '1' }, exitCode: 1, stderr: /^error: .* — GET \/api\/admin\/configuration\/v1\/[a-z_]+\/: the server's TLS certificate does not name the host 127\.0\.0\.1 \(ERR_TLS_CERT_ALTNAME_INVALID\); it names DNS:manager\.example\.org\. Use the name on the certificate in PEXIP_ADDRESS\.$/, writes: 0 },
  { area: 'environment', case: 'https:// to a plain-http port', requests: 0, args: PLAN, env: { PEXIP_ADDRESS: 'https://127.0.0.1:{sim-port}' }, exitCode: 1, stderr: /^error: .* — GET \/api\/admin\/configuration\/v1\/[a-z_]+\/: the TLS handshake failed \(EPROTO\): the server may not speak TLS on that port\. Check http:\/\/ against https:\/\/ and the port in PEXIP_ADDRESS\.$/, writes: 0 },

  // ---- command line -----------------------------------------------------------------------------------------------------
  { area: 'cli', case: 'an unknown command', args: ['deploy'], exitCode: 1, stderr: 'error: unknown command "deploy".', writes: 0 },
  { area: 'cli', case: 'an unknown option', args: ['plan', '{desired}', '--force'], exitCode: 1, stderr: 'error: unknown option --force; see --help.', writes: 0 },
  { area: 'cli', case: 'an option without its value', args: ['reconcile', '{desired}', '--expect-hash'], exitCode: 1, stderr: 'error: --expect-hash needs a value <sha256>.', writes: 0 },
  { area: 'cli', case: 'a boolean option given a value', args: ['appointments', '--history=yes'], exitCode: 1, stderr: 'error: --history takes no value (or =true/=false).', writes: 0 },
  { area: 'cli', case: 'a surplus argument', args: ['plan', '{desired}', 'extra'], exitCode: 1, stderr: 'error: unexpected argument "extra"; see --help.', writes: 0 },
  { area: 'cli', case: 'no desired-set argument', args: ['reconcile'], exitCode: 1, stderr: 'error: missing argument <stack>: Stack name (e.g. prod), or the desired-set JSON file a stack synthesized.', writes: 0 },
  { area: 'cli', case: 'a key size Epic does not use', args: ['keygen', '64'], exitCode: 1, stderr: 'error: key size must be 32 (AES-256-CBC) or 16 (AES-128-CBC), not 64.', writes: 0 },
  { area: 'cli', case: 'a time that is not a time', args: ['appointments', '--history', '--since', 'last week'], exitCode: 1, stderr: 'error: --since must be an ISO date/time (2026-11-25T08:00) or an age (90m, 24h, 7d), not "last week".', writes: 0 },
  { area: 'cli', case: 'a period that ends before it starts', args: ['appointments', '--history', '--since', '1h', '--until', '2h'], exitCode: 1, stderr: 'error: --since must be before --until.', writes: 0 },
  { area: 'cli', case: 'export without a stack', args: ['export', '--environment', 'production'], exitCode: 1, stderr: 'error: --stack is required and must match ^[A-Za-z][A-Za-z0-9_-]{0,39}$.', writes: 0 },
  { area: 'cli', case: 'export for an unknown environment', args: ['export', '--stack', 'prod', '--environment', 'staging'], exitCode: 1, stderr: 'error: --environment must be production or non-production.', writes: 0 },
  { area: 'cli', case: 'remove without a stack', args: ['remove'], exitCode: 1, stderr: 'error: give the desired-set file or --stack <name>.', writes: 0 },
  { area: 'cli', case: 'remove of a stack name no marker can hold', args: ['remove', '--stack', 'prod/eu'], exitCode: 1, stderr: 'error: --stack must match ^[A-Za-z][A-Za-z0-9_-]{0,39}$.', writes: 0 },
  { area: 'cli', case: 'an unknown licence action', args: ['licence', 'renew', '--entitlement', 'X'], exitCode: 1, stderr: 'error: unknown licence action "renew"; use claim or return.', writes: 0 },
  { area: 'cli', case: '-h on its own (was: unknown command)', args: ['-h'], exitCode: 0, stdout: /\nUsage: pexip-cdktf <command> \[options\]\n/, writes: 0 },
  { area: 'cli', case: 'keygen -h (was: a key size)', args: ['keygen', '-h'], exitCode: 0, stdout: /\nUsage: pexip-cdktf keygen \[bytes\] \[options\]\n/, writes: 0 },
  { area: 'cli', case: 'reconcile <file> -h shows help and reconciles nothing', requests: 0, args: ['reconcile', '{desired}', '-h'], exitCode: 0, stdout: /^Converge Pexip[^\n]*\n\nUsage: pexip-cdktf reconcile <stack> \[options\]\n/, writes: 0 },
  { area: 'cli', case: 'help with a long option keeps its columns', args: ['export', '--help'], exitCode: 0, stdout: /\n {2}--stack <name> {27}Stack id[^\n]*\n {2}--environment production\|non-production {2}Environment[^\n]*\n {2}--all {36}Every object[^\n]*\n {2}--out <file\.ts> {26}Write[^\n]*\n {2}--json {35}Machine/, writes: 0 },
  { area: 'cli', case: 'keygen --value-only, for export K=$(…)', args: ['keygen', '--value-only'], exitCode: 0, stdout: /^[A-Za-z0-9+/]{43}=\n$/, writes: 0 },
  { area: 'cli', case: 'keygen --value-only with --json', args: ['keygen', '--value-only', '--json'], exitCode: 1, stdout: /^\{"error":"ConfigError","message":"--value-only and --json do not go together: --json already gives the key alone in \\"value\\"\.","field":"--value-only"\}\n$/, writes: 0 },

  // ---- desired set (what the constructs synthesize) -----------------------------------------------------------------------
  { area: 'desired set', case: 'not JSON', args: RECONCILE, desiredText: '{"format": "pexip-cdktf/desired-set@1",', exitCode: 1, stderr: /^error: the desired set .*desired-nonprod\.json is not valid JSON \(/, writes: 0 },
  { area: 'desired set', case: 'a future format', args: RECONCILE, desiredText: '{"format": "pexip-cdktf/desired-set@9"}', exitCode: 1, stderr: 'error: unsupported desired-set format "pexip-cdktf/desired-set@9"; expected "pexip-cdktf/desired-set@1".', writes: 0 },
  { area: 'desired set', case: 'an unknown kind', args: RECONCILE, desired: (s) => ({ ...s, objects: [...s.objects, { kind: 'conference' as never, id: 'vmr', spec: {} }] }), exitCode: 1, stderr: 'error: objects[7]: every object needs a known kind (got "conference").', writes: 0 },
  { area: 'desired set', case: 'a duplicate logical id', args: RECONCILE, desired: (s) => ({ ...s, objects: [...s.objects, s.objects[1]] }), exitCode: 1, stderr: 'error: theme "theme": duplicate logical id: also used by theme "theme".', writes: 0 },
  { area: 'desired set', case: 'a reference to an undeclared object', args: RECONCILE, desired: (s) => withSpec(s, 'path', { branding: { $ref: 'old-branding' } }), exitCode: 1, stderr: 'error: web app path "path", field branding: refers to "old-branding", which this stack does not declare.', writes: 0 },
  { area: 'desired set', case: 'an unknown field', args: RECONCILE, desired: (s) => withSpec(s, 'rule', { prority: 5 }), exitCode: 1, stderr: 'error: call routing rule "rule", field prority: unknown or read-only field prority.', writes: 0 },
  { area: 'desired set', case: 'a secret in the spec', args: RECONCILE, desired: (s) => withSpec(s, 'profile', { epic_provider_app_client_secret: 'x' }), exitCode: 1, stderr: 'error: Epic telehealth profile "profile", field epic_provider_app_client_secret: is a secret: give it in "secrets" as an env var or file reference, never in the spec.', writes: 0 },
  { area: 'desired set', case: 'the other environment\'s secret', args: RECONCILE, desired: (s) => withObject(s, 'profile', { secrets: { epic_encryption_key: { env: 'EPIC_PROD_ENCRYPTION_KEY' } } }), exitCode: 1, stderr: 'error: Epic telehealth profile "profile", field epic_encryption_key: this is a non-production stack, but the environment variable EPIC_PROD_ENCRYPTION_KEY is the production variant.', writes: 0 },
  { area: 'desired set', case: 'a secret variable that is not set', args: RECONCILE, env: { EPIC_NONPROD_PATIENT_CLIENT_SECRET: undefined }, exitCode: 1, stderr: 'error: Epic telehealth profile "profile", field epic_patient_app_client_secret: environment variable EPIC_NONPROD_PATIENT_CLIENT_SECRET is not set.', writes: 0 },
  { area: 'desired set', case: 'a package changed after synth', args: RECONCILE, desired: (s) => withObject(s, 'theme', { package: { path: 'theme.zip', sha256: '0'.repeat(64) } }), exitCode: 1, stderr: /^error: theme "theme", field package: package .*theme\.zip changed since it was synthesized; run cdktf synth again\.$/, writes: 0 },
  { area: 'desired set', case: 'a stale file (hash mismatch)', args: ['reconcile', '{desired}', '--expect-hash', 'a'.repeat(64)], exitCode: 1, stderr: /^error: the desired set .* does not match the synthesized stack \(hash [0-9a-f]{12}…, expected aaaaaaaaaaaa…\): run cdktf synth again\.$/, writes: 0 },
  { area: 'desired set', case: 'a spec field named constructor (prototype key)', args: PLAN, desired: (s) => withSpec(s, 'rule', { constructor: 'x' }), exitCode: 1, stderr: 'error: call routing rule "rule", field constructor: unknown or read-only field constructor.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a spec field named toString (prototype key)', args: ['drift', '{desired}'], desired: (s) => withSpec(s, 'policy', { toString: 'x' }), exitCode: 1, stderr: 'error: policy profile "policy", field toString: unknown or read-only field toString.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a spec field named __proto__', args: RECONCILE, desiredText: '{"format":"pexip-cdktf/desired-set@1","stack":"nonprod","environment":"non-production","objects":[{"kind":"policy_server","id":"policy","spec":{"name":"P","__proto__":{"x":1}}}]}', exitCode: 1, stderr: 'error: policy profile "policy", field __proto__: unknown or read-only field __proto__.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'adopt given as the string "false"', args: RECONCILE, desired: (s) => withObject(s, 'policy', { adopt: 'false' as never }), exitCode: 1, stderr: 'error: policy profile "policy", field adopt: must be true or false (got "false").', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a misspelt object option', args: RECONCILE, desired: (s) => withObject(s, 'policy', { adpot: true } as never), exitCode: 1, stderr: 'error: policy profile "policy", field adpot: unknown key "adpot"; allowed: kind, id, spec, secrets, package, secretsVersion, adopt, allowUuidChange, returnOnDestroy, takeOver.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'an option of another kind (returnOnDestroy on a profile)', args: RECONCILE, desired: (s) => withObject(s, 'profile', { returnOnDestroy: true }), exitCode: 1, stderr: 'error: Epic telehealth profile "profile", field returnOnDestroy: applies only to licence.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'an unknown top-level key', args: RECONCILE, desired: (s) => ({ ...s, enviroment: 'production' }) as never, exitCode: 1, stderr: 'error: the desired set has unknown key "enviroment".', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a duplicate JSON key', args: RECONCILE, desiredText: '{"format":"pexip-cdktf/desired-set@1","stack":"nonprod","environment":"non-production","objects":[{"kind":"policy_server","id":"policy","adopt":false,"spec":{"name":"P"},"adopt":true}]}', exitCode: 1, stderr: /^error: the desired set .*desired-nonprod\.json has the key objects\[0\]\.adopt twice; JSON would silently keep the last one\.$/, writes: 0, requests: 0 },
  { area: 'desired set', case: 'a NUL byte in a name', args: RECONCILE, desired: (s) => withSpec(s, 'policy', { name: 'Telehealth\u0000 policy' }), exitCode: 1, stderr: 'error: policy profile "policy", field name: contains a control character (e.g. NUL); remove it.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a line break in a name', args: RECONCILE, desired: (s) => withSpec(s, 'rule', { name: 'Epic\ntelehealth' }), exitCode: 1, stderr: 'error: call routing rule "rule", field name: contains a line break; it must be one line.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a secret reference with both env and file', args: RECONCILE, desired: (s) => withObject(s, 'profile', { secrets: { epic_encryption_key: { env: 'EPIC_NONPROD_ENCRYPTION_KEY', file: 'key.txt' } } }), exitCode: 1, stderr: 'error: Epic telehealth profile "profile", field epic_encryption_key: a secret reference is {"env": "NAME"} or {"file": "PATH"}: exactly one, a non-empty string.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a package without its hash', args: RECONCILE, desired: (s) => withObject(s, 'theme', { package: { path: 'theme.zip' } as never }), exitCode: 1, stderr: 'error: theme "theme", field package: package must be {"path": "<zip file>", "sha256": "<64 hex digits>"}.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'secretsVersion as a number', args: RECONCILE, desired: (s) => withObject(s, 'profile', { secretsVersion: 2 as never }), exitCode: 1, stderr: 'error: Epic telehealth profile "profile", field secretsVersion: must be a string (got 2).', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a secret file that climbs out of the app directory (was: /proc/self/environ sent to Pexip)', args: RECONCILE, desired: (s) => withObject(s, 'profile', { secrets: { ...s.objects.find((o) => o.id === 'profile')!.secrets, epic_patient_app_client_secret: { file: 'NONPROD/../../../../../../../../proc/self/environ' } } }), exitCode: 1, stderr: /^error: Epic telehealth profile "profile", field epic_patient_app_client_secret: secret file \/proc\/self\/environ is outside the app directory .*; keep secret files under the app, or name their directory in PEXIP_CDKTF_SECRETS_DIR\.$/, writes: 0, requests: 0 },
  { area: 'desired set', case: 'secrets check of a secret file outside the app directory', args: ['secrets', 'check', '{desired}'], desired: (s) => withObject(s, 'profile', { secrets: { ...s.objects.find((o) => o.id === 'profile')!.secrets, epic_encryption_key: { file: 'NONPROD/../../../../../../../../etc/hostname' } } }), exitCode: 1, stdout: /PROBLEM {2}Epic telehealth profile "profile" epic_encryption_key ← file:NONPROD\/\.\.\/.*: missing: secret file \/etc\/hostname is outside the app directory/, writes: 0, requests: 0 },
  { area: 'desired set', case: 'a secret file that is a FIFO in the secrets directory', args: RECONCILE, env: { PEXIP_CDKTF_SECRETS_DIR: '{fixtures}' }, desired: (s) => withObject(s, 'profile', { secrets: { ...s.objects.find((o) => o.id === 'profile')!.secrets, epic_encryption_key: { file: '{fixtures}/NONPROD-fifo' } } }), exitCode: 1, stderr: /^error: Epic telehealth profile "profile", field epic_encryption_key: secret file .*NONPROD-fifo must name a regular file, but .*NONPROD-fifo is a named pipe \(FIFO\)\.$/, writes: 0, requests: 0 },
  { area: 'desired set', case: 'a client secret longer than Pexip takes (was: refused after three objects were written)', args: RECONCILE, env: { EPIC_NONPROD_PATIENT_CLIENT_SECRET: 'x'.repeat(101) }, exitCode: 1, stderr: 'error: Epic telehealth profile "profile", field epic_patient_app_client_secret: Ensure this value has at most 100 characters (it has 101).', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a client secret with a trailing CR, as $(cat file-from-windows) gives it', args: RECONCILE, env: { EPIC_NONPROD_PATIENT_CLIENT_SECRET: `${'s'.repeat(40)}\r` }, exitCode: 1, stderr: 'error: Epic telehealth profile "profile", field epic_patient_app_client_secret: environment variable EPIC_NONPROD_PATIENT_CLIENT_SECRET contains a carriage return (a Windows line ending); remove it.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a client secret variable ending with a line feed', args: RECONCILE, env: { EPIC_NONPROD_PROVIDER_CLIENT_SECRET: `${'s'.repeat(40)}\n` }, exitCode: 1, stderr: 'error: Epic telehealth profile "profile", field epic_provider_app_client_secret: environment variable EPIC_NONPROD_PROVIDER_CLIENT_SECRET ends with a blank line or an extra line break; a secret file may end with one line break, an environment variable with none.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a secret file with a Windows line ending', args: RECONCILE, env: { PEXIP_CDKTF_SECRETS_DIR: '{fixtures}' }, desired: (s) => withSecret(s, 'epic_patient_app_client_secret', '{fixtures}/NONPROD-crlf-secret'), exitCode: 1, stderr: inFixtures('error: Epic telehealth profile "profile", field epic_patient_app_client_secret: secret file ', 'NONPROD-crlf-secret', ' contains a carriage return (a Windows line ending); remove it.'), writes: 0, requests: 0 },
  { area: 'desired set', case: 'a secret file ending with a blank line', args: RECONCILE, env: { PEXIP_CDKTF_SECRETS_DIR: '{fixtures}' }, desired: (s) => withSecret(s, 'epic_patient_app_client_secret', '{fixtures}/NONPROD-blank-line-secret'), exitCode: 1, stderr: inFixtures('error: Epic telehealth profile "profile", field epic_patient_app_client_secret: secret file ', 'NONPROD-blank-line-secret', ' ends with a blank line or an extra line break; a secret file may end with one line break, an environment variable with none.'), writes: 0, requests: 0 },
  { area: 'desired set', case: 'a one-line secret file with an inner line break', args: RECONCILE, env: { PEXIP_CDKTF_SECRETS_DIR: '{fixtures}' }, desired: (s) => withSecret(s, 'epic_provider_app_client_secret', '{fixtures}/NONPROD-two-line-secret'), exitCode: 1, stderr: inFixtures('error: Epic telehealth profile "profile", field epic_provider_app_client_secret: secret file ', 'NONPROD-two-line-secret', ' contains a line break; this secret is one line.'), writes: 0, requests: 0 },
  { area: 'desired set', case: 'a web proxy password with a trailing CR', args: RECONCILE, env: { EPIC_NONPROD_PROXY_PASSWORD: 'proxy-password\r' }, desired: withProxy, exitCode: 1, stderr: 'error: web proxy "proxy", field password: environment variable EPIC_NONPROD_PROXY_PASSWORD contains a carriage return (a Windows line ending); remove it.', writes: 0, requests: 0 },
  { area: 'desired set', case: 'a secret file ending with one line feed (tolerated: not part of the value)', args: PLAN, env: { PEXIP_CDKTF_SECRETS_DIR: '{fixtures}' }, desired: (s) => withSecret(s, 'epic_patient_app_client_secret', '{fixtures}/NONPROD-one-newline-secret'), exitCode: 2, stdout: /Plan: 7 to create/, writes: 0 },
  { area: 'desired set', case: 'secrets check of a secret with a trailing CR', args: ['secrets', 'check', '{desired}'], env: { EPIC_NONPROD_PATIENT_CLIENT_SECRET: `${'s'.repeat(40)}\r` }, exitCode: 1, stdout: /PROBLEM {2}Epic telehealth profile "profile" epic_patient_app_client_secret ← env:EPIC_NONPROD_PATIENT_CLIENT_SECRET: malformed: environment variable EPIC_NONPROD_PATIENT_CLIENT_SECRET contains a carriage return/, writes: 0, requests: 0 },
  { area: 'desired set', case: 'a value out of range', args: RECONCILE, desired: (s) => withSpec(s, 'rule', { priority: 500 }), exitCode: 1, stderr: 'error: call routing rule "rule", field priority: Ensure this value is less than or equal to 200.', writes: 0 },
  { area: 'desired set', case: 'an encryption key pasted with keygen\'s "value: " label', requests: 0, args: RECONCILE, env: { EPIC_NONPROD_ENCRYPTION_KEY: `value: ${generateEpicKey()}` }, exitCode: 1, stderr: 'error: Epic telehealth profile "profile", field epic_encryption_key: The key starts with "value: ", as pexip-cdktf keygen and pextelehealthkeygen print it: remove that prefix and keep only the base64 key, or generate the key with: pexip-cdktf keygen --value-only. [epic-key/value-prefix]', writes: 0 },

  // ---- API responses -------------------------------------------------------------------------------------------------------
  { area: 'api response', case: 'malformed JSON', args: RECONCILE, fault: list('{"meta": {"limit": 20'), exitCode: 1, stderr: 'error: Epic telehealth profile — GET /api/admin/configuration/v1/telehealth_profile/: the answer (HTTP 200, application/json) is not valid JSON.', writes: 0 },
  { area: 'api response', case: 'a login page instead of JSON', args: RECONCILE, fault: list('<html><head><title>Pexip Infinity - Log in</title></head></html>', 'text/html; charset=utf-8'), exitCode: 1, stderr: 'error: Epic telehealth profile — GET /api/admin/configuration/v1/telehealth_profile/: received an HTML page (HTTP 200, "Pexip Infinity - Log in") instead of JSON: a reverse proxy or login page is answering. Check PEXIP_ADDRESS points at the Management Node.', writes: 0 },
  { area: 'api response', case: 'a reverse proxy answering 502 pages throughout', args: RECONCILE, fault: { match: { method: 'GET', path: '/telehealth_profile/' }, action: { type: 'html', status: 502 }, times: 10 }, exitCode: 1, stderr: 'error: Epic telehealth profile — GET /api/admin/configuration/v1/telehealth_profile/: the Management Node answered HTTP 502.', writes: 0 },
  { area: 'api response', case: 'the wrong content type with a non-JSON body', args: RECONCILE, fault: list('OK', 'text/plain'), exitCode: 1, stderr: 'error: Epic telehealth profile — GET /api/admin/configuration/v1/telehealth_profile/: the answer (HTTP 200, text/plain) is not valid JSON.', writes: 0 },
  { area: 'api response', case: 'a list without the Tastypie envelope', args: RECONCILE, fault: list('[{"id": 1}]'), exitCode: 1, stderr: 'error: Epic telehealth profile — GET /api/admin/configuration/v1/telehealth_profile/: the list answer is not a Tastypie list; expected a Tastypie list {"meta": {...}, "objects": [...]}.', writes: 0 },
  { area: 'api response', case: 'a next link that repeats forever', args: PLAN, fault: { match: { method: 'GET', path: '/telehealth_profile/' }, action: { type: 'raw', status: 200, contentType: 'application/json', text: '{"meta": {"next": "/api/admin/configuration/v1/telehealth_profile/?offset=20"}, "objects": []}' }, times: 5 }, exitCode: 1, stderr: 'error: Epic telehealth profile — GET /api/admin/configuration/v1/telehealth_profile/: pagination does not end (meta.next repeats /api/admin/configuration/v1/telehealth_profile/?offset=20).', writes: 0 },
  { area: 'api response', case: 'unexpected extra fields (tolerated)', args: PLAN, fault: list('{"meta": {"next": null, "total_count": 1}, "objects": [{"id": 9, "name": "Other profile", "shiny_new_field": {"a": 1}, "resource_uri": "/api/admin/configuration/v1/telehealth_profile/9/"}]}'), exitCode: 2, stdout: /Plan: 7 to create, 0 to update, 0 to prune, 0 unchanged\./, writes: 0 },
  { area: 'api response', case: 'a huge page of 5000 objects (tolerated)', args: PLAN, fault: { match: { method: 'GET', path: '/policy_server/' }, action: { type: 'raw', status: 200, contentType: 'application/json', text: manyPolicies } }, exitCode: 2, stdout: /Plan: 7 to create/, writes: 0 },
  { area: 'api response', case: 'a redirect to the login page', args: RECONCILE, fault: { action: { type: 'status', status: 302, headers: { Location: '/admin/accounts/login/?next=/api/admin/' } } }, exitCode: 1, stderr: /^error: .*: Pexip redirected to its login page: the credentials were not accepted\. Check PEXIP_USERNAME and PEXIP_PASSWORD\.$/, writes: 0 },
  { area: 'api response', case: 'wrong credentials (one request, no retry storm)', args: RECONCILE, env: { PEXIP_PASSWORD: 'not-the-password' }, exitCode: 1, stderr: /^error: .*: authentication failed \(401\): check PEXIP_USERNAME and PEXIP_PASSWORD, or the OAuth2 client settings\.$/, writes: 0, requests: 1 },
  { area: 'api response', case: 'an account without permission', args: RECONCILE, fault: { action: { type: 'status', status: 403 }, times: 20 }, exitCode: 1, stderr: /^error: .*: permission denied \(403\): the API account's administrator role does not allow this\.$/, writes: 0, requests: 1 },
  { area: 'api response', case: 'a server that is not Pexip (404 on the API)', args: RECONCILE, fault: { action: { type: 'status', status: 404 }, times: 20 }, exitCode: 1, stderr: /^error: .*GET \/api\/admin\/configuration\/v1\/[a-z_]+\/: not found \(404\)\.$/, writes: 0, requests: 1 },
  { area: 'api response', case: 'one list fails while another is being retried (was: a "retrying" line after the error)', args: PLAN, fault: { match: { method: 'GET', path: '/gateway_routing_rule/' }, action: { type: 'status', status: 500 } }, extraFaults: [{ match: { method: 'GET', path: '/ivr_theme/' }, action: { type: 'status', status: 503 }, times: 50 }], exitCode: 1, stderr: /^error: (call routing rule — GET \/api\/admin\/configuration\/v1\/gateway_routing_rule\/: the Management Node answered HTTP 500\.|2 requests failed:)$/, writes: 0 },
  // Serial, so the request log is the same on every run: nothing starts after the refusal.
  { area: 'api response', case: 'a create refused with field errors', args: RECONCILE, env: { PEXIP_PARALLELISM: '1' }, fault: { match: { method: 'POST', path: '/gateway_routing_rule/' }, action: { type: 'status', status: 400, body: { gateway_routing_rule: { name: ['Call routing rule with this Name already exists.'] } } } }, exitCode: 1, stderr: 'error: call routing rule "Epic telehealth (non-prod)" — POST /api/admin/configuration/v1/gateway_routing_rule/: Pexip refused the request (400): name: Call routing rule with this Name already exists.', writes: 7 },
];
