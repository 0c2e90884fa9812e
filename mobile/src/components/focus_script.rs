//! Where the focus is, in one small script installed once per page:
//!
//! - After moving to a new screen, focus goes to its heading (`#screen-title`), so a screen
//!   reader announces the new screen and the next Tab starts at its top. The script watches the
//!   page, and when the route the shell shows (`data-route`) has changed and the new screen's
//!   heading is there, it focuses that heading. A screen that re-renders on the same route (new
//!   data after a sync) never takes the focus away from a field being typed in.
//! - The focused control is never left under the sticky bars (the top bar, the visit's action
//!   bar, the bottom navigation). The stylesheet's `scroll-padding` covers scrolling into view,
//!   but Chromium and WebKit do not apply it when focus itself scrolls (Tab, a tap, a label), so
//!   on every focus the script measures the bars and scrolls the control clear of them.

use dioxus::prelude::*;

const SCRIPT: &str = r#"(() => {
  if (window.__seenHeardFocus) return;
  window.__seenHeardFocus = true;
  let focusedFor = null, lastTitle = null, pendingSince = 0, timer = null;
  const check = () => {
    const shell = document.querySelector('[data-route]');
    if (!shell) return;
    const route = shell.getAttribute('data-route');
    if (route === focusedFor) return;
    if (!pendingSince) pendingSince = Date.now();
    const waited = Date.now() - pendingSince;
    const title = document.getElementById('screen-title');
    // Wait (briefly, one timer at a time) for the new screen's heading rather than focusing
    // the old one; the same heading is reused when only the id in the route changes.
    if ((!title && waited < 2000) || (title === lastTitle && waited < 400)) {
      if (!timer) timer = setTimeout(() => { timer = null; check(); }, 100);
      return;
    }
    focusedFor = route; pendingSince = 0;
    if (!title) return; // a screen with no heading: focus stays where it is
    lastTitle = title;
    if (!title.hasAttribute('tabindex')) title.setAttribute('tabindex', '-1');
    title.focus();
  };
  const clearOfBars = (el) => {
    if (!el || !el.getBoundingClientRect || el === document.body || el.closest('.topbar, .sticky-actions, .bottomnav')) return;
    let top = 0, bottom = window.innerHeight;
    for (const bar of document.querySelectorAll('.topbar')) top = Math.max(top, bar.getBoundingClientRect().bottom);
    for (const bar of document.querySelectorAll('.sticky-actions, .bottomnav')) bottom = Math.min(bottom, bar.getBoundingClientRect().top);
    const r = el.getBoundingClientRect(), margin = 8;
    if (r.top < top + margin || r.height > bottom - top - 2 * margin) window.scrollBy(0, r.top - top - margin);
    else if (r.bottom > bottom - margin) window.scrollBy(0, r.bottom - bottom + margin);
  };
  // After the browser's own scroll for the focus, so this one has the last word.
  document.addEventListener('focusin', (e) => requestAnimationFrame(() => clearOfBars(e.target)));
  new MutationObserver(check).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-route'] });
  check();
})();"#;

/// Installs the focus script in the page (once, however often the shell mounts).
#[component]
pub fn FocusScript() -> Element {
    use_hook(|| {
        spawn(async move {
            let _ = document::eval(SCRIPT).await;
        });
    });
    rsx! {}
}
