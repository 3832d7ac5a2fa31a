/** The queue's view in the address: what is read back, and what is left out. */
import { describe, expect, it } from 'vitest';
import { isFiltered, queueFilterParams, readQueueFilters } from '../../../web/src/queue-filters';
import { routeHref } from '../../../web/src/router';

describe('the queue filters in the address', () => {
  it('reads back every filter it wrote, in a fixed order', () => {
    const filters = {
      status: 'draft' as const,
      channel: 'x-newsroom',
      section: 'Latin America',
      from: '2026-12-01',
      to: '2026-12-07',
      q: 'São Paulo',
      site: 'north',
    };
    const href = routeHref('/queue', queueFilterParams(filters));
    expect(href).toBe(
      '#/queue?status=draft&channel=x-newsroom&section=Latin+America&from=2026-12-01&to=2026-12-07&q=S%C3%A3o+Paulo&site=north',
    );
    expect(readQueueFilters(new URLSearchParams(href.split('?')[1]))).toEqual(filters);
    expect(isFiltered(filters)).toBe(true);
  });

  it('leaves out what the API would refuse, and trims the text', () => {
    const params = new URLSearchParams(
      'status=sent&channel=X_News&from=yesterday&to=2026-12-07&q=%20%20&section=%20Labor%20&site=..',
    );
    expect(readQueueFilters(params)).toEqual({ to: '2026-12-07', section: 'Labor' });
    expect(readQueueFilters(new URLSearchParams(`q=${'a'.repeat(300)}`)).q).toHaveLength(200);
  });

  it('counts the site alone as no filter', () => {
    expect(isFiltered({ site: 'north' })).toBe(false);
    expect(isFiltered({})).toBe(false);
  });
});
