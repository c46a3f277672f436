/** GET /u/{token}/self-score and /u/{token}/self-score/print: placeholder until the views land. */
export { handler } from './get-page';
