// `npm run env-example`: writes .env.example, the Kubernetes base's env file and the README's
// configuration table from the schema.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from './config.js';
import { KUBERNETES_ENV_FILE, renderEnvExample, renderKubernetesEnv, withConfigTable } from './env-example.js';

const envFile = path.join(packageRoot(), '.env.example');
fs.writeFileSync(envFile, renderEnvExample());
const kubernetesEnv = path.join(packageRoot(), KUBERNETES_ENV_FILE);
fs.writeFileSync(kubernetesEnv, renderKubernetesEnv());
const readme = path.join(packageRoot(), 'README.md');
fs.writeFileSync(readme, withConfigTable(fs.readFileSync(readme, 'utf8')));
console.log(`wrote ${envFile}, ${kubernetesEnv} and the table in ${readme}`);
