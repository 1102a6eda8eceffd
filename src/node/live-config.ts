import type { GatewayConfig } from '../config/index.js';
import { createRouter, type Router } from '../routing/index.js';
import { loadNodeMaterial, type NodeMaterial } from './material.js';

/**
 * The parts of a node a config reload swaps: the config, the keys and certificates it names,
 * and the router built from it. Everything that serves requests reads them through this holder
 * (NodeContext has getters onto it), so one assignment switches a running node at once, and
 * requests already past the point where they read it finish with what they read.
 */
export class LiveConfig {
  private state: { config: GatewayConfig; material: NodeMaterial; router: Router };
  /** Outcome of the last reload, for `/readyz`. */
  lastReload: { at: string; ok: boolean; message: string } | undefined;

  constructor(config: GatewayConfig, material: NodeMaterial = loadNodeMaterial(config)) {
    this.state = { config, material, router: createRouter(config) };
  }

  get config(): GatewayConfig {
    return this.state.config;
  }

  get material(): NodeMaterial {
    return this.state.material;
  }

  get router(): Router {
    return this.state.router;
  }

  /** Build everything a new config needs (reads key and certificate files; may throw). */
  prepare(config: GatewayConfig): { config: GatewayConfig; material: NodeMaterial; router: Router } {
    return { config, material: loadNodeMaterial(config), router: createRouter(config) };
  }

  /** Swap in a prepared state in one step. */
  commit(next: { config: GatewayConfig; material: NodeMaterial; router: Router }): void {
    this.state = next;
  }
}

/** A read-only map that always reads the current map of a getter (servers keep this one object). */
export function liveMap<K, V>(current: () => ReadonlyMap<K, V>): ReadonlyMap<K, V> {
  return {
    get: (k) => current().get(k),
    has: (k) => current().has(k),
    get size() {
      return current().size;
    },
    forEach: (fn, thisArg) => current().forEach(fn, thisArg),
    entries: () => current().entries(),
    keys: () => current().keys(),
    values: () => current().values(),
    [Symbol.iterator]: () => current()[Symbol.iterator](),
  };
}
