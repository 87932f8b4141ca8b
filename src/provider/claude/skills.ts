// The repos' skills, installed where Claude Code loads a project's skills: under the
// run's working directory, `.claude/skills/<name>/SKILL.md` with its other files beside.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Skill } from '../../checks/check-set.js';
import { readRegular, walkFiles } from '../../files/read-regular.js';

/**
 * Installs the skills under `workDir/.claude/skills`. Files are copied (regular files
 * only, bounded), and each skill is named `<repo>-<name>` so two repos cannot shadow
 * each other. Returns what could not be installed.
 */
export async function installSkills(workDir: string, skills: readonly Skill[]): Promise<string[]> {
  const problems: string[] = [];
  for (const skill of skills) {
    const dest = path.join(workDir, '.claude', 'skills', skill.name);
    const files =
      skill.kind === 'dir' ? (await walkFiles(skill.source, () => true, { maxDepth: 3, maxFiles: 50 })).files : [''];
    for (const rel of files) {
      const from = skill.kind === 'dir' ? path.join(skill.source, rel) : skill.source;
      const to = skill.kind === 'dir' && rel !== skill.main ? path.join(dest, rel) : path.join(dest, 'SKILL.md');
      const text = await readRegular(from, 256 * 1024);
      if (!text.ok) {
        problems.push(`skill file ${from} ${text.why}; skipped`);
        continue;
      }
      await fs.mkdir(path.dirname(to), { recursive: true });
      await fs.writeFile(to, path.basename(to) === 'SKILL.md' ? withSkillName(text.text, skill.name) : text.text);
    }
  }
  return problems;
}

/** SKILL.md with its front matter's name set to ours (added, with a description, when missing). */
export function withSkillName(text: string, name: string): string {
  const front = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (front) {
    const body = /^name:/m.test(front[1]!)
      ? front[1]!.replace(/^name:.*$/m, `name: ${name}`)
      : `name: ${name}\n${front[1]}`;
    return `---\n${body}\n---\n${text.slice(front[0].length)}`;
  }
  const title = /^#\s+(.+)$/m.exec(text)?.[1] ?? name;
  return `---\nname: ${name}\ndescription: ${title.replace(/\n/g, ' ')}\n---\n${text}`;
}
