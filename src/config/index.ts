export { checkConfigFile, checkConfigObject, configError, loadConfig } from './load-config.js';
export type { ConfigCheck } from './load-config.js';
export type * from './types.js';
