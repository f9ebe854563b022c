// Preloaded with `node --import`: registers the resolution hook that records every loaded module.
import { register } from 'node:module';

register('./trace-imports-hooks.mjs', import.meta.url);
