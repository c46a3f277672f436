import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { it, inject } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/emulators';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { fileLinkKeys } from '../../shared/adapters/secrets/link-keys';
import { fixedClock } from '../../shared/ports/clock';
import { toDocumentClient } from '../../shared/runtime/aws-clients';
import { issueLink } from '../../shared/use-cases/links';
const stack = inject('stack');
it('dbg', async () => {
  const dynamo = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
  const repos = createDynamoRepositories(toDocumentClient(dynamo), stack.tableName, fixedClock('2021-11-25T09:00:00+07:00'));
  const link = await issueLink({ repos, linkKeys: fileLinkKeys(stack.linkSecretFile), clock: fixedClock('2021-11-25T09:00:00+07:00') }, { clusterId: 'thanh-hoa-cum-5', unitId: 'don-vi-mau-b', planId: '2021-2022' }, stack.apiUrl);
  console.log(link.token, link.expiresAt, link.unit);
  console.log(Buffer.from(link.token.split('.')[0]!, 'base64url').toString());
  const r = await fetch(link.url);
  console.log(r.status, (await r.text()).slice(0, 3000));
  console.log(await repos.units.get('thanh-hoa-cum-5', 'don-vi-mau-b'));
});
