export * from './database.js';
export * from './nats.js';
export * from './table-scans.js';
