export * from './config.js';
export * from './db/index.js';
export * from './event-store/index.js';
export * from './http/index.js';
export * from './messaging/index.js';
export * from './read-models/index.js';
export * from './redis.js';
export * from './storable-text.js';
