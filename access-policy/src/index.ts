/** What the gateway and every subgraph share about who may see what. */
export * from './caller';
export * from './error-codes';
export * from './internal-token-sign';
export * from './internal-token-verify';
export * from './permissions';
export * from './personas';
export * from './purposes';
export * from './rules';
export * from './scopes';
export * from './audit-record';
export * from './field-access';
export * from './declared-rules';
export * from './subgraph-names';
export * from './subgraph-peers';
