/**
 * Types for graphql-ws's `use/ws` entry: the project resolves modules the node10 way
 * (tsconfig `moduleResolution: node`), which does not read package `exports`; Node itself does,
 * and loads `dist/use/ws.cjs`. These are the package's own declarations, re-exported.
 */
declare module 'graphql-ws/use/ws' {
  export * from 'graphql-ws/dist/use/ws';
}
