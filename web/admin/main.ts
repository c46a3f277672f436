/** The admin page's script: one bundle (scripts/build-admin-assets.ts), no framework, no third-party code. */
import { boot } from './app';

const root = document.getElementById('app');
if (root) void boot(root);
