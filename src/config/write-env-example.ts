// `npm run env-example`: writes .env.example and the README's configuration table from the schema.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from './config.js';
import { renderEnvExample, withConfigTable } from './env-example.js';

const envFile = path.join(packageRoot(), '.env.example');
fs.writeFileSync(envFile, renderEnvExample());
const readme = path.join(packageRoot(), 'README.md');
fs.writeFileSync(readme, withConfigTable(fs.readFileSync(readme, 'utf8')));
console.log(`wrote ${envFile} and the table in ${readme}`);
