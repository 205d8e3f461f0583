import { helpText, type OptionSpec, parseArgs } from '../../src/cli/args';

describe('help text', () => {
  const specs: OptionSpec[] = [
    { name: 'stack', type: 'string', value: '<name>', description: 'Stack id.' },
    { name: 'environment', type: 'string', value: 'production|non-production', description: 'Environment.' },
  ];

  /** Column at which each entry's description starts. */
  const descriptionColumns = (text: string) =>
    text
      .split('\n')
      .filter((line) => /^ {2}[<-]/.test(line))
      .map((line) => line.search(/ {2}[A-Z]/) + 2);

  it('lines every description up after the longest entry, however long it is', () => {
    const text = helpText('export', 'Export.', specs, [{ name: 'desired-set', description: 'The file.', required: true }]);
    const columns = descriptionColumns(text);
    expect(columns).toHaveLength(5);
    expect(new Set(columns).size).toBe(1);
    // The longest entry, "--environment production|non-production", is followed by exactly two spaces.
    expect(text).toContain('\n  --environment production|non-production  Environment.\n');
    expect(text).toContain(`\n  <desired-set>${' '.repeat(39 - '<desired-set>'.length)}  The file.\n`);
  });

  it('keeps short option lists narrow', () => {
    const text = helpText('keygen', 'Keys.', [], []);
    expect(text).toBe('Keys.\n\nUsage: pexip-cdktf keygen [options]\n\nOptions:\n  --json  Machine-readable output on stdout (progress still goes to stderr).\n  --help  Show this help.\n');
  });
});

describe('argument parsing', () => {
  it('reads -h as --help wherever it stands, so it is never taken for a file name', () => {
    const positionals = [{ name: 'desired-set', description: 'The file.', required: true }];
    expect(parseArgs(['-h'], [], positionals)).toEqual({ options: { help: true }, positionals: [] });
    expect(parseArgs(['file.json', '-h'], [], positionals)).toEqual({ options: { help: true }, positionals: ['file.json'] });
  });

  it('still passes -h through after --', () => {
    expect(parseArgs(['--', '-h'], [], [{ name: 'file', description: 'A file.', required: true }]).positionals).toEqual(['-h']);
  });
});
