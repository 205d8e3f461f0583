import { formatAppointmentName, maskPersonName, parseAppointmentName } from '../../src/epic/appointment-name';

const PROFILES = ['Healthcare Org', 'Picardo Healthcare Org', 'Org'];

describe('appointment conference names', () => {
  it('parses the first documented example, with department', () => {
    expect(parseAppointmentName('Appointment for Beverley P Spinder Healthcare Org:6ea6d1427f684721abd21c1634386f7b6 in Radiology', ['Healthcare Org'])).toEqual({
      kind: 'appointment',
      appointment: { patientName: 'Beverley P Spinder', profileName: 'Healthcare Org', appointmentId: '6ea6d1427f684721abd21c1634386f7b6', department: 'Radiology' },
    });
  });

  it('parses the second documented example, without department', () => {
    expect(parseAppointmentName('Appointment for Kai Oosman Picardo Healthcare Org:5ec8f1667f531781afe19c1774322f7b8', ['Healthcare Org'])).toEqual({
      kind: 'appointment',
      appointment: { patientName: 'Kai Oosman Picardo', profileName: 'Healthcare Org', appointmentId: '5ec8f1667f531781afe19c1774322f7b8' },
    });
  });

  it('prefers the longest profile name that fits, leaving a patient name', () => {
    const parsed = parseAppointmentName('Appointment for Kai Oosman Picardo Healthcare Org:5ec8', PROFILES);
    expect(parsed).toMatchObject({ appointment: { patientName: 'Kai Oosman', profileName: 'Picardo Healthcare Org' } });
  });

  it('keeps " in " and colons inside the department', () => {
    expect(parseAppointmentName('Appointment for Zoë Ångström Org:abc123 in Cardiology: Care in the Community', ['Org'])).toMatchObject({
      appointment: { patientName: 'Zoë Ångström', appointmentId: 'abc123', department: 'Cardiology: Care in the Community' },
    });
  });

  it('round-trips formatted names', () => {
    const appointment = { patientName: 'Nguyễn Thị Minh', profileName: 'Healthcare Org', appointmentId: 'ff00', department: 'Mental Health in Primary Care' };
    expect(parseAppointmentName(formatAppointmentName(appointment), PROFILES)).toEqual({ kind: 'appointment', appointment });
  });

  it('tells other conferences and unknown profiles apart', () => {
    expect(parseAppointmentName('Weekly team VMR', PROFILES)).toEqual({ kind: 'other' });
    expect(parseAppointmentName('Appointment for Jo Bloggs Other Clinic:abc', PROFILES)).toEqual({ kind: 'unknown-profile' });
    expect(parseAppointmentName('Appointment for nothing useful', PROFILES)).toEqual({ kind: 'other' });
  });

  it('masks a person as first and last initials', () => {
    expect(maskPersonName('Beverley P Spinder')).toBe('B. S.');
    expect(maskPersonName('Zoë')).toBe('Z.');
    expect(maskPersonName('ünal yılmaz')).toBe('Ü. Y.');
    expect(maskPersonName('  ')).toBe('?');
  });
});
