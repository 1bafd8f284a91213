/**
 * Low-level primitives. Sharp tools: prefer the DEK manager and the serdes. Everything here
 * is exported for test vectors, tooling and custom integrations.
 */
export * from './crypto/index.js';
