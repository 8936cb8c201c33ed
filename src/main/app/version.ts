/** The app's version, as package.json says (bundled into the CLI and the app at build time). */
import packageJson from '../../../package.json' with { type: 'json' };

export const APP_VERSION: string = packageJson.version;
