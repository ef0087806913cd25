export * from './cli-binary';
export * from './dev-server';
export * from './search-attributes';
export * from './test-server';
