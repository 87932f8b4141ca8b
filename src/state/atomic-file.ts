// Moved to the store, which owns every file write; mcp/merge.ts still imports it from here.
export { unwritable, writeFileAtomic } from '../store/atomic-file.js';
