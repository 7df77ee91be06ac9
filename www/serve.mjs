// Serves the demo page and the package (as plain ES modules) on http://127.0.0.1:8080/.
import { fileURLToPath } from 'node:url';
import { serveFolder } from '../scripts/static-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const port = Number(process.env.PORT ?? 8080);
const server = await serveFolder(root, { port });
console.log(`smartcache demo: ${server.url}/www/  (Ctrl-C to stop)`);
