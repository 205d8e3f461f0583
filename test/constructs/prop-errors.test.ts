import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import {
  CallRoutingRule,
  EpicTelehealthIntegration,
  type EpicTelehealthIntegrationProps,
  EpicTelehealthProfile,
  type EpicTelehealthProfileProps,
  LocationAssignment,
  PexipStack,
  PolicyProfile,
  PropError,
  reportChildProps,
  Secret,
  TelehealthLicence,
  Theme,
  WebAppBranding,
  WebProxy,
} from '../../src';
import { themePackage } from '../helpers/packages';
import { tempDir } from '../helpers/terraform';

/**
 * Synth errors name what the user wrote: the construct they created and the prop they set on it. Errors about the
 * objects an EpicTelehealthIntegration makes are the integration's, with its props; an L2 used directly names its own
 * props (secrets included); errors found only when the stack checks its whole desired set are traced back the same way.
 */

const packages = tempDir('pexip-prop-errors-');
const THEME_ZIP = join(packages, 'theme.zip');
writeFileSync(THEME_ZIP, themePackage());
const UUID = '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5';

const stack = () => new PexipStack(Testing.app(), 'nonprod', { environment: 'non-production' });

function integrationProps(overrides: Partial<EpicTelehealthIntegrationProps> = {}): EpicTelehealthIntegrationProps {
  return {
    environment: 'non-production',
    profileName: 'Healthcare Org',
    callDomain: 'telehealth.example.org',
    webAppBaseUrl: 'https://meet.example.org/',
    epic: { baseUrl: 'https://epic.example.org/', oauth2BaseUrl: 'https://epic.example.org/oauth', patientClientId: 'pid', providerClientId: 'vid' },
    secrets: {
      patientClientSecret: Secret.fromEnv('EPIC_NONPROD_PATIENT_CLIENT_SECRET'),
      providerClientSecret: Secret.fromEnv('EPIC_NONPROD_PROVIDER_CLIENT_SECRET'),
      encryptionKey: Secret.fromEnv('EPIC_NONPROD_ENCRYPTION_KEY'),
    },
    routing: { priority: 10 },
    ...overrides,
  };
}

function profileProps(overrides: Partial<EpicTelehealthProfileProps> = {}): EpicTelehealthProfileProps {
  return {
    name: 'Healthcare Org',
    telehealthCallDomain: 'telehealth.example.org',
    telehealthIntegrationBaseUrl: 'https://epic.example.org/',
    telehealthIntegrationOauth2BaseApiUrl: 'https://epic.example.org/oauth',
    infinityWebappServerBaseUrl: 'https://meet.example.org/',
    epicPatientAppClientId: 'pid',
    epicProviderAppClientId: 'vid',
    patientClientSecret: Secret.fromEnv('EPIC_NONPROD_PATIENT_CLIENT_SECRET'),
    providerClientSecret: Secret.fromEnv('EPIC_NONPROD_PROVIDER_CLIENT_SECRET'),
    encryptionKey: Secret.fromEnv('EPIC_NONPROD_ENCRYPTION_KEY'),
    ...overrides,
  };
}

/** Builds an integration with these props; `synth` also checks the stack's whole desired set, as synthesis does. */
const integration = (overrides: Partial<EpicTelehealthIntegrationProps>, synth = false) => () => {
  const s = stack();
  new EpicTelehealthIntegration(s, 'epic', integrationProps(overrides));
  if (synth) s.desiredSet();
};
/** With a secret's value in the synth environment, where the constructs check it (never printing it). */
const withEnv = (name: string, value: string, build: () => void) => () => {
  process.env[name] = value;
  try {
    build();
  } finally {
    delete process.env[name];
  }
};
const PROD_SECRET = Secret.fromEnv('EPIC_PROD_PROVIDER_CLIENT_SECRET');
const LONG_BASE_URL = `https://${'m'.repeat(190)}.example.org/`; // 211 characters: valid, but its redirect URLs are not
const DOTTED_DOMAIN = `${'ab.'.repeat(80)}org`; // 243 characters, 80 dots that the alias match escapes
const LOW_ENTROPY_KEY = Buffer.alloc(32, 9).toString('base64');
const SHORT_KEY = Buffer.alloc(16, 9).toString('base64');

const cases: [string, () => void, string][] = [
  // EpicTelehealthIntegration: per-field checks of the objects it makes, named by its own props.
  ['profile name too long', integration({ profileName: 'n'.repeat(251) }), 'nonprod/epic: profileName: Ensure this value has at most 250 characters (it has 251).'],
  ['call domain not a host name', integration({ callDomain: 'telehealth.example.org/x' }), 'nonprod/epic: callDomain: Enter a valid host name or IP address.'],
  ['web app base URL over plain http', integration({ webAppBaseUrl: 'http://meet.example.org/' }), 'nonprod/epic: webAppBaseUrl: Enter a valid HTTPS URL (https://host/...).'],
  ['Epic OAuth2 base URL not a URL', integration({ epic: { ...integrationProps().epic, oauth2BaseUrl: 'epic.example.org/oauth' } }), 'nonprod/epic: epic.oauth2BaseUrl: Enter a valid HTTPS URL (https://host/...).'],
  ['empty patient client id', integration({ epic: { ...integrationProps().epic, patientClientId: '' } }), 'nonprod/epic: epic.patientClientId: This field is required.'],
  [
    'backend token URL over plain http',
    integration({ epic: { ...integrationProps().epic, backend: { clientId: 'b', tokenUrl: 'http://epic.example.org/token', privateKey: Secret.fromEnv('EPIC_NONPROD_BACKEND_KEY') } } }),
    'nonprod/epic: epic.backend.tokenUrl: Enter a valid HTTPS URL (https://host/...).',
  ],
  ['malformed profile uuid', integration({ profileUuid: 'abc' }), 'nonprod/epic: profileUuid: Enter a valid UUID (8-4-4-4-12 hexadecimal digits).'],
  ['unknown encryption algorithm', integration({ encryptionAlgorithm: 'DES' as 'AES-256-CBC' }), 'nonprod/epic: encryptionAlgorithm: must be one of AES-128-CBC, AES-256-CBC (got "DES").'],
  ['service name template without the encounter id', integration({ templates: { serviceName: 'Visit' } }), 'nonprod/epic: templates.serviceName: The template must contain {{unique_encounter_id}}.'],
  ['provider join link without the pin', integration({ templates: { providerJoinLink: 'https://meet/?c={{telehealth_alias}}' } }), 'nonprod/epic: templates.providerJoinLink: The template must contain pin.'],
  ['rule priority of 0', integration({ routing: { priority: 0 } }), 'nonprod/epic: routing.priority: Ensure this value is greater than or equal to 1.'],
  ['invalid alias match', integration({ routing: { priority: 5, matchString: '(.*' } }), 'nonprod/epic: routing.matchString: Enter a valid regular expression.'],
  ['rule name too long', integration({ routing: { priority: 5, name: 'r'.repeat(251) } }), 'nonprod/epic: routing.name: Ensure this value has at most 250 characters (it has 251).'],
  // Values the integration makes from a prop: the prop, and what was made from it.
  ['redirect URLs made from a long web app URL', integration({ webAppBaseUrl: LONG_BASE_URL }), 'nonprod/epic: webAppBaseUrl: the patient OAuth2 redirect URL made from it: Ensure this value has at most 255 characters (it has 290).'],
  ['rule name made from a long profile name', integration({ profileName: 'n'.repeat(240) }), "nonprod/epic: profileName: the telehealth rule's name made from it: Ensure this value has at most 250 characters (it has 257)."],
  ['alias match made from a long call domain', integration({ callDomain: DOTTED_DOMAIN }), "nonprod/epic: callDomain: the telehealth rule's alias match made from it: Ensure this value has at most 250 characters (it has 326)."],
  // Values that pass Pexip's field checks but would break the integration or leak.
  ['a call domain ending with a dot (call-domain-without-final-dot)', integration({ callDomain: 'telehealth-test.example.org.' }), 'nonprod/epic: callDomain: The call domain ends with a dot, which no alias has, so the telehealth call routing rule would match no call: refused, not changed; write "telehealth-test.example.org".'],
  ['credentials in the web app base URL (no-credentials-in-urls)', integration({ webAppBaseUrl: 'https://user:pw@meet.example.org/' }), 'nonprod/epic: webAppBaseUrl: The URL contains credentials (user:password@ before the host); they would be stored in Pexip and in plain text in plans and cdk.tf.json: remove them.'],
  ['a user name in the Epic base URL', integration({ epic: { ...integrationProps().epic, baseUrl: 'https://svc@epic.example.org/' } }), 'nonprod/epic: epic.baseUrl: The URL contains credentials (user:password@ before the host); they would be stored in Pexip and in plain text in plans and cdk.tf.json: remove them.'],
  ['credentials in the policy server URL', integration({ policy: { name: 'P', url: 'https://policy:secret@policy.example.org/' } }), 'nonprod/epic: policy.url: The URL contains credentials (user:password@ before the host); they would be stored in Pexip and in plain text in plans and cdk.tf.json: remove them.'],
  // Cross-field rules.
  ['AES-256 with a password key (aes256-requires-base64key)', integration({ encryptionKeyType: 'password' }), 'nonprod/epic: encryptionKeyType: AES-256-CBC requires key type base64key.'],
  [
    'a key of the wrong length in the synth environment (epic-key-matches-algorithm)',
    withEnv('EPIC_NONPROD_ENCRYPTION_KEY', SHORT_KEY, integration({})),
    'nonprod/epic: secrets.encryptionKey: AES-256-CBC needs a 32-byte key (44 base64 characters); this key decodes to 16 bytes. Generate one with: pexip-cdktf keygen 32. [epic-key/length]',
  ],
  [
    'a weak key in the synth environment (epic-key-strength)',
    withEnv('EPIC_NONPROD_ENCRYPTION_KEY', LOW_ENTROPY_KEY, integration({})),
    'nonprod/epic: secrets.encryptionKey: The key has too few distinct byte values to be random; generate one with pexip-cdktf keygen. [epic-key/low-entropy]',
  ],
  ['a policy lookup without its server (external-lookup-needs-url)', integration({ policy: { name: 'P', enableServiceLookup: true } }), 'nonprod/epic: policy.url: An external policy lookup is enabled, so the policy server URL is required.'],
  // Secret variants.
  [
    'a production secret in a non-production stack',
    integration({ secrets: { ...integrationProps().secrets, providerClientSecret: PROD_SECRET } }),
    'nonprod/epic: secrets.providerClientSecret: this is a non-production stack, but the environment variable EPIC_PROD_PROVIDER_CLIENT_SECRET is the production variant.',
  ],
  [
    'a secret file that does not say its environment',
    integration({ secrets: { ...integrationProps().secrets, encryptionKey: Secret.fromFile('/run/secrets/epic-key') } }),
    'nonprod/epic: secrets.encryptionKey: the file /run/secrets/epic-key does not say which environment it is for; name it with PROD or NONPROD (e.g. EPIC_NONPROD_PROVIDER_CLIENT_SECRET).',
  ],
  [
    'a production backend key in a non-production stack',
    integration({ epic: { ...integrationProps().epic, backend: { clientId: 'b', tokenUrl: 'https://epic.example.org/token', privateKey: Secret.fromEnv('EPIC_PROD_BACKEND_KEY') } } }),
    'nonprod/epic: epic.backend.privateKey: this is a non-production stack, but the environment variable EPIC_PROD_BACKEND_KEY is the production variant.',
  ],
  // Theme, web app, policy, web proxy, locations, licence, extra rules.
  ['theme name too long', integration({ theme: { name: 't'.repeat(251), packageFile: THEME_ZIP } }), 'nonprod/epic: theme.name: Ensure this value has at most 250 characters (it has 251).'],
  ['theme with a file and a directory', integration({ theme: { name: 'T', packageFile: THEME_ZIP, packageDirectory: packages } }), 'nonprod/epic: theme.packageFile: give exactly one of packageFile or packageDirectory.'],
  ['theme package missing', integration({ theme: { name: 'T', packageFile: join(packages, 'nope.zip') } }), `nonprod/epic: theme.packageFile: cannot read ${join(packages, 'nope.zip')} (ENOENT).`],
  ['branding name too long', integration({ webApp: { brandingName: 'b'.repeat(101), branding: { packageFile: THEME_ZIP } } }), 'nonprod/epic: webApp.brandingName: Ensure this value has at most 100 characters (it has 101).'],
  [
    'branding directory missing',
    integration({ webApp: { brandingName: 'B', branding: { packageDirectory: join(packages, 'none') } } }),
    `nonprod/epic: webApp.branding.packageDirectory: cannot read ${join(packages, 'none')} (ENOENT).`,
  ],
  ['web app path with a space', integration({ webApp: { brandingName: 'B', branding: { packageFile: THEME_ZIP }, pathSlug: 'tele health' } }), 'nonprod/epic: webApp.pathSlug: Use only letters, digits, "-" and "_".'],
  ['web proxy address not a host name', integration({ webProxy: { name: 'Proxy', address: 'proxy example' } }), 'nonprod/epic: webProxy.address: Enter a valid host name or IP address (IPv4, or IPv6 without brackets).'],
  ['web proxy port 0', integration({ webProxy: { name: 'Proxy', address: 'proxy.example.org', port: 0 } }), 'nonprod/epic: webProxy.port: Ensure this value is greater than or equal to 1.'],
  ['a location listed twice', integration({ policy: { name: 'P' }, locations: ['Hospital DC', 'Hospital DC'] }), 'nonprod/epic: locations: "Hospital DC" is listed twice.'],
  ['an empty location list', integration({ webProxy: { name: 'Proxy', address: 'proxy.example.org' }, locations: [] }), 'nonprod/epic: locations: name at least one system location.'],
  ['locations with nothing to assign', integration({ locations: ['Hospital DC'] }), 'nonprod/epic: locations: there is nothing to assign; give policy, webProxy, or both.'],
  ['locationsTakeOver without locations', integration({ policy: { name: 'P' }, locationsTakeOver: true }), 'nonprod/epic: locationsTakeOver: applies only with locations.'],
  ['an empty licence entitlement', integration({ licence: { entitlementId: '' } }), 'nonprod/epic: licence.entitlementId: This field is required.'],
  ['a device-pairing rule priority over 200', integration({ devicePairingRule: { name: 'Pairing', priority: 500, matchString: 'pair\\..*' } }), 'nonprod/epic: devicePairingRule.priority: Ensure this value is less than or equal to 200.'],
  ['a dial-out rule with an invalid match', integration({ dialOutRule: { name: 'Dial out', priority: 30, matchString: '[' } }), 'nonprod/epic: dialOutRule.matchString: Enter a valid regular expression.'],
  ['a profile where a theme is expected', () => {
    const s = stack();
    const other = new EpicTelehealthProfile(s, 'other', profileProps({ name: 'Other' }));
    new EpicTelehealthIntegration(s, 'epic', integrationProps({ theme: other as never }));
  }, 'nonprod/epic: theme: expects a Theme, got a EpicTelehealthProfile.'],
  ['an integration of the other environment', integration({ environment: 'production' }), 'nonprod/epic: environment: this integration is production, but stack "nonprod" is non-production.'],

  // Found only when the stack checks its whole desired set, still traced back to the integration's props.
  ['a line break in the profile name', integration({ profileName: 'Healthcare\nOrg' }, true), 'nonprod/epic: profileName: contains a line break; it must be one line.'],
  ['a right-to-left override in the profile name', integration({ profileName: '\u202eenaJ Org' }, true), 'nonprod/epic: profileName: contains an invisible or text-direction character (U+202E); remove it.'],
  ['a zero-width space in the theme name', integration({ theme: { name: 'Tele\u200bhealth', packageFile: THEME_ZIP } }, true), 'nonprod/epic: theme.name: contains an invisible or text-direction character (U+200B); remove it.'],
  ['a C1 control character in the rule name', integration({ routing: { priority: 5, name: 'Epic\u0085rule' } }, true), 'nonprod/epic: routing.name: contains an invisible or text-direction character (U+0085); remove it.'],
  ['a policy name reserved for ledgers', integration({ policy: { name: 'pexip-cdktf: nonprod' } }, true), 'nonprod/epic: policy.name: names starting with "pexip-cdktf: " are reserved for the stacks\' ledgers.'],
  ['a malformed secrets version', integration({ secrets: { ...integrationProps().secrets, version: 'v 1' } }, true), 'nonprod/epic: secrets.version: must match ^[A-Za-z0-9._-]{1,16}$.'],
  [
    'an environment variable name with spaces',
    integration({ secrets: { ...integrationProps().secrets, encryptionKey: Secret.fromEnv('EPIC NONPROD KEY') } }, true),
    'nonprod/epic: secrets.encryptionKey: "EPIC NONPROD KEY" is not a valid environment variable name.',
  ],
  ['a description with no room for the marker', integration({ description: 'd'.repeat(240) }, true), 'nonprod/epic: description: is 240 characters; with the ownership marker it must stay within 170.'],
  ['two integrations with one profile name', () => {
    const s = stack();
    new EpicTelehealthIntegration(s, 'a', integrationProps());
    new EpicTelehealthIntegration(s, 'b', integrationProps({ routing: { priority: 11, name: 'Second rule' } }));
    s.desiredSet();
  }, 'nonprod/b: profileName: "Healthcare Org" is also declared by nonprod/a.'],
  ['one location in two integrations', () => {
    const s = stack();
    new EpicTelehealthIntegration(s, 'a', integrationProps({ policy: { name: 'P1' }, locations: ['Hospital DC'] }));
    new EpicTelehealthIntegration(s, 'b', integrationProps({ profileName: 'Other', policy: { name: 'P2' }, locations: ['Hospital DC'] }));
    s.desiredSet();
  }, 'nonprod/b: locations: "Hospital DC" is also declared by nonprod/a.'],

  // L2s used directly name their own props: secrets by the prop that holds them, not by the wire field.
  ['profile: a production encryption key', () => new EpicTelehealthProfile(stack(), 'profile', profileProps({ encryptionKey: Secret.fromEnv('EPIC_PROD_ENCRYPTION_KEY') })), 'nonprod/profile: encryptionKey: this is a non-production stack, but the environment variable EPIC_PROD_ENCRYPTION_KEY is the production variant.'],
  [
    'profile: a patient secret file without its environment',
    () => new EpicTelehealthProfile(stack(), 'profile', profileProps({ patientClientSecret: Secret.fromFile('patient-secret.txt') })),
    'nonprod/profile: patientClientSecret: the file patient-secret.txt does not say which environment it is for; name it with PROD or NONPROD (e.g. EPIC_NONPROD_PROVIDER_CLIENT_SECRET).',
  ],
  [
    'profile: a redirect URL without the uuid (redirect-urls-carry-uuid)',
    () => new EpicTelehealthProfile(stack(), 'profile', profileProps({ uuid: UUID, patientOauth2RedirectUrl: 'https://meet.example.org/api/telehealth/v1/patient/oauth2authorized/' })),
    'nonprod/profile: patientOauth2RedirectUrl: The redirect URL must end with the profile uuid (…/oauth2authorized/<uuid>).',
  ],
  [
    'profile: redirect URLs made from a long base URL',
    () => new EpicTelehealthProfile(stack(), 'profile', profileProps({ uuid: UUID, infinityWebappServerBaseUrl: LONG_BASE_URL })),
    'nonprod/profile: infinityWebappServerBaseUrl: the patient OAuth2 redirect URL made from it: Ensure this value has at most 255 characters (it has 290).',
  ],
  ['profile: AES-256 with a password key', () => new EpicTelehealthProfile(stack(), 'profile', profileProps({ epicEncryptionKeyType: 'password' })), 'nonprod/profile: epicEncryptionKeyType: AES-256-CBC requires key type base64key.'],
  [
    'profile: a weak key in the synth environment',
    withEnv('EPIC_NONPROD_ENCRYPTION_KEY', LOW_ENTROPY_KEY, () => new EpicTelehealthProfile(stack(), 'profile', profileProps())),
    'nonprod/profile: encryptionKey: The key has too few distinct byte values to be random; generate one with pexip-cdktf keygen. [epic-key/low-entropy]',
  ],
  ['rule: a theme prop given a profile', () => {
    const s = stack();
    const profile = new EpicTelehealthProfile(s, 'profile', profileProps());
    new CallRoutingRule(s, 'rule', { name: 'r', priority: 9, matchString: '.*', ivrTheme: profile as never });
  }, 'nonprod/rule: ivrTheme: expects a Theme, got a EpicTelehealthProfile.'],
  ['theme: both a file and a directory', () => new Theme(stack(), 'theme', { name: 'T', packageFile: THEME_ZIP, packageDirectory: packages }), 'nonprod/theme: packageFile: give exactly one of packageFile or packageDirectory.'],
  ['theme: a missing package file', () => new Theme(stack(), 'theme', { name: 'T', packageFile: join(packages, 'nope.zip') }), `nonprod/theme: packageFile: cannot read ${join(packages, 'nope.zip')} (ENOENT).`],
  ['policy: an external lookup without a server URL', () => new PolicyProfile(stack(), 'policy', { name: 'P', enableServiceLookup: true }), 'nonprod/policy: url: An external policy lookup is enabled, so the policy server URL is required.'],
  ['branding: a name over 100 characters', () => new WebAppBranding(stack(), 'b', { name: 'b'.repeat(101), webappType: 'webapp3', packageFile: THEME_ZIP }), 'nonprod/b: name: Ensure this value has at most 100 characters (it has 101).'],
  ['web proxy: a port over 65535', () => new WebProxy(stack(), 'proxy', { name: 'Proxy', address: 'proxy.example.org', port: 70000 }), 'nonprod/proxy: port: Ensure this value is less than or equal to 65535.'],
  [
    'web proxy: a malformed secrets version',
    () => {
      const s = stack();
      new WebProxy(s, 'proxy', { name: 'Proxy', address: 'proxy.example.org', username: 'u', password: Secret.fromEnv('PROXY_PASSWORD'), secretsVersion: 'two words' });
      s.desiredSet();
    },
    'nonprod/proxy: secretsVersion: must match ^[A-Za-z0-9._-]{1,16}$.',
  ],
  ['licence: an empty entitlement', () => new TelehealthLicence(stack(), 'licence', { entitlementId: '' }), 'nonprod/licence: entitlementId: This field is required.'],
  ['location assignment: no location', () => new LocationAssignment(stack(), 'assign', { locations: [], webProxy: WebProxy.fromName('Proxy') }), 'nonprod/assign: locations: name at least one system location.'],
  ['location assignment: a policy profile of another stack', () => {
    const s = stack();
    const other = new PexipStack(Testing.app(), 'other', { environment: 'non-production' });
    new LocationAssignment(s, 'assign', { locations: ['Hospital DC'], policyProfile: new PolicyProfile(other, 'policy', { name: 'P' }) });
    s.desiredSet();
  }, 'nonprod/assign: policyProfile: refers to "policy", which this stack does not declare.'],
  ['policy: two with one name', () => {
    const s = stack();
    new PolicyProfile(s, 'a', { name: 'Same' });
    new PolicyProfile(s, 'b', { name: 'Same' });
    s.desiredSet();
  }, 'nonprod/b: name: "Same" is also declared by nonprod/a.'],
];

describe('invalid props fail synth naming the construct the user created and the prop they wrote', () => {
  it.each(cases)('%s', (_what, build, message) => {
    let thrown: unknown;
    try {
      build();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe(message);
  });

  it('never names a wire field or a construct the user did not create', () => {
    for (const [, build] of cases) {
      try {
        build();
      } catch (error) {
        // Template variables ({{unique_encounter_id}}) are the user's text, not field names.
        expect((error as Error).message.replace(/\{\{[^}]*\}\}/g, '')).not.toMatch(/\b[a-z0-9]+_[a-z0-9_]+\b/);
        expect((error as Error).message).not.toMatch(/^nonprod\/epic\//);
      }
    }
  });

  it('carries the construct path, the prop and the problem separately', () => {
    let error: unknown;
    try {
      integration({ routing: { priority: 0 } })();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PropError);
    expect(error).toMatchObject({ constructPath: 'nonprod/epic', prop: 'routing.priority', problem: 'Ensure this value is greater than or equal to 1.' });
  });

  it("climbs further: a construct wrapping the integration reports the integration's errors as its own props", () => {
    class Clinic extends Construct {
      constructor(scope: Construct, id: string, props: { name: string; rulePriority: number; domain?: string }) {
        super(scope, id);
        const epic = reportChildProps(this, 'epic', { profileName: 'name', 'routing.priority': 'rulePriority' });
        new EpicTelehealthIntegration(this, epic, integrationProps({ profileName: props.name, routing: { priority: props.rulePriority }, callDomain: props.domain ?? 'telehealth.example.org' }));
      }
    }
    const messageOf = (build: () => void) => {
      try {
        build();
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    };
    expect(messageOf(() => new Clinic(stack(), 'clinic', { name: 'North', rulePriority: 0 }))).toBe('nonprod/clinic: rulePriority: Ensure this value is greater than or equal to 1.');
    expect(messageOf(() => new Clinic(stack(), 'clinic', { name: 'n'.repeat(251), rulePriority: 1 }))).toBe('nonprod/clinic: name: Ensure this value has at most 250 characters (it has 251).');
    // A prop the wrapper does not map stays with the construct that has it.
    expect(messageOf(() => new Clinic(stack(), 'clinic', { name: 'North', rulePriority: 1, domain: 'bad domain' }))).toBe('nonprod/clinic/epic: callDomain: Enter a valid host name or IP address.');
  });
});
