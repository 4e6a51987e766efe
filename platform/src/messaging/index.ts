export * from './codec.js';
export * from './connect.js';
export * from './headers.js';
export * from './publisher.js';
export * from './stream.js';
export * from './subjects.js';
