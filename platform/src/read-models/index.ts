export * from './external-account.js';
export * from './migrate.js';
export * from './tables.js';
export * from './tenant-schema.js';
