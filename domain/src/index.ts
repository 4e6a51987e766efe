export * from './account/events.js';
export * from './organization/events.js';
export * from './shared/context.js';
export * from './shared/currencies.js';
export * from './shared/errors.js';
export * from './shared/event.js';
export * from './shared/money.js';
export * from './shared/stream-name.js';
