import fs from 'node:fs';
import path from 'node:path';

/** Whether `file` is a regular file this process may execute. */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Whether a command can be run: a path that is executable, or a name found executable on the search path. */
export function runnable(command: string, searchPath: string | undefined): boolean {
  if (command.includes('/')) return isExecutable(command);
  return (searchPath ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => isExecutable(path.join(dir, command)));
}
