export * from './ensure-database.js';
export * from './kysely.js';
export * from './migrate-schema.js';
export * from './pool.js';
