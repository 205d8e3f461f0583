import { writeZip } from '../../src/util/zip';

/** A minimal theme package: themeconfig.json plus one splash image. */
export function themePackage(background = 'background-a'): Buffer {
  return writeZip([
    { name: 'themeconfig.json', content: Buffer.from(JSON.stringify({ theme_version: 2, splash_screens: { screens: { welcome: { background: { path: 'background.jpg' } } } } })) },
    { name: 'background.jpg', content: Buffer.from(background) },
  ]);
}

/** A minimal branding package for webapp2 or webapp3. */
export function brandingPackage(webapp: 'webapp2' | 'webapp3' = 'webapp3', brandName = 'Healthcare Org'): Buffer {
  return writeZip([{ name: `${webapp}/branding/manifest.json`, content: Buffer.from(JSON.stringify({ version: 0, brandName })) }]);
}
