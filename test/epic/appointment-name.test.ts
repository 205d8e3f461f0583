import { attributeConference, compileServiceNameTemplate, DOCUMENTED_SERVICE_NAME_TEMPLATE, formatAppointmentName, maskConferenceName, maskPersonName, variableRole } from '../../src/epic/appointment-name';
import { parseTemplate, renderTemplate, TemplateError } from '../../src/epic/jinja-subset';

const documented = (profile: string) => compileServiceNameTemplate(DOCUMENTED_SERVICE_NAME_TEMPLATE, profile);
const PROFILES = ['Healthcare Org', 'Picardo Healthcare Org', 'Org'].map(documented);
const attribute = (name: string) => attributeConference(name, PROFILES);

describe('appointment conference names under the documented template', () => {
  it('the documented default renders the documented form, with and without department and middle name', () => {
    const context = { unique_encounter_id: '6ea6d1427f684721abd21c1634386f7b6', telehealth_profile: { name: 'Healthcare Org' } };
    expect(renderTemplate(DOCUMENTED_SERVICE_NAME_TEMPLATE, { ...context, launch_information: { fname: 'Beverley', mname: 'P', lname: 'Spinder', department: 'Radiology' } })).toBe(
      'Appointment for Beverley P Spinder Healthcare Org:6ea6d1427f684721abd21c1634386f7b6 in Radiology',
    );
    expect(renderTemplate(DOCUMENTED_SERVICE_NAME_TEMPLATE, { ...context, launch_information: { fname: 'Kai', lname: 'Picardo' } })).toBe('Appointment for Kai Picardo Healthcare Org:6ea6d1427f684721abd21c1634386f7b6');
  });

  it('parses the first documented example, with department', () => {
    expect(attributeConference('Appointment for Beverley P Spinder Healthcare Org:6ea6d1427f684721abd21c1634386f7b6 in Radiology', [documented('Healthcare Org')])).toEqual({
      kind: 'appointment',
      appointment: { patientName: 'Beverley P Spinder', profileName: 'Healthcare Org', appointmentId: '6ea6d1427f684721abd21c1634386f7b6', department: 'Radiology' },
    });
  });

  it('parses the second documented example, without department', () => {
    expect(attributeConference('Appointment for Kai Oosman Picardo Healthcare Org:5ec8f1667f531781afe19c1774322f7b8', [documented('Healthcare Org')])).toEqual({
      kind: 'appointment',
      appointment: { patientName: 'Kai Oosman Picardo', profileName: 'Healthcare Org', appointmentId: '5ec8f1667f531781afe19c1774322f7b8' },
    });
  });

  it('prefers the longest profile name that fits, leaving a patient name', () => {
    expect(attribute('Appointment for Kai Oosman Picardo Healthcare Org:5ec8')).toMatchObject({ appointment: { patientName: 'Kai Oosman', profileName: 'Picardo Healthcare Org' } });
  });

  it('keeps " in " and colons inside the department', () => {
    expect(attribute('Appointment for Zoë Ångström Org:abc123 in Cardiology: Care in the Community')).toMatchObject({
      appointment: { patientName: 'Zoë Ångström', appointmentId: 'abc123', department: 'Cardiology: Care in the Community' },
    });
  });

  it('round-trips formatted names', () => {
    const appointment = { patientName: 'Nguyễn Thị Minh', profileName: 'Healthcare Org', appointmentId: 'ff00', department: 'Mental Health in Primary Care' };
    expect(attribute(formatAppointmentName(appointment))).toEqual({ kind: 'appointment', appointment });
  });

  it('attributes one-word patient names, as the template renders them with an empty first or last name', () => {
    const context = { unique_encounter_id: 'a1b2', telehealth_profile: { name: 'Healthcare Org' } };
    const lastOnly = renderTemplate(DOCUMENTED_SERVICE_NAME_TEMPLATE, { ...context, launch_information: { fname: '', lname: 'Suharto', department: 'Radiology' } });
    const firstOnly = renderTemplate(DOCUMENTED_SERVICE_NAME_TEMPLATE, { ...context, launch_information: { fname: 'Al', lname: '' } });
    expect([lastOnly, firstOnly]).toEqual(['Appointment for  Suharto Healthcare Org:a1b2 in Radiology', 'Appointment for Al  Healthcare Org:a1b2']);
    expect(attribute(lastOnly)).toEqual({ kind: 'appointment', appointment: { patientName: 'Suharto', profileName: 'Healthcare Org', appointmentId: 'a1b2', department: 'Radiology' } });
    expect(attribute(firstOnly)).toEqual({ kind: 'appointment', appointment: { patientName: 'Al', profileName: 'Healthcare Org', appointmentId: 'a1b2' } });
    // With no name at all the rest still pins it; the patient participant's display name then stands in.
    expect(attribute('Appointment for   Healthcare Org:a1b2')).toEqual({ kind: 'appointment', appointment: { profileName: 'Healthcare Org', appointmentId: 'a1b2' } });
  });

  it('attributes nothing to names no profile template produces', () => {
    expect(attribute('Weekly team VMR')).toEqual({ kind: 'none' });
    expect(attribute('Appointment for Jo Bloggs Other Clinic:abc')).toEqual({ kind: 'none' });
    expect(attribute('appointment for Lowercase Person Org:abc')).toEqual({ kind: 'none' });
  });
});

describe('customised service name templates', () => {
  it('recognises a template without patient name or profile name, by its literal text and the id', () => {
    const matcher = compileServiceNameTemplate('Telehealth visit {{ unique_encounter_id }}', 'Clinic A');
    expect(matcher.match('Telehealth visit 1234abcd')).toEqual({ profileName: 'Clinic A', appointmentId: '1234abcd' });
    expect(matcher.match('Weekly huddle')).toBeUndefined();
  });

  it('captures names from differently named variables, with filters and whitespace control', () => {
    const matcher = compileServiceNameTemplate('{{ profile_name }} | {{launch_information.lname|upper}}, {{ launch_information.fname }} {%- if dept %} ({{ dept }}){% endif %} #{{unique_encounter_id}}', 'North Clinic');
    expect(matcher.match('North Clinic | SMITH, Anna (Radiology) #99ff')).toEqual({ profileName: 'North Clinic', patientName: 'Anna SMITH', department: 'Radiology', appointmentId: '99ff' });
    expect(matcher.match('North Clinic | SMITH, Anna #99ff')).toEqual({ profileName: 'North Clinic', patientName: 'Anna SMITH', appointmentId: '99ff' });
    expect(matcher.match('South Clinic | SMITH, Anna #99ff')).toBeUndefined();
  });

  it('breaks ties between profiles sharing a template by the provider present, else reports ambiguity', () => {
    const template = 'Visit {{unique_encounter_id}}';
    const matchers = [compileServiceNameTemplate(template, 'A'), compileServiceNameTemplate(template, 'B')];
    expect(attributeConference('Visit 42', matchers)).toEqual({ kind: 'ambiguous', profiles: ['A', 'B'] });
    expect(attributeConference('Visit 42', matchers, (candidates) => candidates.find((c) => c === 'B'))).toMatchObject({ kind: 'appointment', appointment: { profileName: 'B' } });
  });

  it('judges variables by meaning', () => {
    expect(['unique_encounter_id', 'launch_information.fname', 'launch_information.mname', 'launch_information.lname', 'patient_name', 'telehealth_profile.name', 'profile_name', 'launch_information.department', 'base_telehealth_alias'].map(variableRole)).toEqual([
      'appointmentId',
      'firstName',
      'middleName',
      'lastName',
      'patientName',
      'profileName',
      'profileName',
      'department',
      'other',
    ]);
  });

  it('refuses templates outside the supported subset, with the reason', () => {
    expect(() => parseTemplate('{% for p in people %}{{p}}{% endfor %}')).toThrow(new TemplateError('the statement {% for p in people %} is not supported'));
    expect(() => parseTemplate('{% if x %}open')).toThrow(TemplateError);
    expect(() => parseTemplate('Visit {{ unique_encounter_id')).toThrow(TemplateError);
    expect(() => parseTemplate('{{ a + b }}')).toThrow(TemplateError);
  });

  it('renders elif and else branches, and not', () => {
    const template = '{% if a %}A{% elif b %}B{% else %}C{% endif %}{% if not d %}!{% endif %}{# note #}';
    expect(renderTemplate(template, { a: 1 })).toBe('A!');
    expect(renderTemplate(template, { b: 'x', d: true })).toBe('B');
    expect(renderTemplate(template, {})).toBe('C!');
  });
});

describe('masking', () => {
  it('masks a person as first and last initials', () => {
    expect(maskPersonName('Beverley P Spinder')).toBe('B. S.');
    expect(maskPersonName('Zoë')).toBe('Z.');
    expect(maskPersonName('ünal yılmaz')).toBe('Ü. Y.');
    expect(maskPersonName('  ')).toBe('?');
  });

  it('masks a conference name word by word, keeping its shape', () => {
    expect(maskConferenceName('Appointment for Jo Bramblecote Unknown Clinic:ff66')).toBe('A… f… J… B… U… C…:f…');
    expect(maskConferenceName('Dr X room')).toBe('D… X r…');
  });

  it('takes the first letter as the initial, never a text-direction or zero-width character before it', () => {
    expect(maskPersonName('\u202eenaJ eoD')).toBe('E. E.');
    expect(maskPersonName('\u200bJane \u2066Doe')).toBe('J. D.');
    expect(maskPersonName('\u202e')).toBe('?.');
  });
});
