/**
 * The admin page (HTML shell and its hashed static assets) and the OpenAPI document. No data access at all: the page
 * talks to the admin API from the browser.
 */
import { adminEndpoints } from '../../shared/http/admin-api';
import { adminRouter } from '../../shared/http/admin-router';
const todo = (): never => {
  throw new Error('not implemented yet');
};

export const handler = adminRouter<'page'>(
  adminEndpoints.filter((e) => e.fn === 'page'),
  {
    AdminPage: async () => todo(),
    SignInPage: async () => todo(),
    AdminAsset: async () => todo(),
    OpenApi: async () => todo(),
  },
  {},
);
