/**
 * The calendar in a real browser whose clock reads New York time, against the local
 * stack with two channels on weekday slots in other zones (Berlin with quiet hours,
 * Tokyo): the week, the next seven days and the month put each share at its New York
 * time with the channel's clock beside it and draw the slots where they fall; a share
 * dragged to another day is proposed the channel's nearest slot, and exactly that
 * instant is what the API keeps; the same move without a mouse; the API's refusal shown;
 * and a phone's width without sideways scrolling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  addDays,
  dateKey,
  instantOf,
  type LocalDate,
  localDateOf,
  localParts,
  weekdayOf,
} from '../../shared/domain/zoned-time';
import { articleShare, articleShares } from '../support/article-api';
import { launchChromium, PHONE, saveScreenshot, sidewaysOverflow } from '../support/browser';
import { channelConfigForFile } from '../support/channel-config';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';

type ApiShare = { channelId: string; status: string; dueAt: string };

/** The browser's zone: New York, 6 hours behind Berlin most of the year. */
const ZONE = 'America/New_York';
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Weekday = (typeof WEEKDAYS)[number];
const BERLIN_SLOTS: Record<Weekday, string[]> = {
  mon: ['09:30', '15:30'],
  tue: ['12:00'],
  wed: ['09:30', '15:30'],
  thu: ['12:00'],
  fri: ['09:30', '15:30'],
  sat: ['11:00'],
  sun: ['11:00'],
};
const TOKYO_SLOTS = ['08:00', '19:00'];

// Both need an editor's approval: their drafts wait, whatever the hour the test runs.
channelConfigForFile({
  channels: [
    {
      id: 'x-berlin',
      platform: 'x',
      account: 'newsroom',
      template: '{title} {url}',
      timezone: 'Europe/Berlin',
      approval: 'required',
      schedule: {
        type: 'slots',
        slots: BERLIN_SLOTS,
        quietHours: { from: '22:00', to: '07:00' },
      },
    },
    {
      id: 'mastodon-tokyo',
      platform: 'mastodon',
      account: '@newsroom@mastodon.example',
      template: '{title}\n\n{url}',
      timezone: 'Asia/Tokyo',
      approval: 'required',
      schedule: {
        type: 'slots',
        slots: Object.fromEntries(WEEKDAYS.map((day) => [day, TOKYO_SLOTS])),
      },
    },
  ],
});

const temp = mkdtempSync(join(tmpdir(), 'crier-calendar-e2e-'));
let stack: TestStack;
let browser: BrowserContext;
let token: string;
let articleId: string;

beforeAll(async () => {
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  browser = await launchChromium(temp, undefined, { timezoneId: ZONE, locale: 'en-GB' });
  articleId = await sendArticle(stack);
  await vi.waitFor(async () => expect(await apiShares()).toHaveLength(2), {
    timeout: 60_000,
    interval: 500,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

const apiShares = () => articleShares<ApiShare>(stack, token, articleId);

const apiShare = (channelId: string) => articleShare<ApiShare>(stack, token, articleId, channelId);

async function signedInPage(path: string): Promise<Page> {
  const page = await browser.newPage();
  // A step that cannot happen fails within the test's time, naming itself.
  page.setDefaultTimeout(10_000);
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.goto(`${stack.url}/${path}`);
  await page.getByRole('heading', { level: 1, name: 'Calendar' }).waitFor();
  return page;
}

// New York's days and clocks, as the browser reads them.
const nyDate = (ms: number) => localDateOf(ms, ZONE);
const nyKey = (ms: number) => dateKey(nyDate(ms));
const nyStart = (date: LocalDate) => instantOf({ ...date, hour: 0, minute: 0 }, ZONE);
const clock = (ms: number, zone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(
    ms,
  );
const mondayOf = (date: LocalDate) => addDays(date, -((weekdayOf(date) + 6) % 7));

/** Berlin's slot instants within [start, end), from the channel's list. */
function berlinSlots(start: number, end: number): number[] {
  const found: number[] = [];
  for (let date = addDays(localDateOf(start, 'Europe/Berlin'), -1); ; date = addDays(date, 1)) {
    if (instantOf({ ...date, hour: 0, minute: 0 }, 'Europe/Berlin') >= end) break;
    for (const time of BERLIN_SLOTS[WEEKDAYS[weekdayOf(date)] ?? 'sun']) {
      const [hour = 0, minute = 0] = time.split(':').map(Number);
      const at = instantOf({ ...date, hour, minute }, 'Europe/Berlin');
      if (at >= start && at < end) found.push(at);
    }
  }
  return found.sort((a, b) => a - b);
}

/** Berlin's quiet hours (22:00 to 07:00) within one New York day, found minute by minute. */
function quietWithin(date: LocalDate): [string, string][] {
  const start = nyStart(date);
  const end = nyStart(addDays(date, 1));
  const spans: [string, string][] = [];
  let from: number | undefined;
  for (let at = start; at < end; at += 60_000) {
    const { hour } = localParts(at, 'Europe/Berlin');
    const quiet = hour >= 22 || hour < 7;
    if (quiet && from === undefined) from = at;
    if (!quiet && from !== undefined) {
      spans.push([new Date(from).toISOString(), new Date(at).toISOString()]);
      from = undefined;
    }
  }
  if (from !== undefined) spans.push([new Date(from).toISOString(), new Date(end).toISOString()]);
  return spans;
}

/** The nearest Berlin slot to `wanted` that is not past; the later one on a tie. */
function nearestSlot(wanted: number): number {
  const candidates = berlinSlots(wanted - 4 * 86_400_000, wanted + 4 * 86_400_000).filter(
    (slot) => slot > Date.now() + 60_000,
  );
  const best = candidates.sort((a, b) => Math.abs(a - wanted) - Math.abs(b - wanted) || b - a)[0];
  if (best === undefined) throw new Error('no slot near the wanted time');
  return best;
}

const row = (page: Page, channelId: string) =>
  page.locator(`.calendar tbody tr[data-channel="${channelId}"]`);

/** The slot markers a cell draws, as instants. */
async function slotsIn(page: Page, channelId: string, key: string): Promise<string[]> {
  const cell = row(page, channelId).locator(`td[data-day="${key}"]`);
  return cell
    .locator('.cal-slot')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-at') ?? ''));
}

function capturePatches(page: Page): { bodies: unknown[] } {
  const seen = { bodies: [] as unknown[] };
  page.on('request', (request: Request) => {
    if (request.method() === 'PATCH' && request.url().includes('/shares/')) {
      seen.bodies.push(request.postDataJSON());
    }
  });
  return seen;
}

describe('the calendar', () => {
  it("shows the week at New York's times with each channel's slots and quiet hours where they fall", async () => {
    const x = await apiShare('x-berlin');
    const tokyo = await apiShare('mastodon-tokyo');
    expect(x.status).toBe('draft');
    // The planner put the draft on one of Berlin's slots.
    const due = Date.parse(x.dueAt);
    expect(berlinSlots(due - 1, due + 1)).toEqual([due]);

    const monday = mondayOf(nyDate(due));
    const page = await signedInPage(`#/calendar?week=${dateKey(monday)}`);
    const item = row(page, 'x-berlin').locator(`td[data-day="${nyKey(due)}"] .cal-item`);
    await item.waitFor();
    expect(await item.locator('time').getAttribute('datetime')).toBe(x.dueAt);
    expect(await item.locator('time').textContent()).toBe(clock(due, ZONE));
    expect(await item.locator('.cal-zone').textContent()).toBe(
      `${clock(due, 'Europe/Berlin')} Europe/Berlin`,
    );
    const tokyoDue = Date.parse(tokyo.dueAt);
    const tokyoItem = row(page, 'mastodon-tokyo').locator(
      `td[data-day="${nyKey(tokyoDue)}"] .cal-item`,
    );
    expect(await tokyoItem.locator('time').textContent()).toBe(clock(tokyoDue, ZONE));
    expect(await tokyoItem.locator('.cal-zone').textContent()).toMatch(/ Asia\/Tokyo$/);

    // Every day of the week: Berlin's slots at their New York times, in the right column.
    for (let i = 0; i < 7; i++) {
      const day = addDays(monday, i);
      const expected = berlinSlots(nyStart(day), nyStart(addDays(day, 1)));
      expect(await slotsIn(page, 'x-berlin', dateKey(day))).toEqual(
        expected.map((at) => new Date(at).toISOString()),
      );
    }
    const wednesday = addDays(monday, 2);
    const chips = row(page, 'x-berlin').locator(`td[data-day="${dateKey(wednesday)}"] .cal-slot`);
    // 09:30 and 15:30 in Berlin are 03:30 and 09:30 in New York (5 hours apart in March).
    expect((await chips.allTextContents()).map((t) => t.trim())).toEqual(
      berlinSlots(nyStart(wednesday), nyStart(addDays(wednesday, 1))).map((at) => clock(at, ZONE)),
    );
    expect(
      berlinSlots(nyStart(wednesday), nyStart(addDays(wednesday, 1))).map((at) =>
        clock(at, 'Europe/Berlin'),
      ),
    ).toEqual(['09:30', '15:30']);
    // Quiet hours shaded: Berlin's 22:00 to 07:00, cut to the New York day.
    const quiet = await row(page, 'x-berlin')
      .locator(`td[data-day="${dateKey(wednesday)}"] .cal-quiet`)
      .evaluateAll((els) =>
        els.map((el) => [el.getAttribute('data-from'), el.getAttribute('data-to')]),
      );
    expect(quiet).toEqual(quietWithin(wednesday));
    expect(quiet).toHaveLength(2);
    // Tokyo has no quiet hours: none drawn in its row.
    expect(await row(page, 'mastodon-tokyo').locator('.cal-quiet').count()).toBe(0);
    await saveScreenshot(page, 'calendar-week');

    // The next seven days start today (New York's), and show the same shares and slots.
    await page.getByRole('link', { name: 'Next 7 days' }).click();
    await page.waitForURL(/view=rolling/);
    const today = nyDate(Date.now());
    const headers = page.locator('.calendar thead th');
    await expect.poll(() => headers.count()).toBe(8);
    expect(
      await page.locator('.calendar tbody td[data-day]').first().getAttribute('data-day'),
    ).toBe(dateKey(today));
    expect(await slotsIn(page, 'x-berlin', dateKey(addDays(today, 3)))).toEqual(
      berlinSlots(nyStart(addDays(today, 3)), nyStart(addDays(today, 4))).map((at) =>
        new Date(at).toISOString(),
      ),
    );
    if (due < nyStart(addDays(today, 7))) {
      const rolled = row(page, 'x-berlin').locator(`td[data-day="${nyKey(due)}"] .cal-item time`);
      expect(await rolled.getAttribute('datetime')).toBe(x.dueAt);
    }
    await page.getByRole('link', { name: 'Later →' }).click();
    await page.waitForURL(new RegExp(`from=${dateKey(addDays(today, 7))}`));
    await saveScreenshot(page, 'calendar-rolling');

    // The month of the share: its day holds it, weekdays count their slots.
    await page.goto(`${stack.url}/#/calendar?view=month&month=${nyKey(due).slice(0, 7)}`);
    const monthCell = page.locator(`.calendar.month td[data-day="${nyKey(due)}"]`);
    await monthCell.locator('.cal-item').first().waitFor();
    expect(await monthCell.locator('.cal-item time').first().getAttribute('datetime')).toBeTruthy();
    expect(await monthCell.locator('time').allTextContents()).toContain(clock(due, ZONE));
    expect(await page.locator('.calendar.month .cal-slot-count').count()).toBeGreaterThan(20);
    await saveScreenshot(page, 'calendar-month');

    // The article page and the queue write the share's time the same way.
    await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
    const dueLine = page.locator('article.share[data-channel="x-berlin"] .share-due');
    await dueLine.locator('.channel-clock').waitFor();
    expect(await dueLine.locator('time').getAttribute('datetime')).toBe(x.dueAt);
    expect(await dueLine.locator('.channel-clock').textContent()).toBe(
      ` · ${clock(due, 'Europe/Berlin')} Europe/Berlin`,
    );
    await page.goto(`${stack.url}/#/queue`);
    // The queue's row of the article, unfolded to its shares.
    await page
      .locator(`li[data-article="${articleId}"]`)
      .getByRole('button', { name: /Show shares/ })
      .click();
    const queued = page.locator('li.row-share[data-channel="x-berlin"]', {
      has: page.locator(`time[datetime="${x.dueAt}"]`),
    });
    await queued.first().waitFor();
    expect(await queued.first().locator('.channel-clock').textContent()).toBe(
      ` · ${clock(due, 'Europe/Berlin')} Europe/Berlin`,
    );
    await saveScreenshot(page, 'calendar-queue-times');
    await page.close();
  });

  it("moves a dragged share to the channel's nearest slot, and the API keeps exactly that instant", async () => {
    const x = await apiShare('x-berlin');
    const due = Date.parse(x.dueAt);
    const page = await signedInPage(`#/calendar?view=rolling&from=${nyKey(due)}`);
    const patches = capturePatches(page);
    const item = row(page, 'x-berlin').locator('.cal-item');
    await item.waitFor();
    // A later day at the share's own New York time, where Berlin has no slot: the
    // nearest slot to it is proposed.
    const { hour, minute } = localParts(due, ZONE);
    const later = [1, 2, 3, 4, 5, 6].map((days) => {
      const day = addDays(nyDate(due), days);
      const wanted = instantOf({ ...day, hour, minute }, ZONE);
      return { day, wanted, nearest: nearestSlot(wanted) };
    });
    const { day: target, wanted, nearest } = later.find((c) => c.nearest !== c.wanted) ?? {};
    if (!target || wanted === undefined || nearest === undefined)
      throw new Error('no day to move to');
    const expected = new Date(nearest).toISOString();
    await item.dragTo(row(page, 'x-berlin').locator(`td[data-day="${dateKey(target)}"]`));

    const dialog = page.getByRole('dialog', { name: 'Move the share' });
    await dialog.waitFor();
    const proposal = dialog.locator('.move-proposal time');
    expect(await proposal.getAttribute('datetime')).toBe(expected);
    expect(await dialog.locator('.move-proposal').textContent()).toContain(
      `(${clock(Date.parse(expected), 'Europe/Berlin')} Europe/Berlin)?`,
    );
    await saveScreenshot(page, 'calendar-move-dialog');
    await dialog.getByRole('button', { name: 'Move', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Moved' }).waitFor();

    expect(patches.bodies).toEqual([{ dueAt: expected }]);
    expect((await apiShare('x-berlin')).dueAt).toBe(expected);
    const moved = row(page, 'x-berlin').locator(
      `td[data-day="${nyKey(Date.parse(expected))}"] .cal-item time`,
    );
    await expect.poll(() => moved.getAttribute('datetime')).toBe(expected);
    await saveScreenshot(page, 'calendar-moved');
    await page.close();
  });

  it('moves a share without a mouse, and shows the API refusing a share that moved on', async () => {
    const x = await apiShare('x-berlin');
    const due = Date.parse(x.dueAt);
    const page = await signedInPage(`#/calendar?view=rolling&from=${nyKey(due)}`);
    const move = row(page, 'x-berlin').getByRole('button', { name: /^Move “.*” on @newsroom…$/ });
    await move.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Move the share' });
    await dialog.waitFor();
    // The day after, at 13:00 New York: Berlin's nearest slot to it.
    const day = addDays(nyDate(due), 1);
    const wanted = instantOf({ ...day, hour: 13, minute: 0 }, ZONE);
    const expected = new Date(nearestSlot(wanted)).toISOString();
    const input = dialog.getByLabel(/Wanted time/);
    expect(await page.evaluate('document.activeElement?.getAttribute("name")')).toBe('wanted');
    await input.fill(`${dateKey(day)}T13:00`);
    expect(await dialog.locator('.move-proposal time').getAttribute('datetime')).toBe(expected);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Moved' }).waitFor();
    expect((await apiShare('x-berlin')).dueAt).toBe(expected);

    // Cancelled elsewhere while the dialog is open: the API's 409 is shown in it.
    const tokyo = await apiShare('mastodon-tokyo');
    await page.goto(`${stack.url}/#/calendar?view=rolling&from=${nyKey(Date.parse(tokyo.dueAt))}`);
    const tokyoMove = row(page, 'mastodon-tokyo').getByRole('button', { name: /^Move/ });
    await tokyoMove.click();
    await dialog.waitFor();
    const cancel = await fetch(
      new URL(`/api/articles/${articleId}/shares/mastodon-tokyo/cancel`, stack.url),
      { method: 'POST', headers: { authorization: `Bearer ${token}` } },
    );
    expect(cancel.status).toBe(200);
    await dialog.getByRole('button', { name: 'Move', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('Not possible now');
    expect((await apiShare('mastodon-tokyo')).status).toBe('cancelled');
    expect(await dialog.getByRole('button', { name: 'Move', exact: true }).isDisabled()).toBe(true);
    await saveScreenshot(page, 'calendar-move-refused');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // A cancelled share is no longer offered a move.
    await expect
      .poll(() => row(page, 'mastodon-tokyo').getByRole('button', { name: /^Move/ }).count())
      .toBe(0);
    await page.close();
  });

  it("fits a phone: the week as a list of days, the month as counts with a day's shares", async () => {
    const x = await apiShare('x-berlin');
    const due = Date.parse(x.dueAt);
    const page = await signedInPage('#/calendar');
    await page.setViewportSize(PHONE);
    await page.goto(`${stack.url}/#/calendar?view=rolling&from=${nyKey(due)}`);
    const day = page.locator(`.cal-day[data-day="${nyKey(due)}"]`);
    await day.locator('.cal-entry[data-channel="x-berlin"] .cal-item').waitFor();
    expect(await page.locator('table.calendar').count()).toBe(0);
    expect(
      await day
        .locator('.cal-entry[data-channel="x-berlin"] .cal-item time')
        .getAttribute('datetime'),
    ).toBe(x.dueAt);
    expect(await sidewaysOverflow(page)).toEqual({ overflow: 0, culprits: [] });
    await saveScreenshot(page, 'calendar-phone-week');

    await page.goto(`${stack.url}/#/calendar?view=month&month=${nyKey(due).slice(0, 7)}`);
    const cell = page.locator(`.calendar.month.compact td[data-day="${nyKey(due)}"]`);
    await cell.locator('.day-count').waitFor();
    const sameDay = (await apiShares()).filter((s) => nyKey(Date.parse(s.dueAt)) === nyKey(due));
    expect(await cell.locator('.day-count').textContent()).toBe(String(sameDay.length));
    expect(await cell.locator('.cal-item').count()).toBe(0);
    expect(await sidewaysOverflow(page)).toEqual({ overflow: 0, culprits: [] });
    await cell.getByRole('link').click();
    await page.waitForURL(new RegExp(`day=${nyKey(due)}`));
    const chosen = page.locator(`.cal-day[data-day="${nyKey(due)}"]`);
    expect(
      await chosen
        .locator('.cal-entry[data-channel="x-berlin"] .cal-item time')
        .getAttribute('datetime'),
    ).toBe(x.dueAt);
    expect(await sidewaysOverflow(page)).toEqual({ overflow: 0, culprits: [] });
    await saveScreenshot(page, 'calendar-phone-month');

    await chosen
      .locator('.cal-entry[data-channel="x-berlin"]')
      .getByRole('button', { name: /^Move/ })
      .click();
    await page.getByRole('dialog', { name: 'Move the share' }).waitFor();
    expect(await sidewaysOverflow(page)).toEqual({ overflow: 0, culprits: [] });
    await saveScreenshot(page, 'calendar-phone-move');
    await page.close();
  });
});
