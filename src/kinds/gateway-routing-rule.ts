import type { FieldSpec, KindSpec } from './types';

const bool = (label: string, help: string, fallback: boolean): FieldSpec => ({ type: 'boolean', label, help, default: fallback });
const optionalRef = (label: string, references: string, help: string): FieldSpec => ({
  type: 'reference',
  label,
  help,
  references,
  nullable: true,
  readForm: 'uri',
  default: null,
});
const tristate = (label: string, help: string): FieldSpec => ({ type: 'enum', label, help, values: ['default', 'yes', 'no'], default: 'default' });
const callrate = (label: string): FieldSpec => ({ type: 'integer', label, help: 'Bandwidth limit in kbps; null uses the global setting.', min: 128, max: 8192, nullable: true, default: null });

/**
 * Call routing rule (Services > Call routing). The telehealth rule routes incoming web-app calls in the profile's
 * call domain to the Epic telehealth profile; optional rules handle device pairing and dial-out (teleconsult).
 */
export const gatewayRoutingRule: KindSpec = {
  name: 'gateway_routing_rule',
  title: 'call routing rule',
  constructName: 'CallRoutingRule',
  uiPath: 'Services > Call routing',
  collectionPath: '/api/admin/configuration/v1/gateway_routing_rule/',
  detailKey: 'id',
  naturalKey: 'name',
  methods: { list: ['GET', 'POST', 'PATCH', 'DELETE'], detail: ['GET', 'PUT', 'PATCH', 'DELETE'] },
  updateVerb: 'PATCH',
  // The marker lives in the description: `tag` is Pexip's usage-reporting tag (status and history show it as
  // service_tag), so it belongs to the user. Rules marked in `tag` by earlier versions are migrated.
  ownership: { style: 'description-suffix', field: 'description', legacy: { style: 'whole-field', field: 'tag' } },
  removalRank: 1,
  fields: {
    id: { type: 'integer', label: 'ID', help: 'Primary key.', readOnly: true },
    resource_uri: { type: 'string', label: 'Resource URI', help: 'Canonical URI of the object.', readOnly: true },
    creation_time: { type: 'datetime', label: 'Creation time', help: 'When the rule was created (UTC).', readOnly: true },
    name: { type: 'string', label: 'Name', help: 'Rule name.', maxLength: 250, required: true, unique: true },
    description: { type: 'string', label: 'Description', help: 'Free text.', maxLength: 250, default: '' },
    priority: { type: 'integer', label: 'Priority', help: 'Rules are evaluated in ascending priority; the first match wins.', min: 1, max: 200, required: true },
    enable: bool('Enabled', 'A disabled rule stays listed but is ignored.', true),
    match_string: { type: 'string', label: 'Destination alias regex match', help: 'Regular expression matched against the dialled alias.', maxLength: 250, format: 'regex', required: true },
    match_string_full: bool('Match against full alias URI', 'Match the raw alias instead of the parsed one.', false),
    replace_string: { type: 'string', label: 'Destination alias regex replace string', help: 'Replacement for the matched alias; empty leaves it unchanged.', maxLength: 250, default: '' },
    called_device_type: {
      type: 'enum',
      label: 'Call target',
      help: 'What the call is routed to; telehealth_profile is "Epic Telehealth meeting".',
      values: ['external', 'registration', 'mssip_conference_id', 'mssip_server', 'gms_conference', 'teams_conference', 'teams_user', 'telehealth_profile'],
      default: 'external',
    },
    outgoing_protocol: { type: 'enum', label: 'Protocol', help: 'Protocol of the outgoing call.', values: ['h323', 'mssip', 'sip', 'rtmp', 'gms', 'teams'], default: 'sip' },
    call_type: { type: 'enum', label: 'Maximum call capability', help: 'Maximum media content of the call.', values: ['audio', 'video', 'video-only', 'auto'], default: 'video' },
    crypto_mode: { type: 'enum', label: 'Media encryption', help: 'null uses the global setting.', values: ['besteffort', 'on', 'off'], nullable: true, default: null },
    max_pixels_per_second: { type: 'enum', label: 'Maximum call quality', help: 'null uses the global setting.', values: ['sd', 'hd', 'fullhd'], nullable: true, default: null },
    max_callrate_in: callrate('Maximum inbound call bandwidth (kbps)'),
    max_callrate_out: callrate('Maximum outbound call bandwidth (kbps)'),
    denoise_audio: bool('Denoise audio', 'Remove background noise from audio.', true),
    live_captions_enabled: tristate('Live captions', 'default follows the global setting.'),
    external_participant_avatar_lookup: tristate('Participant avatar lookup', 'default follows the global setting.'),
    treat_as_trusted: bool('Treat as trusted', 'Treat the called device as trusted.', false),
    tag: { type: 'string', label: 'Tag', help: 'Usage-reporting tag; shows as service_tag in status and history.', maxLength: 250, default: '' },
    match_incoming_calls: bool('Match incoming calls', 'Apply to incoming calls not routed to a service.', true),
    match_outgoing_calls: bool('Match outgoing calls from a conference', 'Apply to automatically routed dial-outs.', false),
    match_incoming_sip: bool('Match incoming SIP calls', 'Apply to SIP calls.', true),
    match_incoming_h323: bool('Match incoming H.323 calls', 'Apply to H.323 calls.', true),
    match_incoming_mssip: bool('Match incoming Skype for Business calls', 'Apply to MS-SIP calls.', true),
    match_incoming_webrtc: bool('Match incoming web app calls', 'Apply to calls from Pexip apps; telehealth patients and providers join this way.', true),
    match_incoming_teams: bool('Match incoming Teams calls', 'Apply to Teams calls.', false),
    match_incoming_only_if_registered: bool('Match incoming calls from registered devices only', 'Excludes web-app calls when true.', false),
    match_source_location: optionalRef('Calls being handled in location', 'system_location', 'null matches any location.'),
    outgoing_location: optionalRef('Outgoing location', 'system_location', 'null lets Pexip choose.'),
    sip_proxy: optionalRef('SIP proxy', 'sip_proxy', 'null uses DNS.'),
    h323_gatekeeper: optionalRef('H.323 gatekeeper', 'h323_gatekeeper', 'null uses DNS.'),
    mssip_proxy: optionalRef('Skype for Business server', 'mssip_proxy', 'null uses DNS.'),
    teams_proxy: optionalRef('Teams Connector', 'teams_proxy', 'Teams Connector for Teams targets.'),
    stun_server: optionalRef('STUN server', 'stun_server', 'For MS-SIP.'),
    turn_server: optionalRef('TURN server', 'turn_server', 'For MS-SIP.'),
    gms_access_token: optionalRef('Google Meet access token', 'gms_access_token', 'For Google Meet targets.'),
    telehealth_profile: optionalRef('Telehealth profile', 'telehealth_profile', 'The Epic telehealth profile the call goes to.'),
    ivr_theme: { type: 'reference', label: 'Theme', help: 'Theme for the call; null uses the default theme. Reads back as a nested object.', references: 'ivr_theme', nullable: true, readForm: 'nested', default: null },
    disabled_codecs: { type: 'valueList', label: 'Disabled codecs', help: 'Codecs not offered on this route.', default: [] },
  },
  rules: [
    {
      id: 'telehealth-target-needs-profile',
      description: 'A rule whose call target is an Epic Telehealth meeting names the telehealth profile.',
      enforcedBy: 'pexip',
      check: (o) =>
        o.called_device_type === 'telehealth_profile' && (o.telehealth_profile === null || o.telehealth_profile === undefined)
          ? [{ field: 'telehealth_profile', message: 'A telehealth profile is required when the call target is an Epic Telehealth meeting.' }]
          : [],
    },
    {
      id: 'captions-not-on-teams-or-meet',
      description: 'Live captions must be "no" when the outgoing protocol is Teams or Google Meet.',
      enforcedBy: 'pexip',
      check: (o) =>
        (o.outgoing_protocol === 'teams' || o.outgoing_protocol === 'gms') && o.live_captions_enabled !== 'no'
          ? [{ field: 'live_captions_enabled', message: 'Live captions must be "no" for Teams and Google Meet targets.' }]
          : [],
    },
    {
      id: 'telehealth-rule-matches-webrtc',
      description: 'A telehealth rule matches incoming web app calls from unregistered clients, or no patient can join.',
      enforcedBy: 'client',
      check: (o) =>
        o.called_device_type === 'telehealth_profile' && (o.match_incoming_webrtc !== true || o.match_incoming_only_if_registered === true || o.match_incoming_calls !== true)
          ? [{ field: 'match_incoming_webrtc', message: 'A telehealth rule must match incoming web app calls (match_incoming_calls and match_incoming_webrtc true, match_incoming_only_if_registered false).' }]
          : [],
    },
  ],
};
