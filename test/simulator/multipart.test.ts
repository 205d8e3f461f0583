import { MultipartError, multipartBoundary, parseMultipart } from '../../src/simulator/multipart';
import { multipartBody } from '../helpers/simulator';

describe('multipart parser', () => {
  it('reads the boundary from quoted and bare content types', () => {
    expect(multipartBoundary('multipart/form-data; boundary="abc def"')).toBe('abc def');
    expect(multipartBoundary('multipart/form-data; boundary=xyz')).toBe('xyz');
    expect(multipartBoundary('application/json')).toBeUndefined();
  });

  it('splits text fields and binary files, keeping bytes intact', () => {
    const content = Buffer.from([0, 13, 10, 45, 45, 255]);
    const { body, contentType } = multipartBody({ name: 'Zoë', empty: '' }, { field: 'package', fileName: 't.zip', content });
    const parsed = parseMultipart(body, multipartBoundary(contentType)!);
    expect(parsed.fields).toEqual({ name: 'Zoë', empty: '' });
    expect(parsed.files.package.fileName).toBe('t.zip');
    expect(parsed.files.package.content.equals(content)).toBe(true);
  });

  it('refuses a truncated body', () => {
    const { body, contentType } = multipartBody({ name: 'x' });
    expect(() => parseMultipart(body.subarray(0, body.length - 12), multipartBoundary(contentType)!)).toThrow(MultipartError);
  });
});
