import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SesEventSchema, undeliverableFrom } from '../../shared/domain/bounces';

const sns = JSON.parse(readFileSync(new URL('../fixtures/events/ses-bounce-sns.json', import.meta.url), 'utf8'));
const bounce = SesEventSchema.parse(JSON.parse(sns.Records[0].Sns.Message));
const now = new Date('2021-12-03T01:00:10Z');

describe('undeliverable addresses from SES events', () => {
  it('a permanent bounce marks the address (lower-cased) for the tagged cluster, with a Vietnamese reason', () => {
    expect(undeliverableFrom(bounce, now)).toEqual([
      {
        clusterId: 'thanh-hoa-cum-5',
        email: 'don-vi-mau-c@example.com',
        cause: 'bounce',
        reason: 'Địa chỉ không nhận được thư (bị trả lại vĩnh viễn)',
        diagnostic: 'smtp; 550 5.1.1 user unknown',
        at: '2021-12-03T01:00:10.000Z',
      },
    ]);
  });

  it('a transient bounce (mailbox full) marks nothing', () => {
    expect(undeliverableFrom({ ...bounce, bounce: { ...bounce.bounce!, bounceType: 'Transient' } }, now)).toEqual([]);
  });

  it('a complaint marks the address', () => {
    const complaint = SesEventSchema.parse({ eventType: 'Complaint', mail: bounce.mail, complaint: { complainedRecipients: [{ emailAddress: 'a@example.com' }] } });
    expect(undeliverableFrom(complaint, now)).toMatchObject([{ email: 'a@example.com', cause: 'complaint', reason: 'Người nhận đánh dấu thư là thư rác' }]);
  });

  it('mail without a valid cluster tag is ignored', () => {
    expect(undeliverableFrom({ ...bounce, mail: { tags: {} } }, now)).toEqual([]);
    expect(undeliverableFrom({ ...bounce, mail: { tags: { cluster: ['Không Hợp Lệ'] } } }, now)).toEqual([]);
  });
});
