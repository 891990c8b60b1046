import { describe, expect, it } from 'vitest';
import { updateScrollRegions } from './scrollRegions';

/** A table region whose sizes jsdom cannot lay out: set them by hand. */
function region(html: string, scrollWidth: number, clientWidth: number): HTMLElement {
  const root = document.createElement('div');
  root.innerHTML = `<div class="ant-table-content">${html}</div>`;
  const el = root.firstElementChild as HTMLElement;
  Object.defineProperty(el, 'scrollWidth', { configurable: true, get: () => scrollWidth });
  Object.defineProperty(el, 'clientWidth', { configurable: true, get: () => clientWidth });
  Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => 100 });
  Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => 100 });
  return el;
}

describe('scrolling table regions', () => {
  it.each([
    ['a wide table of text on a phone', '<table><tr><td>Trường THCS Gia Viên</td></tr></table>', 900, 366, true],
    ['a wide table with links (reachable through them)', '<table><tr><td><a href="/lop/1">6A1</a></td></tr></table>', 900, 366, false],
    ['a table that fits', '<table><tr><td>6A1</td></tr></table>', 366, 366, false],
    ['one pixel of rounding is not scrolling', '<table><tr><td>6A1</td></tr></table>', 367, 366, false],
  ])('%s', (_name, html, scrollWidth, clientWidth, focusable) => {
    const el = region(html, scrollWidth, clientWidth);
    updateScrollRegions(el.parentElement!);
    expect(el.getAttribute('tabindex') === '0').toBe(focusable);
    expect(el.getAttribute('aria-label') !== null).toBe(focusable);
  });

  it('gives the tab stop back when the table fits again, and keeps it while it scrolls', () => {
    let width = 900;
    const el = region('<table><tr><td>Phòng GDĐT Ngô Quyền</td></tr></table>', 0, 366);
    Object.defineProperty(el, 'scrollWidth', { configurable: true, get: () => width });
    expect(updateScrollRegions(el.parentElement!)).toBe(1);
    // its own tabindex does not count as "something focusable inside"
    expect(updateScrollRegions(el.parentElement!)).toBe(0);
    expect(el.tabIndex).toBe(0);
    width = 366;
    expect(updateScrollRegions(el.parentElement!)).toBe(1);
    expect(el.hasAttribute('tabindex')).toBe(false);
    expect(el.hasAttribute('role')).toBe(false);
  });
});
