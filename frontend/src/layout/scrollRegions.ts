// A table wider than the screen scrolls inside itself (index.css); a keyboard user must be able
// to scroll it too. A scrolling table region with nothing focusable inside (no link, no button)
// gets a tab stop and a name; one that fits again loses them.

const REGIONS = '.ant-table-content, .ant-table-body';
const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';
const MARK = 'data-scroll-focus';

/** Gives the scrolling regions under `root` what they need now; returns how many it changed. */
export function updateScrollRegions(root: ParentNode): number {
  let changed = 0;
  for (const el of root.querySelectorAll<HTMLElement>(REGIONS)) {
    const scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
    const marked = el.hasAttribute(MARK);
    const needs = scrolls && (marked || !el.querySelector(FOCUSABLE));
    if (needs && !marked) {
      el.setAttribute(MARK, '');
      el.tabIndex = 0;
      el.setAttribute('role', 'region');
      el.setAttribute('aria-label', 'Bảng (cuộn để xem thêm)');
      changed++;
    } else if (!needs && marked) {
      el.removeAttribute(MARK);
      el.removeAttribute('tabindex');
      el.removeAttribute('role');
      el.removeAttribute('aria-label');
      changed++;
    }
  }
  return changed;
}

/** Keeps `root`'s scrolling regions reachable as the page changes; returns the stop function. */
export function watchScrollRegions(root: HTMLElement): () => void {
  let frame = 0;
  const schedule = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      updateScrollRegions(root);
    });
  };
  const observer = new MutationObserver(schedule);
  observer.observe(root, { childList: true, subtree: true });
  window.addEventListener('resize', schedule);
  schedule();
  return () => {
    observer.disconnect();
    window.removeEventListener('resize', schedule);
    if (frame) cancelAnimationFrame(frame);
  };
}
