export * from './config.js';
export * from './event-store/port.js';
