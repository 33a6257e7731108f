/** Plumbing every service shares: configuration, logging, clocks, keys, SQL clients, the subgraph runtime. */
export * from './clock';
export * from './config';
export * from './keys';
export * from './loaders';
export * from './logger';
export * from './project-root';
export * from './sql/migrations';
export * from './sql/open-sql-client';
export * from './sql/sql-client';
export * from './subgraph/disclosure-log';
export * from './subgraph/subgraph-config';
export * from './subgraph/subgraph-module';
export * from './sql/sql-store-base';
export * from './sql/postgres-client';
export * from './sql/sqlite-client';
export * from './subgraph/peer-access';
export * from './process-lifecycle';
