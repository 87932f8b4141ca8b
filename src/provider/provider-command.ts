import type { Command } from '../runner/command.js';

/** A CLI provider's process: `files` are written before it starts; `warnings` go into the run's story. */
export type ProviderCommand = Command & { files?: { path: string; content: string }[]; warnings?: string[] };
