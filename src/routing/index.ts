export { createRouter } from './router.js';
export type { Route, Router } from './router.js';
