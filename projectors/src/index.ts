export * from './app.js';
export * from './metrics.js';
export * from './projection.js';
export * from './projections/accounts.js';
export * from './relay/checkpoint.js';
export * from './relay/relay.js';
export * from './runner.js';
