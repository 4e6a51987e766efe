export * from './cleanup-on-kill.js';
export * from './close-on-keep-alive.js';
export * from './database.js';
export * from './nats.js';
export * from './ports.js';
export * from './service-process.js';
export * from './stream-until-closed.js';
export * from './table-scans.js';
