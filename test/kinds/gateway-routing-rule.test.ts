import { gatewayRoutingRule } from '../../src/kinds/gateway-routing-rule';
import { validateForCreate } from '../../src/kinds/validate';
import { telehealthRuleBody } from '../helpers/fixtures';

const PROFILE = '/api/admin/configuration/v1/telehealth_profile/1/';
const errorsOf = (overrides: Record<string, unknown>) => validateForCreate(gatewayRoutingRule, telehealthRuleBody(PROFILE, overrides as never));

describe('gateway_routing_rule kind', () => {
  it('accepts a telehealth rule bound to a profile', () => {
    expect(errorsOf({})).toEqual([]);
  });

  it('requires a profile when the call target is an Epic Telehealth meeting', () => {
    expect(errorsOf({ telehealth_profile: null })).toEqual([
      { field: 'telehealth_profile', message: 'A telehealth profile is required when the call target is an Epic Telehealth meeting.' },
    ]);
  });

  it('keeps priority within 1-200', () => {
    expect(errorsOf({ priority: 0 }).map((e) => e.field)).toEqual(['priority']);
    expect(errorsOf({ priority: 201 }).map((e) => e.field)).toEqual(['priority']);
  });

  it('keeps call rates within 128-8192 kbps or null', () => {
    expect(errorsOf({ max_callrate_in: 64 }).map((e) => e.field)).toEqual(['max_callrate_in']);
    expect(errorsOf({ max_callrate_out: 9000 }).map((e) => e.field)).toEqual(['max_callrate_out']);
    expect(errorsOf({ max_callrate_in: null })).toEqual([]);
  });

  it('refuses live captions on Teams and Google Meet targets', () => {
    const errors = validateForCreate(gatewayRoutingRule, { name: 'teams', priority: 5, match_string: '.*', outgoing_protocol: 'teams' });
    expect(errors).toEqual([{ field: 'live_captions_enabled', message: 'Live captions must be "no" for Teams and Google Meet targets.' }]);
  });

  it('requires a telehealth rule to match web app calls from anyone (client rule)', () => {
    expect(errorsOf({ match_incoming_webrtc: false }).map((e) => e.field)).toEqual(['match_incoming_webrtc']);
    expect(errorsOf({ match_incoming_only_if_registered: true }).map((e) => e.field)).toEqual(['match_incoming_webrtc']);
  });

  it('refuses an invalid regular expression as match string', () => {
    expect(errorsOf({ match_string: '([a-z' })).toEqual([{ field: 'match_string', message: 'Enter a valid regular expression.' }]);
  });

  it('refuses a reference that is not a resource URI', () => {
    expect(errorsOf({ telehealth_profile: 'profile-1' }).map((e) => e.field)).toEqual(['telehealth_profile']);
  });

  it('takes disabled codecs as {"value": ...} objects', () => {
    expect(errorsOf({ disabled_codecs: [{ value: 'H261' }] })).toEqual([]);
    expect(errorsOf({ disabled_codecs: ['H261'] }).map((e) => e.field)).toEqual(['disabled_codecs']);
  });
});
