import { deflateRawSync } from 'node:zlib';
import { crc32, listZip, readZipEntry, writeZip, ZipFormatError } from '../../src/util/zip';

describe('zip', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
  });

  it('writes archives that read back, byte-identical on every run', () => {
    const entries = [
      { name: 'themeconfig.json', content: Buffer.from('{"theme_version":2}') },
      { name: 'img/bg.jpg', content: Buffer.from([0, 1, 2, 255]) },
    ];
    const zip = writeZip(entries);
    expect(writeZip(entries).equals(zip)).toBe(true);
    expect(listZip(zip)).toEqual(['themeconfig.json', 'img/bg.jpg']);
    expect(readZipEntry(zip, 'img/bg.jpg')).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(readZipEntry(zip, 'missing')).toBeUndefined();
  });

  it('reads deflated entries (as made by ordinary zip tools)', () => {
    const zip = writeZip([{ name: 'a.txt', content: Buffer.from('x') }]);
    // Rewrite the single entry as deflated: method 8, compressed payload, sizes and offsets patched.
    const payload = deflateRawSync(Buffer.from('hello hello hello'));
    const local = Buffer.from(zip.subarray(0, 30 + 5));
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(Buffer.from('hello hello hello')), 14);
    local.writeUInt32LE(payload.length, 18);
    local.writeUInt32LE(17, 22);
    const central = Buffer.from(zip.subarray(30 + 5 + 1, zip.length - 22));
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(payload.length, 20);
    central.writeUInt32LE(17, 24);
    const end = Buffer.from(zip.subarray(zip.length - 22));
    end.writeUInt32LE(local.length + payload.length, 16);
    const rebuilt = Buffer.concat([local, payload, central, end]);
    expect(readZipEntry(rebuilt, 'a.txt')?.toString()).toBe('hello hello hello');
  });

  it('refuses what is not a ZIP', () => {
    expect(() => listZip(Buffer.from('PK nope'))).toThrow(ZipFormatError);
  });
});
