/** PUT /u/{token}/self-score: placeholder until the handler lands. */
export { handler } from './get-page';
