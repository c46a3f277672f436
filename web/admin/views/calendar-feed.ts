/**
 * "Lịch của kế hoạch", on the plan view: the plan's calendar feed (milestones, places, alarms at the reminder times)
 * behind a secret link. An admin gets the link, copies it or adds it to Google Calendar in one click (Outlook: paste
 * it in "Đăng ký từ web"), and may revoke every link issued so far. Read-only viewers see what the feed is, not a link:
 * a feed link is a standing secret, so only those who can revoke it may issue it.
 */
import type { ViewContext } from '../app';
import { api } from '../api';
import { busy, button, fill, h } from '../dom';
import { formatDateTime } from '../format';
import type { Plan, Res } from '../types';
import { attempt, copy, linkBox, message } from '../ui';
import { planPath } from './common';

/** The same feed as webcal: (what calendar apps open to subscribe). */
export const webcalOf = (url: string): string => url.replace(/^https?:\/\//, 'webcal://');

/** Google Calendar's "add by URL" page for a feed. */
export const googleCalendarUrl = (url: string): string => `https://calendar.google.com/calendar/render?cid=${encodeURIComponent(webcalOf(url))}`;

const LABEL = 'Đường link lịch của kế hoạch';

/** The card, with its actions for admins. */
export function calendarFeedCard(ctx: ViewContext, plan: Plan): HTMLElement {
  const out = h('div', { class: 'result', 'aria-live': 'polite', 'data-testid': 'calendar-feed-out' });
  const card = h(
    'section',
    { class: 'card calendar-feed', 'data-testid': 'calendar-feed', 'aria-labelledby': 'calendar-feed-title' },
    h('h3', { class: 'card__title', id: 'calendar-feed-title' }, 'Lịch của kế hoạch (Google Calendar, Outlook)'),
    h(
      'p',
      { class: 'hint' },
      'Các mốc có ngày hoặc tháng, địa điểm và lời nhắc đúng giờ gửi email nhắc việc, trong lịch của bạn; lịch tự cập nhật khi kế hoạch thay đổi. ',
      'Ai có đường link đều xem được lịch (không xem được tài liệu, không thay đổi được gì).',
    ),
  );
  if (!ctx.canWrite) {
    card.append(h('p', { class: 'hint', 'data-testid': 'calendar-feed-read-only' }, 'Chỉ quản trị cụm được lấy đường link lịch.'));
    return card;
  }

  const show = (feed: Res<'IssueCalendarFeed'>, intro: string) => {
    const box = linkBox(feed.url, 'calendar-feed-url', LABEL);
    fill(
      out,
      message('ok', intro, ` Link có hiệu lực đến ${formatDateTime(feed.expiresAt)}.`),
      box,
      h(
        'p',
        { class: 'actions' },
        button('Sao chép', () => void copy(feed.url).then((ok) => (ok ? undefined : box.focus())), { 'data-testid': 'calendar-feed-copy' }),
        h('a', { class: 'btn', href: googleCalendarUrl(feed.url), target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'calendar-feed-google' }, 'Thêm vào Google Calendar'),
        h('a', { class: 'btn', href: webcalOf(feed.url), 'data-testid': 'calendar-feed-webcal' }, 'Mở bằng Outlook / Lịch Apple'),
      ),
      h('p', { class: 'hint' }, 'Outlook trên web: Lịch → Thêm lịch → Đăng ký từ web, rồi dán đường link. Google Calendar cập nhật lịch đăng ký vài giờ một lần.'),
    );
  };

  const issue = button(
    'Lấy đường link lịch',
    () =>
      void busy(issue, () =>
        attempt(out, async () => {
          const feed = await api<Res<'IssueCalendarFeed'>>('POST', planPath(ctx, plan, 'calendar-feed'));
          const copied = await copy(feed.url);
          show(feed, copied ? 'Đã sao chép link lịch vào bộ nhớ tạm.' : 'Hãy chọn và sao chép link lịch dưới đây.');
        }),
      ),
    { class: 'btn btn--primary', 'data-testid': 'calendar-feed-issue' },
  );
  const revoke = button(
    'Thu hồi link lịch',
    () => {
      if (!confirm('Thu hồi mọi link lịch đã cấp của kế hoạch này? Lịch đã thêm bằng link cũ sẽ ngừng cập nhật.')) return;
      void busy(revoke, () =>
        attempt(out, async () => {
          await api<Res<'RevokeCalendarFeed'>>('POST', planPath(ctx, plan, 'calendar-feed', 'revoke'));
          fill(out, message('ok', 'Đã thu hồi mọi link lịch cũ. Bấm “Lấy đường link lịch” để có link mới.'));
        }),
      );
    },
    { class: 'btn btn--danger', 'data-testid': 'calendar-feed-revoke' },
  );
  card.append(h('p', { class: 'actions' }, issue, revoke), out);
  return card;
}
