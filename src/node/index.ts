export { createNode } from './create-node.js';
export type { GatewayNode, NodeDeps } from './create-node.js';
export type { NodeContext } from './context.js';
