export * from './config.js';
export * from './db/index.js';
export * from './event-store/port.js';
export * from './read-models/index.js';
