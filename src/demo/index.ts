export { runDemo } from './run-demo.js';
export type { DemoOptions } from './run-demo.js';
export { devApiClient, startDevNetwork } from './dev-network.js';
export type { ApiClient, DevNetworkOptions, DevNode } from './dev-network.js';
export { DEV_AGREEMENTS, DEV_SYSTEMS, defaultPorts, devNodeConfig, MEMBER_NAMES } from './dev-config.js';
