import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Skill } from '../../checks/check-set.js';
import { codexProvider } from '../codex/index.js';
import { claudeProvider } from './index.js';
import { withSkillName } from './skills.js';

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'claudeops-skills-'));
after(() => fs.rm(root, { recursive: true, force: true }));

describe("skills where Claude Code loads a project's skills", () => {
  it('copies a skill directory and a single-file skill under .claude/skills, each under its own name', async () => {
    const src = path.join(root, 'repo');
    await fs.mkdir(path.join(src, 'rotate', 'bin'), { recursive: true });
    await fs.writeFile(path.join(src, 'rotate', 'skill.md'), '---\nname: rotate\ndescription: d\n---\nBody\n');
    await fs.writeFile(path.join(src, 'rotate', 'bin', 'run.sh'), 'echo hi\n');
    await fs.writeFile(path.join(src, 'prune.md'), '# Prune logs\n\nsteps\n');
    const work = path.join(root, 'work');
    const skills: Skill[] = [
      { repo: 'site', name: 'site-rotate', source: path.join(src, 'rotate'), kind: 'dir', main: 'skill.md', tier: 1 },
      { repo: 'site', name: 'site-prune', source: path.join(src, 'prune.md'), kind: 'file', main: 'prune.md', tier: 1 },
      { repo: 'site', name: 'site-gone', source: path.join(src, 'gone.md'), kind: 'file', main: 'gone.md', tier: 1 },
    ];
    const problems = await claudeProvider.installSkills!(work, skills);
    const at = (...p: string[]) => fs.readFile(path.join(work, '.claude', 'skills', ...p), 'utf8');
    assert.equal(await at('site-rotate', 'SKILL.md'), '---\nname: site-rotate\ndescription: d\n---\nBody\n');
    assert.equal(await at('site-rotate', 'bin', 'run.sh'), 'echo hi\n');
    assert.equal(
      await at('site-prune', 'SKILL.md'),
      '---\nname: site-prune\ndescription: Prune logs\n---\n# Prune logs\n\nsteps\n',
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /gone\.md .*; skipped$/);
  });

  it('names the skill in front matter that has no name', () => {
    assert.equal(withSkillName('---\ndescription: d\n---\nx', 'a-b'), '---\nname: a-b\ndescription: d\n---\nx');
  });

  it('is Claude’s alone: Codex installs none', () => {
    assert.equal(codexProvider.installSkills, undefined);
  });
});
