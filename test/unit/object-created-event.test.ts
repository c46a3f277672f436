import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ObjectCreatedEventSchema } from '../../functions/uploads/object-created-event';
import { parseUploadObjectKey } from '../../shared/domain/submission';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/events/object-created.json', import.meta.url), 'utf8'));

describe('the EventBridge Object Created event', () => {
  it('gives the recorder its key and time (second precision, UTC)', () => {
    const event = ObjectCreatedEventSchema.parse(fixture);
    expect(new Date(event.time).toISOString()).toBe('2021-12-09T16:59:58.000Z');
    expect(parseUploadObjectKey(event.detail.object.key)?.unitId).toBe('don-vi-mau-a');
  });

  it('refuses the S3 notification shape and other detail types', () => {
    expect(ObjectCreatedEventSchema.safeParse({ Records: [{ eventTime: fixture.time, s3: { object: { key: 'k' } } }] }).success).toBe(false);
    expect(ObjectCreatedEventSchema.safeParse({ ...fixture, 'detail-type': 'Object Deleted' }).success).toBe(false);
  });
});
