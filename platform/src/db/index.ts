export * from './ensure-database.js';
export * from './failed-check.js';
export * from './kysely.js';
export * from './migrate-schema.js';
export * from './pool.js';
export * from './transient.js';
export * from './wait-for-postgres.js';
