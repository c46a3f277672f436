/** The EventBridge "Object Created" event from S3, as the recorder reads it (only the fields it uses). */
import * as z from 'zod';

export const ObjectCreatedEventSchema = z.object({
  'detail-type': z.literal('Object Created'),
  time: z.iso.datetime({ offset: true }),
  detail: z.object({ object: z.object({ key: z.string().min(1), size: z.number().int().nonnegative().optional() }) }),
});
export type ObjectCreatedEvent = z.infer<typeof ObjectCreatedEventSchema>;
