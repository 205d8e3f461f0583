import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFieldsSource } from '../../src/constructs/codegen';

describe('generated construct props', () => {
  it('are up to date with the kind descriptions (run npm run codegen after changing a kind)', () => {
    expect(readFileSync(join(__dirname, '..', '..', 'src', 'constructs', 'generated', 'fields.ts'), 'utf8')).toBe(generateFieldsSource());
  });

  it('document every prop with its label, limits and Pexip field', () => {
    const source = generateFieldsSource();
    expect(source).toContain('/** Priority: Rules are evaluated in ascending priority; the first match wins. Range 1–200. Pexip field `priority`. */\n  readonly priority: number;');
    expect(source).toContain("readonly epicEncryptionAlgorithm: 'AES-128-CBC' | 'AES-256-CBC';");
    expect(source).toContain('readonly telehealthProfile?: IEpicTelehealthProfile | null;');
    const props = source.split('\n').filter((l) => /^\s+readonly /.test(l)).length;
    const docs = source.split('\n').filter((l) => /^\s+\/\*\* .* Pexip field `[a-z0-9_]+`\. \*\/$/.test(l)).length;
    expect(docs).toBe(props);
  });
});
