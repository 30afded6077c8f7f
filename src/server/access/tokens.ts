// Bearer tokens for the access layer: the primitives live in crypto/bearer-token.ts (sync makes branch
// tokens too, and sync must not import the server); re-exported here for the server's modules.
export * from '../../crypto/bearer-token.js';
