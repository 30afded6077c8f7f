// The sync tables' types live with the store (store/sync-schema.ts), where their repositories are;
// re-exported here for the sync modules and their tests.
export * from '../store/sync-schema.js';
