import fs from 'node:fs/promises';
import { promptVariable, type Config, type TierNumber } from '../config/config.js';
import type { PromptTexts } from './plan.js';

/** The tier's prompt file and the configured system prompt file, as text, or why one cannot be read. */
export async function readPromptTexts(config: Config, tier: TierNumber): Promise<PromptTexts> {
  const file = config.tiers[tier].promptFile;
  let prompt: string;
  try {
    prompt = await fs.readFile(file, 'utf8');
  } catch (e) {
    return {
      error: `prompt file ${file} cannot be read (${code(e)}): restore it or point ${promptVariable(tier)} at an existing file`,
    };
  }
  if (!config.systemPromptFile) return { prompt };
  try {
    return { prompt, systemPrompt: await fs.readFile(config.systemPromptFile, 'utf8') };
  } catch (e) {
    return {
      error: `system prompt file ${config.systemPromptFile} cannot be read (${code(e)}): restore it or set CLAUDEOPS_SYSTEM_PROMPT=default`,
    };
  }
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? e;
